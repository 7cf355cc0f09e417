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
// What happened to a box that the learner's code did not do is the
// service's: a box killed or removed from outside (the Sandbox's Wait
// fails), a daemon error, a missing image, and the Go toolchain running
// out of memory during a build, where no learner code runs.
package grader
