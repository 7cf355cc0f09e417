package grader

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Paths inside boxes.
const (
	workDir      = "/work"
	outDir       = ".grader-out"
	test2jsonBin = "/usr/local/go/pkg/tool/linux_amd64/test2json"
	// maxArtifactBytes bounds a compiled test binary or service.
	maxArtifactBytes = 512 << 20
	// minBuildMemory is the least memory a build box gets: the Go
	// compiler needs it for real dependencies such as gin.
	minBuildMemory = 1 << 30
	// minBuildNanoCPUs lets the compiler use two cores: it runs the
	// grader's toolchain, not learner code.
	minBuildNanoCPUs = 2_000_000_000
	// killGrace is how long past its own limit a run box may live: test
	// binaries report their own -test.timeout first, naming the test.
	killGrace = 10 * time.Second
)

// OfflineModules lists, for messages, the modules learner code may use
// offline; the go image's module cache holds them.
var OfflineModules = []string{"github.com/gin-gonic/gin v1.12.0", "github.com/redis/go-redis/v9 v9.23.0"}

// missingModule reports whether a failed build's output shows that it
// needed a module the box does not have. Go names GOPROXY=off when it
// looks for a module to provide an import; for a module go.mod requires,
// it tries to download it first and fails on the read-only module cache,
// so "go: downloading" is the sign (modules in the cache are not
// downloaded).
func missingModule(buildText string) bool {
	return strings.Contains(buildText, "GOPROXY=off") || strings.Contains(buildText, "go: downloading ")
}

// runGoSuite compiles the learner's package with the hidden test files in
// one box, then runs the test binary, without any sources, in another.
//
// The hidden tests are renamed with a per-job nonce before compiling, so
// results that learner code prints cannot match them; the test binary
// runs with -test.paniconexit0, so a learner's os.Exit(0) fails the test
// instead of ending the run quietly. Tests that never report are failed.
func (j *job) runGoSuite(ctx context.Context, s Suite) (suiteOutcome, error) {
	var out suiteOutcome
	nonce := "g" + j.e.cfg.Random()[:15]
	if msg := forbiddenInTestedPackage(j.sub.Files, goPackage(s)); msg != "" {
		out.verdict, out.message = StatusBuildFailed, msg
		out.build = Output{Text: msg + "\n"}
		out.tests = notRun(s, "not run: "+msg)
		return out, nil
	}
	files, hidden, err := j.goSuiteFiles(s, nonce)
	if err != nil {
		return out, err
	}

	spec := j.buildSpec()
	spec.Files = files
	spec.Cmd = []string{"go", "test", "-c", "-vet=off", "-o", workDir + "/" + outDir + "/suite.test"}
	if s.Race {
		spec.Cmd = append(spec.Cmd, "-race")
		spec.Env = append(spec.Env, "CGO_ENABLED=1")
	}
	spec.Cmd = append(spec.Cmd, "./"+goPackage(s))
	binary, err := j.buildPhase(ctx, s, &out, spec, "suite.test", nonce)
	if testFilePos.MatchString(out.build.Text) {
		out.build.LearnerText = learnerBuildText(out.build.Text, newGoSources(hidden, j.sub.Files, goPackage(s)))
	}
	if err != nil || binary == nil {
		return out, err
	}

	_, err = j.phase(ctx, "run", s, &out.timings, func() (bool, string, error) {
		tests, verdict, msg, note, err := j.runGoTests(ctx, s, binary, nonce)
		out.tests, out.verdict, out.message, out.note = tests, verdict, msg, note
		return verdict == "", msg, err
	})
	return out, err
}

// buildPhase runs suite s's build box and returns the artifact it wrote,
// or nil when the build failed: out then holds the verdict, the build
// output and the suite's tests, none of them run.
func (j *job) buildPhase(ctx context.Context, s Suite, out *suiteOutcome, spec BoxSpec, artifact, nonce string) ([]byte, error) {
	var binary []byte
	ok, err := j.phase(ctx, "build", s, &out.timings, func() (bool, string, error) {
		bin, verdict, msg, build, err := j.build(ctx, spec, artifact, nonce)
		out.build = build
		if err != nil || verdict != "" {
			out.verdict, out.message = verdict, msg
			return false, msg, err
		}
		binary = bin
		return true, "", nil
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		out.tests = notRun(s, "not run: "+out.message)
	}
	return binary, nil
}

// goPackage is the folder receiving a go suite's hidden files.
func goPackage(s Suite) string {
	if s.Package == "" {
		return "."
	}
	return path.Clean(s.Package)
}

// goSuiteFiles returns the learner's files without their own tests, plus
// the hidden files renamed with nonce, plus the build's output folder;
// and the renamed hidden files by base name, as the compiler sees them.
func (j *job) goSuiteFiles(s Suite, nonce string) ([]File, map[string][]byte, error) {
	names := make(map[string]bool, len(s.Tests))
	for _, t := range s.Tests {
		names[t.Name] = true
	}
	var files []File
	for _, f := range j.sub.Files {
		if strings.HasSuffix(f.Name, "_test.go") {
			continue
		}
		f.Writable = true
		files = append(files, f)
	}
	hidden := make([]string, 0, len(s.Files))
	for name := range s.Files {
		hidden = append(hidden, name)
	}
	sort.Strings(hidden)
	renamed := make(map[string][]byte, len(hidden))
	for _, name := range hidden {
		src, err := renameTests(name, s.Files[name], names, nonce)
		if err != nil {
			return nil, nil, err
		}
		renamed[path.Base(name)] = src
		files = append(files, File{Name: path.Join(goPackage(s), path.Base(name)), Mode: 0o644, Data: src, Writable: true})
	}
	return append(files, buildDirs()...), renamed, nil
}

// buildDirs are the folders a build box must be able to write.
func buildDirs() []File {
	return []File{
		{Name: ".", Mode: modeDir | 0o755, Writable: true},
		{Name: outDir, Mode: modeDir | 0o755, Writable: true},
	}
}

// buildSpec is the box a learner's code is compiled in: no network, the
// image's warm build cache writable by the sandbox user, and no learner
// code running (the Go toolchain executes none at compile time).
func (j *job) buildSpec() BoxSpec {
	spec := j.boxSpec("build")
	spec.WritableRoot = true
	spec.WorkDir = workDir
	spec.FilesDir = workDir
	spec.Env = []string{"HOME=/tmp", "TMPDIR=/tmp"}
	spec.Timeout = j.limits.BuildTimeout
	spec.MemoryBytes = max(spec.MemoryBytes, minBuildMemory)
	spec.NanoCPUs = max(spec.NanoCPUs, minBuildNanoCPUs)
	if j.offer.Image == ImageGo {
		// The toolchain volume copies the default Go image only.
		spec.ReadOnly = append([]VolumeMount(nil), j.e.cfg.GoToolchain...)
	}
	return spec
}

// build runs a build box and reads the artifact it wrote to outDir. A
// learner's failure comes back as a verdict and message; err is a
// service fault.
func (j *job) build(ctx context.Context, spec BoxSpec, artifact, nonce string) (bin []byte, verdict Status, msg string, build Output, err error) {
	box, err := j.startBox(ctx, spec)
	if err != nil {
		return nil, "", "", Output{}, fmt.Errorf("start build: %w", err)
	}
	defer j.closeLater(box)
	exit, err := box.Wait(ctx)
	if err != nil {
		return nil, "", "", Output{}, fmt.Errorf("wait for build: %w", err)
	}
	build = Output{
		Text:      strings.ReplaceAll(exit.Stdout.Text+exit.Stderr.Text, "_"+nonce, ""),
		Truncated: exit.Stdout.Truncated || exit.Stderr.Truncated,
	}
	switch {
	case exit.TimedOut:
		return nil, StatusTimedOut, fmt.Sprintf("the build took longer than %s", spec.Timeout), build, nil
	case exit.OOMKilled:
		// No learner code runs in a build: the toolchain outgrew the
		// memory the service gives builds (at least minBuildMemory). The
		// service's sizing, not a verdict: retried, never charged.
		return nil, "", "", build, fmt.Errorf("the build toolchain ran out of memory (limit %d MiB)", spec.MemoryBytes>>20)
	case exit.OutputExceeded:
		return nil, StatusBuildFailed, "the build printed more than the output limit", build, nil
	case exit.Code != 0:
		msg := "the code does not compile; see the build output"
		if missingModule(build.Text) {
			msg += "; only the standard library and these modules are available: " + strings.Join(OfflineModules, ", ")
		}
		return nil, StatusBuildFailed, msg, build, nil
	}
	bin, err = box.ReadFile(ctx, workDir+"/"+outDir+"/"+artifact, maxArtifactBytes)
	if err != nil {
		return nil, "", "", build, fmt.Errorf("read built %s: %w", artifact, err)
	}
	return bin, "", "", build, nil
}

// runGoTests runs a compiled test binary in a box with a read-only root
// and nothing else of the submission, and maps its results to the
// suite's tests.
func (j *job) runGoTests(ctx context.Context, s Suite, binary []byte, nonce string) (tests []TestResult, verdict Status, msg, note string, err error) {
	specs := make(map[string]TestSpec, len(s.Tests))
	var pattern []string
	for _, t := range s.Tests {
		specs[t.Name] = t
		pattern = append(pattern, regexp.QuoteMeta(t.Name+"_"+nonce))
	}
	var parser *goTestParser
	parser = newGoTestParser(nonce,
		func(name string) {
			if t, ok := specs[name]; ok {
				j.progress.Event(Event{Type: EventTestStarted, Suite: s.Name, Test: &TestResult{Name: name, Suite: s.Name, Visibility: t.Visibility, MaxPoints: t.Points}, At: j.e.cfg.Now()})
			}
		},
		func(name string) {
			if t, ok := specs[name]; ok {
				r := goTestResult(s, t, parser, goRunEnd{})
				j.progress.Event(Event{Type: EventTestFinished, Suite: s.Name, Test: &r, At: j.e.cfg.Now()})
			}
		})

	spec := j.boxSpec("test")
	spec.WorkDir = workDir
	spec.FilesDir = workDir
	spec.Files = []File{{Name: "suite.test", Mode: 0o555, Data: binary}}
	spec.Env = j.learnerEnv()
	spec.Timeout = j.limits.RunTimeout + killGrace
	spec.Stdout = parser
	// test2json exits 1 whenever the program fails, so a shell between
	// them prints the program's own exit status (128+n for signal n) on a
	// line of its own, marked with the nonce.
	spec.Cmd = []string{test2jsonBin, "-t", "-p", s.Name,
		"/bin/sh", "-c", `"$0" "$@"; s=$?; printf '\n` + exitMarker(nonce) + `%d\n' "$s"; exit "$s"`,
		workDir + "/suite.test",
		"-test.v=test2json", "-test.paniconexit0", "-test.count=1",
		"-test.timeout=" + j.limits.RunTimeout.String(),
		"-test.run=^(" + strings.Join(pattern, "|") + ")$"}
	box, err := j.startBox(ctx, spec)
	if err != nil {
		return nil, "", "", "", fmt.Errorf("start tests: %w", err)
	}
	defer j.closeBox(box)
	exit, err := box.Wait(ctx)
	if err != nil {
		return nil, "", "", "", fmt.Errorf("wait for tests: %w", err)
	}

	var missing string
	var end goRunEnd
	switch {
	case exit.OOMKilled:
		verdict, msg = StatusMemoryExceeded, fmt.Sprintf("the tests ran out of memory (limit %d MiB)", j.limits.MemoryBytes>>20)
		missing = "not finished: " + msg
	case exit.OutputExceeded:
		verdict, msg = StatusOutputExceeded, fmt.Sprintf("the tests printed more than %d KiB", j.limits.OutputBytes>>10)
		missing = "not finished: " + msg
	case exit.TimedOut || parser.timedOut:
		verdict, msg = StatusTimedOut, fmt.Sprintf("the tests did not finish within %s", j.limits.RunTimeout)
		missing = "did not finish: " + msg
	default:
		end = crashEnd(parser)
	}
	if end.missing == "" {
		end.missing = missing
	}
	results := make([]TestResult, 0, len(s.Tests))
	for _, t := range s.Tests {
		results = append(results, goTestResult(s, t, parser, end))
	}
	return results, verdict, msg, end.note, nil
}

// forbiddenInTestedPackage returns why the learner's files cannot be
// compiled together with hidden tests, or "". The hidden test files sit in
// the package's folder while it compiles, so anything that lets the
// compiler copy a file of that folder into the program (//go:embed, or C
// and assembly through cgo, e.g. .incbin) could leak them.
func forbiddenInTestedPackage(files []File, pkg string) string {
	for _, f := range files {
		dir := path.Dir(f.Name)
		ext := path.Ext(f.Name)
		switch ext {
		case ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".s", ".S", ".sx", ".syso", ".m", ".f", ".F", ".for", ".f90":
			return fmt.Sprintf("%s: C, assembly and object files are not accepted for this challenge; use Go only", f.Name)
		case ".go":
		default:
			continue
		}
		if strings.HasSuffix(f.Name, "_test.go") {
			continue
		}
		src := string(f.Data)
		if dir == pkg && strings.Contains(src, "//go:embed") {
			return fmt.Sprintf("%s: //go:embed is not accepted in the package under test; keep data in Go code", f.Name)
		}
		if strings.Contains(src, `import "C"`) || strings.Contains(src, "\t\"C\"\n") {
			return fmt.Sprintf("%s: cgo (import \"C\") is not accepted for this challenge; use Go only", f.Name)
		}
	}
	return ""
}
