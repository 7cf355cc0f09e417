package grader

// Status is the verdict of a whole submission, spelled as in the JSON
// result document.
type Status string

// Submission verdicts. Every status but StatusError is charged to the
// learner; StatusError means the service failed and the learner should not
// be blamed (the submission is retried or reported as a fault).
const (
	StatusPassed         Status = "passed"          // every test passed: full marks
	StatusFailed         Status = "failed"          // graded, less than full marks
	StatusBuildFailed    Status = "build_failed"    // the submission did not compile for any suite (a suite that did not build beside one that ran is failed)
	StatusTimedOut       Status = "timed_out"       // a phase ran past its time limit and was killed
	StatusMemoryExceeded Status = "memory_exceeded" // the learner's program was killed for using too much memory (a build out of memory is StatusError)
	StatusOutputExceeded Status = "output_exceeded" // the learner's program printed more than allowed
	StatusError          Status = "error"           // the service's own fault, never the learner's
)

// TestStatus is the outcome of one test.
type TestStatus string

// Test outcomes.
const (
	TestPassed  TestStatus = "passed"
	TestFailed  TestStatus = "failed"
	TestSkipped TestStatus = "skipped" // skipped by the test itself (t.Skip)
	TestNotRun  TestStatus = "not_run" // never ran: the build failed or an earlier phase stopped grading
)

// Visibility says how much of a test a learner may see.
type Visibility string

// Visibilities. A hidden test shows up in the learner view only as counts
// and points; a visible one shows its name, message and output.
const (
	Visible Visibility = "visible"
	Hidden  Visibility = "hidden"
)

// View selects which parts of a Result a reader may see.
type View string

// Views of a result.
const (
	ViewLearner    View = "learner"
	ViewInstructor View = "instructor"
)

// SuiteKind names how a suite is run.
type SuiteKind string

// Suite kinds.
const (
	// SuiteGo joins hidden _test.go files to the learner's package and runs
	// them as go tests.
	SuiteGo SuiteKind = "go"
	// SuiteHTTP starts the learner's program as a service and sends it
	// scripted requests from a tester outside its container.
	SuiteHTTP SuiteKind = "http"
	// SuitePytest runs hidden test_*.py files with pytest in the learner's
	// Python process.
	SuitePytest SuiteKind = "pytest"
	// SuiteNodeTest runs hidden JavaScript test files with Node's built-in
	// node:test runner in the learner's process.
	SuiteNodeTest SuiteKind = "node-test"
)

// Language is the one language a unit suite grades, or "" for a kind
// (http) that grades every language alike.
func (k SuiteKind) Language() Language {
	switch k {
	case SuiteGo:
		return LanguageGo
	case SuitePytest:
		return LanguagePython
	case SuiteNodeTest:
		return LanguageJavaScript
	}
	return ""
}

// Grades reports whether a suite of kind k grades submissions in l.
func (k SuiteKind) Grades(l Language) bool {
	own := k.Language()
	return own == "" || own == l
}

// FixtureKind names a helper service the grader can start beside a
// submission.
type FixtureKind string

// Fixture kinds.
const (
	// FixtureRedis is a Redis server on port 6379.
	FixtureRedis FixtureKind = "redis"
	// FixtureUpstream is a slow HTTP service that counts its calls.
	FixtureUpstream FixtureKind = "upstream"
	// FixturePostgres is a PostgreSQL 15 server on port 5432 with a fresh
	// database per job.
	FixturePostgres FixtureKind = "postgres"
)
