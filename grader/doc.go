// Package grader is the domain of the grading sandbox: challenges and their
// suites, submissions, results and scoring, and the Engine that grades a
// submission against a challenge.
//
// The package imports only the standard library. Everything that touches the
// outside world reaches it through the small ports declared here: a Sandbox
// runs containers (implemented on the Docker Engine by package runner), a
// Progress receives events while grading runs. A learner's failure (a
// compile error, a failing test, a timeout, a memory or output overflow) is
// a Result with a Status, never a Go error; an error returned by this package
// means the service itself failed and the submission should be retried.
package grader
