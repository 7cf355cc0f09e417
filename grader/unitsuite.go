package grader

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Files of a unit suite's run box, below workDir. Learner files cannot
// use names starting with ".grader-" (see shadowProblem).
const (
	// unitTestsDir holds a pytest suite's hidden files and its config.
	unitTestsDir = ".grader-tests"
	// nodeTestPrefix starts the names of a node-test suite's hidden
	// files, which sit beside the learner's so that require('./x')
	// means the same as in the learner's own tests.
	nodeTestPrefix = ".grader-test-"
	// unitReport is the JUnit XML report the runner writes, in outDir.
	unitReport = "report.xml"
	// maxReportBytes bounds a unit suite's report.
	maxReportBytes = 8 << 20
)

// pytestConfig is the grader's own pytest configuration: it names the
// submission's folder as the import path, added after pytest and its
// plugins are loaded, so the submission cannot stand in for them.
var pytestConfig = []byte("[pytest]\npythonpath = " + workDir + "\njunit_family = xunit1\njunit_logging = system-out\n")

// runUnitSuite grades a Python or JavaScript submission with hidden
// unit tests run in its own process: pytest or node:test.
//
// The build step checks the sources as for a service. The run box holds
// the learner's files read-only, the hidden files, and one writable
// folder for the runner's JUnit XML report, which is read after the run:
// results come from that report only, never from what the process
// printed. Pytest's hidden test functions are renamed with a per-job
// nonce, and only names carrying it count. A test that the report does
// not show (the process ended first) fails.
func (j *job) runUnitSuite(ctx context.Context, s Suite) (suiteOutcome, error) {
	var out suiteOutcome
	ok, err := j.checkPhase(ctx, s, &out, func() string { return shadowProblem(j.lang, j.sub.Files) })
	if err != nil || !ok {
		return out, err
	}
	nonce := "p" + j.e.cfg.Random()[:15]
	_, err = j.phase(ctx, "run", s, &out.timings, func() (bool, string, error) {
		tests, verdict, msg, err := j.runUnitTests(ctx, s, nonce)
		out.tests, out.verdict, out.message = tests, verdict, msg
		return verdict == "", msg, err
	})
	return out, err
}

// checkPhase runs an interpreted language's build step for suite s:
// first precheck (a problem with the submission's files, or ""), then
// the checker box. When it fails, out holds the verdict and the suite's
// tests, none of them run.
func (j *job) checkPhase(ctx context.Context, s Suite, out *suiteOutcome, precheck func() string) (bool, error) {
	ok, err := j.phase(ctx, "build", s, &out.timings, func() (bool, string, error) {
		if problem := precheck(); problem != "" {
			out.verdict, out.message, out.build = StatusBuildFailed, problem, Output{Text: problem + "\n"}
			return false, problem, nil
		}
		verdict, msg, build, err := j.check(ctx)
		out.build = build
		if err != nil || verdict != "" {
			out.verdict, out.message = verdict, msg
			return false, msg, err
		}
		return true, "", nil
	})
	if err == nil && !ok {
		out.tests = notRun(s, "not run: "+out.message)
	}
	return ok, err
}

// unitSpec is the run box of a unit suite.
func (j *job) unitSpec(s Suite, nonce string) (BoxSpec, error) {
	spec := j.boxSpec("test")
	spec.WorkDir = workDir
	spec.FilesDir = workDir
	spec.Timeout = j.limits.RunTimeout
	spec.Files = append(j.learnerFiles(),
		File{Name: outDir, Mode: modeDir | 0o755, Writable: true},
		// Present and empty until the runner writes it: an empty report
		// is one never written, told apart from a fault reading it.
		File{Name: outDir + "/" + unitReport, Mode: 0o644, Writable: true})
	report := workDir + "/" + outDir + "/" + unitReport
	names := make([]string, 0, len(s.Files))
	for name := range s.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	switch s.Kind {
	case SuitePytest:
		spec.Files = append(spec.Files,
			File{Name: unitTestsDir, Mode: modeDir | 0o755},
			File{Name: unitTestsDir + "/pytest.ini", Mode: 0o444, Data: pytestConfig})
		for _, name := range names {
			spec.Files = append(spec.Files, File{Name: unitTestsDir + "/" + name, Mode: 0o444, Data: renamePytest(s.Files[name], s.Tests, nonce)})
		}
		// -I: neither the working folder nor PYTHON* variables nor the
		// user's site folder on the path; -B: no bytecode written. The
		// grader's config (-c) replaces any the submission holds, and
		// conftest.py files, the cache and plugins from packages are off.
		spec.Env = j.learnerEnv("PYTEST_DISABLE_PLUGIN_AUTOLOAD=1")
		spec.Cmd = []string{"python3", "-I", "-B", "-m", "pytest",
			"-c", workDir + "/" + unitTestsDir + "/pytest.ini", "--rootdir", workDir + "/" + unitTestsDir,
			"--noconftest", "-p", "no:cacheprovider", "-q", "--junitxml", report,
			workDir + "/" + unitTestsDir}
	case SuiteNodeTest:
		entry := ""
		for _, name := range names {
			// .cjs: CommonJS whatever the submission's package.json says.
			hidden := nodeTestPrefix + strings.TrimSuffix(name, path.Ext(name)) + ".cjs"
			spec.Files = append(spec.Files, File{Name: hidden, Mode: 0o444, Data: s.Files[name]})
			entry += fmt.Sprintf("require(%q);\n", "./"+hidden)
		}
		spec.Files = append(spec.Files, File{Name: nodeTestPrefix + "main.cjs", Mode: 0o444, Data: []byte(entry)})
		// NODE_OPTIONS is not passed on: the grader alone sets flags.
		spec.Env = j.learnerEnv()
		spec.Cmd = []string{"node", "--test-reporter=junit", "--test-reporter-destination=" + report,
			workDir + "/" + nodeTestPrefix + "main.cjs"}
	default:
		return BoxSpec{}, fmt.Errorf("suite kind %q has no unit runner", s.Kind)
	}
	for _, e := range spec.Env {
		if strings.HasPrefix(e, "PYTHON") || strings.HasPrefix(e, "NODE_OPTIONS=") || strings.HasPrefix(e, "NODE_PATH=") {
			return BoxSpec{}, fmt.Errorf("challenge env sets %s, which a unit suite's runner must not get", strings.SplitN(e, "=", 2)[0])
		}
	}
	return spec, nil
}

// runUnitTests runs the hidden tests and grades them from the runner's
// report.
func (j *job) runUnitTests(ctx context.Context, s Suite, nonce string) (tests []TestResult, verdict Status, msg string, err error) {
	spec, err := j.unitSpec(s, nonce)
	if err != nil {
		return nil, "", "", err
	}
	box, err := j.startBox(ctx, spec)
	if err != nil {
		return nil, "", "", fmt.Errorf("start tests: %w", err)
	}
	defer j.closeBox(box)
	exit, err := box.Wait(ctx)
	if err != nil {
		return nil, "", "", fmt.Errorf("wait for tests: %w", err)
	}
	report, err := box.ReadFile(ctx, path.Join(workDir, outDir, unitReport), maxReportBytes)
	if err != nil {
		return nil, "", "", fmt.Errorf("read the tests' report: %w", err)
	}
	entries, complete := parseJUnit(report)
	var cases []unitCase
	orphan := ""
	if s.Kind == SuitePytest {
		cases, orphan = pytestCases(entries, "_"+nonce)
	} else {
		cases = nodeTestCases(entries)
	}
	missing := "did not report a result: the test process ended before the runner wrote its report"
	switch {
	case exit.OOMKilled:
		verdict, msg = StatusMemoryExceeded, fmt.Sprintf("the tests ran out of memory (limit %d MiB)", j.limits.MemoryBytes>>20)
		missing = "not finished: " + msg
	case exit.OutputExceeded:
		verdict, msg = StatusOutputExceeded, fmt.Sprintf("the tests printed more than %d KiB", j.limits.OutputBytes>>10)
		missing = "not finished: " + msg
	case exit.TimedOut:
		verdict, msg = StatusTimedOut, fmt.Sprintf("the tests did not finish within %s", j.limits.RunTimeout)
		missing = "did not finish: " + msg
	case orphan != "":
		missing = "did not report a result: " + orphan
	case !complete:
		missing += fmt.Sprintf(" (exit status %d); look for a crash, os._exit or process.exit in your code", exit.Code)
	}
	return unitResults(s, cases, missing), verdict, msg, nil
}

// pytestTestDef finds a top-level test function definition.
var pytestTestDef = regexp.MustCompile(`(?m)^((?:async\s+)?def\s+)(test_\w+)(\s*\()`)

// renamePytest returns a hidden pytest file with each graded top-level
// test function renamed name+"_"+nonce, leaving line numbers unchanged.
func renamePytest(src []byte, tests []TestSpec, nonce string) []byte {
	graded := make(map[string]bool, len(tests))
	for _, t := range tests {
		graded[t.Name] = true
	}
	return pytestTestDef.ReplaceAllFunc(src, func(m []byte) []byte {
		sm := pytestTestDef.FindSubmatch(m)
		if !graded[string(sm[2])] {
			return m
		}
		return []byte(string(sm[1]) + string(sm[2]) + "_" + nonce + string(sm[3]))
	})
}

// PytestTests lists the top-level test functions of a pytest file, as
// the loader grades them.
func PytestTests(src []byte) []string {
	var out []string
	for _, m := range pytestTestDef.FindAllSubmatch(src, -1) {
		out = append(out, string(m[2]))
	}
	return out
}
