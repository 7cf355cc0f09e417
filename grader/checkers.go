package grader

import _ "embed"

// The build-step programs of the interpreted languages. They run in the
// language's image with the learner's files, read them as text and run
// none of them; each prints one "file:line: message" per problem and
// exits with checkProblems when it found any.
// checkProblems is the exit code of a checker that found problems in the
// learner's files. It is not 1, which Python and Node use for an uncaught
// exception: a checker that fails is not mistaken for its report.
const checkProblems = 10

var (
	//go:embed checkers/check.py
	checkPython []byte
	//go:embed checkers/check.js
	checkJavaScript []byte
)
