package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// The languages measures grade each http challenge's reference in every
// language it is offered in, next to the same service built, started and
// tested on the host, and time the build step a learner sees: go build
// for Go, the build check (byte-compile or --check, and imports) for
// Python and JavaScript.

// hostPython is Debian's interpreter, whose dist-packages hold the
// python3-flask and friends the bench's setup installs; a pyenv or venv
// python3 earlier on PATH would not see them.
const hostPython = "/usr/bin/python3"

// hostNodePath is where Debian's node-* packages put their modules. Debian's
// nodejs looks there by itself; a nodejs from elsewhere needs NODE_PATH.
const hostNodePath = "/usr/share/nodejs:/usr/lib/nodejs"

// langCase is one reference the languages section grades: a challenge
// with an http suite, in one language it offers.
type langCase struct {
	c    *grader.Challenge
	lang grader.Language
}

// name is the measure's name for -only: "languages-<challenge>-<lang>",
// selected as a whole by "languages".
func (lc langCase) name() string { return "languages-" + lc.c.ID + "-" + string(lc.lang) }

// languageCases lists, in catalog order, every challenge with an http
// suite in each language it offers, in the order grader.Languages shows
// them.
func languageCases(all []*grader.Challenge) []langCase {
	var out []langCase
	for _, c := range all {
		if !c.HasSuite(grader.SuiteHTTP) {
			continue
		}
		offered := c.OfferedLanguages()
		for _, l := range grader.Languages {
			if slices.Contains(offered, l) {
				out = append(out, langCase{c: c, lang: l})
			}
		}
	}
	return out
}

// benchLanguage grades lc's reference with the engine runs times, and does
// the same on the host; it reports the grading and the build step, each
// against its host baseline. A host without the packages the reference
// imports gets the engine's times and a note naming what to install.
func benchLanguage(ctx context.Context, eng *grader.Engine, lc langCase, runs int) ([]row, error) {
	sub, err := referenceOf(lc)
	if err != nil {
		return nil, err
	}
	missing, err := hostMissing(ctx, lc.lang, sub.Files)
	if err != nil {
		return nil, err
	}
	missing = append(missing, hostFixturesMissing(lc.c)...)
	host := func() (hostTimes, error) { return hostHTTP(ctx, lc.c, lc.lang, sub) }
	if len(missing) > 0 {
		host = nil
	} else if _, err := host(); err != nil { // warm the host's caches
		return nil, fmt.Errorf("host baseline: %w", err)
	}
	var grade, build, hostTotal, hostBuildTimes []time.Duration
	for i := 0; i < runs; i++ {
		start := time.Now()
		res, err := eng.Grade(ctx, lc.c, sub, nil)
		if err != nil {
			return nil, err
		}
		if !res.Passed() {
			return nil, fmt.Errorf("the %s reference scored %d/%d", lc.lang, res.Score, res.MaxScore)
		}
		grade = append(grade, time.Since(start))
		build = append(build, buildTime(res))
		if host == nil {
			continue
		}
		t, err := host()
		if err != nil {
			return nil, fmt.Errorf("host baseline: %w", err)
		}
		hostTotal = append(hostTotal, t.total)
		hostBuildTimes = append(hostBuildTimes, t.build)
	}
	if host == nil {
		return skippedRows(lc, median(grade), median(build), missing), nil
	}
	return languageRows(lc, median(grade), median(build), median(hostTotal), median(hostBuildTimes)), nil
}

// languageTarget is the most grading an http reference through the engine
// may take, as a multiple of its host baseline (as for the Go rows of the
// grade section).
const languageTarget = 1.5

// languageRows are the two rows of a measured case.
func languageRows(lc langCase, grade, build, hostGrade, hostBuildTime time.Duration) []row {
	ratio := ratioOf(grade, hostGrade)
	return []row{
		{measure: fmt.Sprintf("grade %s reference (%s)", lc.c.ID, lc.lang), value: secs(grade),
			baseline: secs(hostGrade) + " (" + hostBuildName(lc.lang) + ", start, requests on the host)",
			ratio:    ratio, target: fmt.Sprintf("<= %.1fx", languageTarget), met: ratio <= languageTarget, note: missedBy(ratio, languageTarget)},
		{measure: fmt.Sprintf("build step %s (%s)", lc.c.ID, lc.lang), value: secs(build),
			baseline: secs(hostBuildTime) + " (" + hostBuildName(lc.lang) + " on the host)",
			ratio:    ratioOf(build, hostBuildTime), target: "-", met: true, note: buildStepNote(lc.lang)},
	}
}

// skippedRows are the rows of a case whose host baseline cannot run: the
// engine's times, and what to install.
func skippedRows(lc langCase, grade, build time.Duration, missing []string) []row {
	return []row{
		{measure: fmt.Sprintf("grade %s reference (%s)", lc.c.ID, lc.lang), value: secs(grade), baseline: "-",
			target: fmt.Sprintf("<= %.1fx", languageTarget), skipped: true, note: missingNote(missing)},
		{measure: fmt.Sprintf("build step %s (%s)", lc.c.ID, lc.lang), value: secs(build), baseline: "-",
			target: "-", skipped: true, note: buildStepNote(lc.lang)},
	}
}

// missingNote says that a host baseline was skipped for the Debian
// packages missing, and how to install them.
func missingNote(missing []string) string {
	return fmt.Sprintf("host baseline skipped: the host lacks %s; install with: apt-get install -y %s (make bench does, as root)",
		strings.Join(missing, ", "), strings.Join(missing, " "))
}

// hostBuildName says what the host baseline does for a build step.
func hostBuildName(l grader.Language) string {
	switch l {
	case grader.LanguagePython:
		return "py_compile"
	case grader.LanguageJavaScript:
		return "node --check"
	}
	return "go build"
}

// buildStepNote says what the engine's build step is in l.
func buildStepNote(l grader.Language) string {
	if l.Interpreted() {
		return "the build check: syntax and imports in a box, no learner code run"
	}
	return "go build in a box, warm cache"
}

// referenceOf reads lc's reference solution.
func referenceOf(lc langCase) (grader.Submission, error) {
	samples, err := challenges.SamplesOf(lc.c)
	if err != nil {
		return grader.Submission{}, err
	}
	for _, s := range samples {
		if s.Language == lc.lang && s.Kind == challenges.SampleSolution {
			return grader.ReadDirIn("bench", lc.lang, s.Dir, grader.SubmissionLimits{})
		}
	}
	return grader.Submission{}, fmt.Errorf("%s has no %s reference solution", lc.c.ID, lc.lang)
}

// buildTime is how long the result's build phases took: the learner-visible
// build step (go build, or the build check of an interpreted language).
func buildTime(res grader.Result) time.Duration {
	var ms int64
	for _, t := range res.Timings {
		if strings.HasPrefix(t.Phase, "build:") {
			ms += t.DurationMS
		}
	}
	return time.Duration(ms) * time.Millisecond
}

// hostBuild is the host's build step for the service in dir: go build for
// Go, byte-compiling every .py for Python, node --check of every script
// for JavaScript. The interpreted ones also check that the sources parse,
// as the engine's build check does first.
func hostBuild(ctx context.Context, c *grader.Challenge, lang grader.Language, dir string, sub grader.Submission) error {
	var sources []string
	for _, f := range sub.Files {
		if lang.SourceFile(f.Name) {
			sources = append(sources, filepath.Join(dir, filepath.FromSlash(f.Name)))
		}
	}
	switch lang {
	case grader.LanguagePython:
		return runQuiet(ctx, dir, nil, hostPython, append([]string{"-m", "py_compile"}, sources...)...)
	case grader.LanguageJavaScript:
		for _, s := range sources {
			if err := runQuiet(ctx, dir, nil, "node", "--check", s); err != nil {
				return err
			}
		}
		return nil
	}
	args := append(append([]string{"build"}, grader.GoServiceBuildFlags...), "-o", "service", "./"+c.Service.Main)
	return goCmd(ctx, dir, []string{"CGO_ENABLED=0"}, args...)
}

// hostEnv is what the service's environment needs on the host in l, as
// the language's image sets it.
func hostEnv(l grader.Language) []string {
	switch l {
	case grader.LanguagePython:
		return []string{"PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1"}
	case grader.LanguageJavaScript:
		return []string{"NODE_PATH=" + hostNodePath}
	}
	return nil
}

// hostStart is the command that starts the service in dir on port.
func hostStart(c *grader.Challenge, lang grader.Language, dir string, port int) ([]string, error) {
	if !lang.Interpreted() {
		return []string{filepath.Join(dir, "service")}, nil
	}
	o, ok := c.Offering(lang)
	if !ok {
		return nil, fmt.Errorf("%s is not offered in %s", c.ID, lang)
	}
	start := o.Start
	if len(start) == 0 {
		start = lang.DefaultStart()
	}
	if slices.Equal(start, grader.NPMStart) {
		return nil, errors.New("a service started with npm start is not measured on the host; give the challenge a node start command")
	}
	return hostArgv(start, port), nil
}

// hostArgv is start with $PORT replaced, and Python run by hostPython:
// "python3 app.py" and "uvicorn app:app" as the image would run them.
func hostArgv(start []string, port int) []string {
	p := strconv.Itoa(port)
	out := make([]string, 0, len(start)+2)
	for _, a := range start {
		out = append(out, strings.ReplaceAll(strings.ReplaceAll(a, "${PORT}", p), "$PORT", p))
	}
	switch out[0] {
	case "python3", "python":
		out[0] = hostPython
	case "uvicorn":
		out = append([]string{hostPython, "-m"}, out...)
	}
	return out
}

// testerFailures reads the tester's events and names the tests that did
// not pass, or the service that never got ready.
func testerFailures(events []byte) error {
	var failed []string
	sc := bufio.NewScanner(bytes.NewReader(events))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev grader.TesterEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("read the tester's events: %w", err)
		}
		switch {
		case ev.Event == grader.TesterNotReady:
			return fmt.Errorf("the service never got ready on the host: %s", ev.Message)
		case ev.Event == grader.TesterTest && ev.Status != grader.TestPassed:
			failed = append(failed, ev.Name)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the tester's events: %w", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("on the host, %d tests did not pass: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}

var (
	pyImport     = regexp.MustCompile(`^\s*import\s+(.+)$`)
	pyFromImport = regexp.MustCompile(`^\s*from\s+([A-Za-z_][\w.]*)\s+import\b`)
	jsRequire    = regexp.MustCompile(`\brequire\(\s*['"]([^'"]+)['"]\s*\)`)
	jsImport     = regexp.MustCompile(`^\s*import\b[^'"]*['"]([^'"]+)['"]`)
)

// hostImports lists the top-level modules the submission's sources import
// that it does not hold itself: what the host must provide. Relative
// imports, node: built-ins and the submission's own modules are left out.
// It reads the sources as text, as a first look: what it misses shows as
// a service that fails on the host.
func hostImports(lang grader.Language, files []grader.File) []string {
	own := map[string]bool{}
	for _, f := range files {
		top, _, _ := strings.Cut(f.Name, "/")
		own[strings.TrimSuffix(top, path.Ext(top))] = true
	}
	seen := map[string]bool{}
	var out []string
	add := func(m string) {
		if m != "" && !own[m] && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	for _, f := range files {
		if !lang.SourceFile(f.Name) {
			continue
		}
		for _, line := range strings.Split(string(f.Data), "\n") {
			switch lang {
			case grader.LanguagePython:
				if m := pyFromImport.FindStringSubmatch(line); m != nil {
					top, _, _ := strings.Cut(m[1], ".")
					add(top)
				} else if m := pyImport.FindStringSubmatch(line); m != nil {
					for _, part := range strings.Split(m[1], ",") {
						name, _, _ := strings.Cut(strings.TrimSpace(part), " ")
						top, _, _ := strings.Cut(name, ".")
						add(top)
					}
				}
			case grader.LanguageJavaScript:
				specs := jsRequire.FindAllStringSubmatch(line, -1)
				if m := jsImport.FindStringSubmatch(line); m != nil {
					specs = append(specs, m)
				}
				for _, m := range specs {
					add(nodePackage(m[1]))
				}
			}
		}
	}
	return out
}

// nodePackage is the package a require or import specifier names, or ""
// for a relative path or a node: built-in.
func nodePackage(spec string) string {
	if spec == "" || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "node:") {
		return ""
	}
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") && len(parts) > 1 {
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

// debianPackages names the Debian packages of the modules the language
// images offer, where the name is not the usual python3-<module> or
// node-<package>.
var debianPackages = map[grader.Language]map[string]string{
	grader.LanguagePython:     {"yaml": "python3-yaml", "psycopg2": "python3-psycopg2"},
	grader.LanguageJavaScript: {"@redis/client": "node-redis"},
}

// debianPackage is the Debian package that installs module m for l on the
// host.
func debianPackage(l grader.Language, m string) string {
	if p, ok := debianPackages[l][m]; ok {
		return p
	}
	if l == grader.LanguagePython {
		return "python3-" + strings.ReplaceAll(strings.ToLower(m), "_", "-")
	}
	return "node-" + strings.ReplaceAll(strings.TrimPrefix(m, "@"), "/", "-")
}

// hostMissing lists the Debian packages the host lacks to run a service in
// lang importing what files import: the interpreter, then the modules.
// Looking a module up runs none of it.
func hostMissing(ctx context.Context, lang grader.Language, files []grader.File) ([]string, error) {
	var probe *exec.Cmd
	modules := hostImports(lang, files)
	switch lang {
	case grader.LanguagePython:
		if _, err := os.Stat(hostPython); err != nil {
			return []string{"python3"}, nil
		}
		probe = exec.CommandContext(ctx, hostPython, append([]string{"-I", "-c",
			"import importlib.util, sys\nfor m in sys.argv[1:]:\n    if importlib.util.find_spec(m) is None: print(m)"}, modules...)...)
	case grader.LanguageJavaScript:
		if _, err := exec.LookPath("node"); err != nil {
			return []string{"nodejs"}, nil
		}
		probe = exec.CommandContext(ctx, "node", append([]string{"-e",
			"for (const m of process.argv.slice(1)) { try { require.resolve(m) } catch { console.log(m) } }"}, modules...)...)
		probe.Env = append(os.Environ(), "NODE_PATH="+hostNodePath)
	default:
		if _, err := exec.LookPath("go"); err != nil {
			return []string{"golang"}, nil
		}
		return nil, nil
	}
	if len(modules) == 0 {
		return nil, nil
	}
	probe.Dir = os.TempDir()
	out, err := probe.Output()
	if err != nil {
		return nil, fmt.Errorf("look up %s on the host: %w", strings.Join(modules, ", "), err)
	}
	var missing []string
	for _, m := range strings.Fields(string(out)) {
		if p := debianPackage(lang, m); !slices.Contains(missing, p) {
			missing = append(missing, p)
		}
	}
	return missing, nil
}

// runQuiet runs a program in dir, returning its output with its error.
func runQuiet(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
