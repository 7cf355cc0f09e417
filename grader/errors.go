package grader

import "errors"

// ErrNotFound is wrapped by every port that looks something up by id (a
// submission, a result, a challenge) when nothing has that id. Callers
// branch on it with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrExists is wrapped when a submission id, a cohort id or a regrade id
// is taken.
var ErrExists = errors.New("already exists")

// ErrQuota is wrapped when a cohort already has as many unfinished
// submissions as its quota allows.
var ErrQuota = errors.New("cohort queue quota reached")

// ErrInvalidEventID is wrapped when an event id given to read a
// submission's events (a client's Last-Event-ID) is not a stream id.
var ErrInvalidEventID = errors.New("invalid event id")

// ErrRegradeState is wrapped when a regrade cannot be applied in the
// state it is in.
var ErrRegradeState = errors.New("regrade is not in a state to apply")
