package grader

import "errors"

// ErrNotFound is wrapped by every port that looks something up by id (a
// submission, a result, a challenge) when nothing has that id. Callers
// branch on it with errors.Is.
var ErrNotFound = errors.New("not found")
