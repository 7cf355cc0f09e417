package grader

import _ "embed"

// The build-step programs of the interpreted languages. They run in the
// language's image with the learner's files, read them as text and run
// none of them; each prints one "file:line: message" per problem and
// exits 1 when it found any.
var (
	//go:embed checkers/check.py
	checkPython []byte
	//go:embed checkers/check.js
	checkJavaScript []byte
)
