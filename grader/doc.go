// Package grader is the domain of the grading sandbox: challenges and their
// suites, submissions, results and scoring, and the Engine that grades a
// submission against a challenge.
//
// A challenge is offered in one or more Languages (Go, Python,
// JavaScript). For the Engine a language is an image, a build step that
// runs no learner code (the Go compiler; for Python and JavaScript an
// embedded checker that byte-compiles or parses every file and resolves
// every import against the image), and how its service starts. http
// suites grade every language alike; unit suites grade one language: go
// suites Go, pytest suites Python, node-test suites JavaScript, the last
// two from the JUnit XML report their runner writes.
//
// The grading service's records are domain types too: a submission's
// Record and State, Cohorts, Regrades and their items, a leaderboard's
// BoardEntry, a StoredEvent, and the errors the service's ports wrap
// (ErrNotFound, ErrExists, ErrQuota, ErrRegradeState, ErrInvalidEventID).
// The Redis store keeps them; the API, the queue and the cohort and
// regrade computations use them without importing the store.
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
