package grader

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// checkerDir is where an interpreted language's build step finds its
// checker program; learner files cannot use the name.
const checkerDir = ".grader-check"

// runInterpretedHTTPSuite checks the learner's sources in a build box
// (syntax and imports, running none of them), then starts them as the
// offering says, beside the tester, as a Go service is.
func (j *job) runInterpretedHTTPSuite(ctx context.Context, s Suite) (suiteOutcome, error) {
	var out suiteOutcome
	var app serviceApp
	ok, err := j.checkPhase(ctx, s, &out, func() string {
		if problem := shadowProblem(j.lang, j.sub.Files); problem != "" {
			return problem
		}
		var problem string
		app, problem = j.interpretedApp()
		return problem
	})
	if err != nil || !ok {
		return out, err
	}
	return out, j.runPhase(ctx, s, &out, app)
}

// checkerSpec is the build box of an interpreted language: the learner's
// files and the checker, a read-only root, no network. The checker reads
// the sources as text: no learner code runs in it.
func (j *job) checkerSpec() BoxSpec {
	spec := j.boxSpec("build")
	spec.WorkDir = workDir
	spec.FilesDir = workDir
	spec.Env = []string{"HOME=/tmp", "TMPDIR=/tmp"}
	spec.Timeout = j.limits.BuildTimeout
	spec.Files = j.learnerFiles()
	switch j.lang {
	case LanguagePython:
		spec.Files = append(spec.Files, File{Name: checkerDir + "/check.py", Mode: 0o444, Data: checkPython})
		// -I: no learner folder on sys.path, no PYTHON* variables; -B:
		// nothing written next to the sources.
		spec.Cmd = []string{"python3", "-I", "-B", workDir + "/" + checkerDir + "/check.py", workDir}
	case LanguageJavaScript:
		spec.Files = append(spec.Files, File{Name: checkerDir + "/check.js", Mode: 0o444, Data: checkJavaScript})
		spec.Cmd = []string{"node", workDir + "/" + checkerDir + "/check.js", workDir}
	}
	return spec
}

// check runs the build step of an interpreted language. A learner's
// failure comes back as a verdict and message; err is a service fault.
func (j *job) check(ctx context.Context) (verdict Status, msg string, build Output, err error) {
	spec := j.checkerSpec()
	box, err := j.startBox(ctx, spec)
	if err != nil {
		return "", "", Output{}, fmt.Errorf("start build: %w", err)
	}
	defer j.closeLater(box)
	exit, err := box.Wait(ctx)
	if err != nil {
		return "", "", Output{}, fmt.Errorf("wait for build: %w", err)
	}
	build = Output{Text: exit.Stdout.Text + exit.Stderr.Text, Truncated: exit.Stdout.Truncated || exit.Stderr.Truncated}
	switch {
	case exit.TimedOut:
		return StatusTimedOut, fmt.Sprintf("the build check took longer than %s", spec.Timeout), build, nil
	case exit.OOMKilled:
		// The checker runs no learner code: it outgrew the memory the
		// challenge gives, a matter of sizing, not a verdict.
		return "", "", build, fmt.Errorf("the build check ran out of memory (limit %d MiB)", spec.MemoryBytes>>20)
	case exit.OutputExceeded:
		return StatusBuildFailed, "the build check printed more than the output limit", build, nil
	case exit.Code == checkProblems:
		return StatusBuildFailed, checkMessage(exit.Stdout.Text), build, nil
	case exit.Code != 0:
		// The checker itself failed on these files (for example a
		// nesting too deep for the parser): the learner's to simplify,
		// and not worth a retry.
		return StatusBuildFailed, "the code could not be checked; see the build output", build, nil
	}
	return "", "", build, nil
}

// checkMessage is the verdict's message from the checker's report: its
// first problem, and how many more there are.
func checkMessage(report string) string {
	var lines []string
	for _, l := range strings.Split(report, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "the code does not pass the build check; see the build output"
	}
	msg := trimText(lines[0], 1024)
	if len(lines) > 1 {
		msg += fmt.Sprintf(" (and %d more %s; see the build output)", len(lines)-1, plural(strconv.Itoa(len(lines)-1), "problem"))
	}
	return msg
}

// learnerFiles are the submission's files as a box holding sources gets
// them: owned by root and readable by the sandbox user, whatever modes
// they were uploaded with.
func (j *job) learnerFiles() []File {
	files := make([]File, 0, len(j.sub.Files))
	for _, f := range j.sub.Files {
		f.Writable = false
		f.Mode |= 0o444
		files = append(files, f)
	}
	return files
}

// interpretedApp is the service box of an interpreted language: the
// learner's sources, started as the offering says. A start command the
// submission itself must complete (npm start) and cannot is a problem
// for the learner, returned as a message.
func (j *job) interpretedApp() (serviceApp, string) {
	start := j.offer
	if len(start.Start) == 0 {
		start.Start = j.lang.DefaultStart()
	}
	if slices.Equal(start.Start, NPMStart) {
		cmd, problem := npmStartCmd(j.sub.Files)
		if problem != "" {
			return serviceApp{}, problem
		}
		start.Start = cmd
	}
	app := serviceApp{files: j.learnerFiles(), cmd: start.startArgs(strconv.Itoa(servicePort(j.ch.Service)))}
	if j.lang == LanguagePython {
		// Output reaches the service log as it is printed, and nothing is
		// written next to the sources.
		app.env = []string{"PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1"}
	}
	return app, ""
}

// servicePort is the port the learner's service listens on.
func servicePort(svc *Service) int {
	if svc == nil || svc.Port == 0 {
		return 8080
	}
	return svc.Port
}
