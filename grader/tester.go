package grader

import "time"

// TesterPlan is what the http tester runs inside the job's network
// namespace. The Engine writes it into the tester's box as JSON; the
// learner's container never sees it.
type TesterPlan struct {
	// BaseURL is the learner's service, e.g. http://127.0.0.1:8080.
	BaseURL string `json:"base_url"`
	// ReadyPath is probed with GET until the service answers below 500.
	ReadyPath    string        `json:"ready_path"`
	ReadyTimeout time.Duration `json:"ready_timeout"`
	// TestTimeout bounds each test, all its steps and waits included.
	TestTimeout time.Duration `json:"test_timeout"`
	// Fixtures are the fixtures steps may target, by name.
	Fixtures map[string]TesterFixture `json:"fixtures,omitempty"`
	// WaitFor are TCP addresses (the fixtures') the tester waits for
	// before it reports TesterFixturesReady and probes the service.
	WaitFor []string `json:"wait_for,omitempty"`
	// Tests are run in order, each with fresh captures.
	Tests []TestSpec `json:"tests"`
	// Record makes the tester report every step's response (a "step"
	// event with a StepRecord) and run a test's steps to the end even
	// after one fails; the test's outcome is still its first failure.
	Record bool `json:"record,omitempty"`
}

// TesterFixture is how the tester reaches a fixture.
type TesterFixture struct {
	// Kind is the fixture's kind; the tester speaks SQL to a postgres
	// fixture and HTTP to an upstream.
	Kind FixtureKind `json:"kind,omitempty"`
	// URL is where the fixture listens: for a postgres fixture a
	// connection URL as the superuser grader, with the per-job secret as
	// password.
	URL string `json:"url"`
	// Schema and Seed are a postgres fixture's SQL scripts, which the
	// tester applies as the learner's role (app) before it reports the
	// fixtures ready.
	Schema string `json:"schema,omitempty"`
	Seed   string `json:"seed,omitempty"`
	// Secret is sent as the FixtureSecretHeader so the fixture serves its
	// controls (counters, resets); only the tester knows it.
	Secret string `json:"secret,omitempty"`
}

// FixtureSecretHeader carries the per-job secret that guards a fixture's
// controls.
const FixtureSecretHeader = "X-Grader-Fixture-Secret"

// TesterEvent is one line of the tester's output (JSON lines on stdout).
type TesterEvent struct {
	// Event is "fixtures_ready" (every WaitFor address accepts
	// connections), "ready" (the service answered its probe), "not_ready" (it
	// never did; Message says why), "test_started", "step" (a step's
	// response, when the plan records), "restart" and "service_stopped"
	// (a step restarts the service) or "test" (one test finished).
	Event      string     `json:"event"`
	Name       string     `json:"name,omitempty"`
	Status     TestStatus `json:"status,omitempty"`
	Message    string     `json:"message,omitempty"`
	DurationMS int64      `json:"duration_ms,omitempty"`
	// Step is what a "step" event recorded.
	Step *StepRecord `json:"step,omitempty"`
}

// Tester event names.
const (
	TesterFixturesReady = "fixtures_ready"
	TesterReady         = "ready"
	TesterNotReady      = "not_ready"
	TesterTestStarted   = "test_started"
	TesterStep          = "step"
	TesterTest          = "test"
	// TesterRestart asks the Engine to restart the learner's service (a
	// step with restart: true). The Engine stops the service, waits for
	// TesterServiceStopped, starts it again and lets the tester probe it
	// as at the first start.
	TesterRestart = "restart"
	// TesterServiceStopped says the tester saw the service's port closed
	// after a TesterRestart, so whatever answers next is the new service.
	TesterServiceStopped = "service_stopped"
)
