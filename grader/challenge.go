package grader

import "time"

// Challenge is one task learners solve: what to build, how it is built and
// run, with which limits, and the suites that grade it. Challenges are
// loaded and validated by package challenges; the Engine trusts them.
type Challenge struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Difficulty string   `json:"difficulty"`
	Tags       []string `json:"tags"`
	// Version is a digest of everything that decides a score (challenge.yaml
	// and the hidden tests): results graded under another version may differ.
	Version string `json:"version"`
	// Image is the container image that builds and runs learner code in
	// Go.
	Image string `json:"image"`
	// Languages are the languages the challenge is offered in, each with
	// its image and how its service starts. Empty means Go alone, with
	// Image (see Offering).
	Languages []Offering `json:"languages,omitempty"`
	// Limits bound every container that holds learner code.
	Limits Limits `json:"limits"`
	// Service says how an http suite starts the learner's program. Nil when
	// the challenge has no http suite.
	Service *Service `json:"service,omitempty"`
	// Fixtures are helper services started beside the learner's service.
	Fixtures []Fixture `json:"fixtures,omitempty"`
	// Env is the allowlist of environment variables learner code gets, on
	// top of the few the grader sets itself (HOME, PATH, TMPDIR and, for a
	// service, PORT and the fixtures' addresses).
	Env map[string]string `json:"env,omitempty"`
	// Suites grade the submission, in order.
	Suites []Suite `json:"suites"`
	// NoResultCache turns the result cache off for this challenge: every
	// submission is graded, even one identical to an earlier one (for a
	// challenge whose outcome may differ between two gradings of the
	// same files, such as one graded on time).
	NoResultCache bool `json:"no_result_cache,omitempty"`
	// Dir is the challenge's folder on disk ("" for challenges built in code).
	Dir string `json:"-"`
	// Statement is the Markdown learners read (README.md).
	Statement string `json:"-"`
	// Warnings say what a draft lacks that a finished challenge has (a
	// starter, two mutants), one line each in the loader's file: field:
	// problem; fix style. A draft can be graded and verified; empty for a
	// finished challenge.
	Warnings []string `json:"-"`
}

// Limits bound the containers that hold learner code. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	// BuildTimeout bounds a compile step. Default 120s.
	BuildTimeout time.Duration `json:"build_timeout"`
	// RunTimeout bounds one suite's run phase as a whole. Default 60s.
	RunTimeout time.Duration `json:"run_timeout"`
	// TestTimeout bounds one http test (all its steps). Default 10s.
	TestTimeout time.Duration `json:"test_timeout"`
	// ReadyTimeout bounds how long a service may take to answer its
	// readiness probe. Default 15s.
	ReadyTimeout time.Duration `json:"ready_timeout"`
	// MemoryBytes is the memory limit of each container, swap included
	// (swap equals memory, so none is available). Default 512 MiB.
	MemoryBytes int64 `json:"memory_bytes"`
	// CPUs is the CPU quota of each container, in cores. Default 1.
	CPUs float64 `json:"cpus"`
	// Pids bounds processes and threads in each container. Default 256.
	Pids int64 `json:"pids"`
	// OutputBytes caps stdout and stderr of each container; a learner's
	// program that prints more is stopped with StatusOutputExceeded.
	// Default 1 MiB.
	OutputBytes int64 `json:"output_bytes"`
	// TmpfsBytes sizes the writable /tmp of each container. Default 64 MiB.
	TmpfsBytes int64 `json:"tmpfs_bytes"`
}

// DefaultLimits are the limits a challenge gets for fields it leaves unset,
// and those of a box whose spec leaves them zero: they are written here
// only.
func DefaultLimits() Limits {
	return Limits{
		BuildTimeout: 120 * time.Second,
		RunTimeout:   60 * time.Second,
		TestTimeout:  10 * time.Second,
		ReadyTimeout: 15 * time.Second,
		MemoryBytes:  512 << 20,
		CPUs:         1,
		Pids:         256,
		OutputBytes:  1 << 20,
		TmpfsBytes:   64 << 20,
	}
}

// NanoCPUs is the CPU quota in billionths of a core, as a BoxSpec has it.
func (l Limits) NanoCPUs() int64 {
	return int64(l.CPUs * 1e9)
}

// WithDefaults returns l with every zero field set from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.BuildTimeout <= 0 {
		l.BuildTimeout = d.BuildTimeout
	}
	if l.RunTimeout <= 0 {
		l.RunTimeout = d.RunTimeout
	}
	if l.TestTimeout <= 0 {
		l.TestTimeout = d.TestTimeout
	}
	if l.ReadyTimeout <= 0 {
		l.ReadyTimeout = d.ReadyTimeout
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.CPUs <= 0 {
		l.CPUs = d.CPUs
	}
	if l.Pids <= 0 {
		l.Pids = d.Pids
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = d.OutputBytes
	}
	if l.TmpfsBytes <= 0 {
		l.TmpfsBytes = d.TmpfsBytes
	}
	return l
}

// Service says how the learner's program is built and started for http
// suites.
type Service struct {
	// Main is the Go main package inside the submission, relative to its
	// root ("." by default). Interpreted languages start as their
	// Offering's Start says.
	Main string `json:"main"`
	// Port is the TCP port the program must listen on; it also gets it as
	// the PORT environment variable. Default 8080.
	Port int `json:"port"`
	// ReadyPath is requested with GET until it answers (any status below
	// 500) before the first test runs. Default "/".
	ReadyPath string `json:"ready_path"`
}

// Fixture is a helper service started beside the learner's program in the
// job's private network namespace, reachable by Name as a host name.
type Fixture struct {
	Name string      `json:"name"`
	Kind FixtureKind `json:"kind"`
	// Port the fixture listens on (6379 for redis, 5432 for postgres,
	// 9000 for upstream by default).
	Port int `json:"port"`
	// Delay is how long an upstream fixture takes to answer each call.
	Delay time.Duration `json:"delay,omitempty"`
	// Schema and Seed are a postgres fixture's SQL scripts (hidden test
	// files), applied in that order as the learner's role before the
	// service starts. Empty when not set.
	Schema string `json:"-"`
	Seed   string `json:"-"`
}

// Suite is one group of tests run the same way.
type Suite struct {
	Name string    `json:"name"`
	Kind SuiteKind `json:"kind"`
	// Tests are the suite's tests: for an http suite each carries its
	// steps; for a go suite each is a top-level Go test function found in
	// the hidden files, with the points and visibility the challenge gives
	// it.
	Tests []TestSpec `json:"tests"`

	// Package is, for a go suite, the folder inside the submission where
	// the hidden test files are placed ("." by default).
	Package string `json:"package,omitempty"`
	// Files are, for a go, pytest or node-test suite, the hidden test
	// files: base name to content.
	Files map[string][]byte `json:"-"`
	// Race runs a go suite with the race detector.
	Race bool `json:"race,omitempty"`
}

// TestSpec is one graded test of a suite.
type TestSpec struct {
	Name       string     `json:"name"`
	Points     int        `json:"points"`
	Visibility Visibility `json:"visibility"`
	// Steps are an http test's requests, in order.
	Steps []Step `json:"steps,omitempty"`
}

// MaxScore is the most a submission can score: the sum of the points of
// every test of every suite that grades the challenge's first language.
// The loader makes every offered language's maximum the same.
func (c *Challenge) MaxScore() int {
	return c.MaxScoreFor(c.OfferedLanguages()[0])
}

// MaxScoreFor is the sum of the points of every test of every suite that
// grades submissions in l.
func (c *Challenge) MaxScoreFor(l Language) int {
	total := 0
	for _, s := range c.SuitesFor(l) {
		for _, t := range s.Tests {
			total += t.Points
		}
	}
	return total
}

// ListedSuites are the suites a listing of the challenge shows (its
// tests, the hidden ones as a count): those of its first offered
// language, whose points MaxScore counts. Every language is graded out of
// the same maximum.
func (c *Challenge) ListedSuites() []Suite {
	return c.SuitesFor(c.OfferedLanguages()[0])
}

// SuitesFor lists, in order, the suites that grade a submission in l:
// the http suites, and the unit suites of l.
func (c *Challenge) SuitesFor(l Language) []Suite {
	var out []Suite
	for _, s := range c.Suites {
		if s.Kind.Grades(l) {
			out = append(out, s)
		}
	}
	return out
}

// HasSuite reports whether the challenge has a suite of kind k.
func (c *Challenge) HasSuite(k SuiteKind) bool {
	for _, s := range c.Suites {
		if s.Kind == k {
			return true
		}
	}
	return false
}
