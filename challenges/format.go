package challenges

import (
	"fmt"
	"strings"
)

// The files as instructors write them (an unknown field is an error; see
// decodeYAML). docs/challenge-format.md documents every field. Optional
// numbers are pointers so that an explicit 0 can be told from "not set";
// durations and sizes are strings so that the loader can say what is
// wrong with them.

// challengeFile is challenge.yaml.
type challengeFile struct {
	ID         string   `yaml:"id"`
	Title      string   `yaml:"title"`
	Summary    string   `yaml:"summary"`
	Difficulty string   `yaml:"difficulty"`
	Tags       []string `yaml:"tags"`
	Image      string   `yaml:"image"`
	// Languages maps a language to how it is offered; nil values (a bare
	// "go:") take every default.
	Languages map[string]*languageFile `yaml:"languages"`
	Limits    limitsFile               `yaml:"limits"`
	Env       map[string]string        `yaml:"env"`
	Service   *serviceFile             `yaml:"service"`
	Fixtures  []fixtureFile            `yaml:"fixtures"`
	Suites    []suiteFile              `yaml:"suites"`
	// ResultCache false grades every submission, even one identical to
	// an earlier one; default true.
	ResultCache *bool `yaml:"result_cache"`
}

// languageFile is one entry of languages.
type languageFile struct {
	Image string   `yaml:"image"`
	Start []string `yaml:"start"`
}

type limitsFile struct {
	BuildTimeout string   `yaml:"build_timeout"`
	RunTimeout   string   `yaml:"run_timeout"`
	TestTimeout  string   `yaml:"test_timeout"`
	ReadyTimeout string   `yaml:"ready_timeout"`
	Memory       string   `yaml:"memory"`
	CPUs         *float64 `yaml:"cpus"`
	Pids         *int64   `yaml:"pids"`
	Output       string   `yaml:"output"`
	Tmpfs        string   `yaml:"tmpfs"`
}

type serviceFile struct {
	Main      string `yaml:"main"`
	Port      *int   `yaml:"port"`
	ReadyPath string `yaml:"ready_path"`
}

type fixtureFile struct {
	Name  string `yaml:"name"`
	Kind  string `yaml:"kind"`
	Port  *int   `yaml:"port"`
	Delay string `yaml:"delay"`
	// Schema and Seed are a postgres fixture's SQL files under tests/.
	Schema string `yaml:"schema"`
	Seed   string `yaml:"seed"`
}

type suiteFile struct {
	Name       string `yaml:"name"`
	Kind       string `yaml:"kind"`
	Visibility string `yaml:"visibility"`
	// File is an http suite's test file.
	File string `yaml:"file"`
	// The rest belong to go suites.
	Package string         `yaml:"package"`
	Files   []string       `yaml:"files"`
	Race    *bool          `yaml:"race"`
	Points  *int           `yaml:"points"`
	Tests   []overrideFile `yaml:"tests"`
}

// overrideFile sets the points or visibility of the go tests it matches.
type overrideFile struct {
	Name       string `yaml:"name"`
	Pattern    string `yaml:"pattern"`
	Points     *int   `yaml:"points"`
	Visibility string `yaml:"visibility"`
}

// httpTestsFile is an http suite's test file (tests/<name>.yaml).
type httpTestsFile struct {
	Tests []httpTestFile `yaml:"tests"`
}

type httpTestFile struct {
	Name       string     `yaml:"name"`
	Points     *int       `yaml:"points"`
	Visibility string     `yaml:"visibility"`
	Steps      []stepFile `yaml:"steps"`
}

type stepFile struct {
	Name    string            `yaml:"name"`
	Wait    string            `yaml:"wait"`
	Request *requestFile      `yaml:"request"`
	Expect  *expectFile       `yaml:"expect"`
	Capture map[string]string `yaml:"capture"`
	// Restart restarts the learner's service before the request.
	Restart bool `yaml:"restart"`
	// Parallel and Repeat send the request several times, at once or
	// one after another.
	Parallel int `yaml:"parallel"`
	Repeat   int `yaml:"repeat"`
}

type requestFile struct {
	Target  string            `yaml:"target"`
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	// JSON is any YAML value, sent as JSON.
	JSON any     `yaml:"json"`
	Body *string `yaml:"body"`
	// FollowRedirects follows 3xx answers; false by default.
	FollowRedirects bool `yaml:"follow_redirects"`
	// SQL is a query step's query (target: a postgres fixture).
	SQL *string `yaml:"sql"`
}

type expectFile struct {
	Status *int `yaml:"status"`
	// Headers maps a name to text the header must contain, or to a
	// mapping of header operators.
	Headers      map[string]any `yaml:"headers"`
	JSON         map[string]any `yaml:"json"`
	BodyContains string         `yaml:"body_contains"`
	BodyMatches  string         `yaml:"body_matches"`
	// MaxMS bounds each response's time in milliseconds.
	MaxMS *int `yaml:"max_ms"`
	// MaxQueries bounds the database statements the service runs to
	// answer the request (needs a postgres fixture).
	MaxQueries *int `yaml:"max_queries"`
	// Statuses counts the responses of a parallel or repeat step by
	// status; Distinct lists JSON paths whose values differ between them.
	Statuses map[int]int `yaml:"statuses"`
	Distinct []string    `yaml:"distinct"`
	// Rows and RowCount check a query step's rows.
	Rows     any  `yaml:"rows"`
	RowCount *int `yaml:"row_count"`
}

// labels names the tests of an http test file for problems: tests[8] is
// test "create note returns 201". A test without a name keeps its
// position.
func (tf *httpTestsFile) labels() map[string]string {
	out := map[string]string{}
	for i, t := range tf.Tests {
		if name := strings.TrimSpace(t.Name); name != "" && !strings.Contains(name, "\n") {
			out[fmt.Sprintf("tests[%d]", i)] = fmt.Sprintf("test %q", name)
		}
	}
	return out
}
