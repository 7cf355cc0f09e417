package grader

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/internal/golden"
)

func pythonChallenge() *Challenge {
	ch := httpChallenge()
	ch.Fixtures = nil
	ch.Languages = []Offering{
		{Language: LanguageGo, Image: ImageGo},
		{Language: LanguagePython, Image: ImagePython, Start: []string{"uvicorn", "app:app", "--port", "$PORT"}},
		{Language: LanguageJavaScript, Image: ImageNode},
	}
	return ch
}

func pythonSubmission() Submission {
	return Submission{ID: "py1", Language: LanguagePython, Files: []File{{Name: "app.py", Mode: 0o600, Data: []byte("print('hi')\n")}}}
}

func TestGradeInterpretedHTTPSuite(t *testing.T) {
	for _, tc := range []struct {
		lang      Language
		image     string
		checkCmd  []string
		startCmd  []string
		serviceEn string
	}{
		{LanguagePython, ImagePython, []string{"python3", "-I", "-B", "/work/.grader-check/check.py", "/work"}, []string{"uvicorn", "app:app", "--port", "8080"}, "PYTHONUNBUFFERED=1"},
		{LanguageJavaScript, ImageNode, []string{"node", "/work/.grader-check/check.js", "/work"}, []string{"node", "server.js"}, "PORT=8080"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			sb := &fakeSandbox{}
			sb.RunFn = func(spec BoxSpec) Exit {
				if spec.Role == "tester" {
					writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
					sb.await("service")
					writeLines(spec.Stdout, `{"event":"test","name":"create","status":"passed"}`)
				}
				return Exit{}
			}
			sub := pythonSubmission()
			sub.Language = tc.lang
			res, err := testEngine(sb).Grade(context.Background(), pythonChallenge(), sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"build", "net", "tester", "service"}, sb.roles()); diff != "" {
				t.Errorf("boxes (-want +got):\n%s", diff)
			}
			build := sb.spec("build")
			if build.Image != tc.image || build.WritableRoot || build.Network != "" {
				t.Errorf("build box: image %s, writable root %v, network %q", build.Image, build.WritableRoot, build.Network)
			}
			if diff := cmp.Diff(tc.checkCmd, build.Cmd); diff != "" {
				t.Errorf("build command (-want +got):\n%s", diff)
			}
			svc := sb.spec("service")
			if svc.Image != tc.image || svc.WorkDir != "/work" || !contains(svc.Env, tc.serviceEn) {
				t.Errorf("service box: image %s, workdir %s, env %v", svc.Image, svc.WorkDir, svc.Env)
			}
			if diff := cmp.Diff(tc.startCmd, svc.Cmd); diff != "" {
				t.Errorf("start command (-want +got):\n%s", diff)
			}
			// The service box holds the learner's sources, readable by the
			// sandbox user, and not the checker.
			if len(svc.Files) != 1 || svc.Files[0].Name != "app.py" || svc.Files[0].Mode != 0o644 || svc.Files[0].Writable {
				t.Errorf("service files %+v", svc.Files)
			}
			if res.Score != 2 {
				t.Errorf("score %d, want 2", res.Score)
			}
		})
	}
}

func TestGradeInterpretedBuildVerdicts(t *testing.T) {
	tests := []struct {
		name    string
		build   Exit
		want    Status
		wantMsg string
	}{
		{"syntax error", Exit{Code: 10, Stdout: Output{Text: "app.py:3: syntax error: invalid syntax: def f(:\n"}}, StatusBuildFailed, "app.py:3: syntax error"},
		{"missing package", Exit{Code: 10, Stdout: Output{Text: "app.py:1: imports numpy, which the image does not offer; offered: flask\nlib.py:2: imports pandas, which the image does not offer; offered: flask\n"}}, StatusBuildFailed, "app.py:1: imports numpy, which the image does not offer; offered: flask (and 1 more problem; see the build output)"},
		{"checker crashed", Exit{Code: 1, Stdout: Output{Text: "partial report\n"}, Stderr: Output{Text: "RecursionError"}}, StatusBuildFailed, "could not be checked"},
		{"timeout", Exit{Code: 137, TimedOut: true}, StatusTimedOut, "build check took longer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := &fakeSandbox{RunFn: func(spec BoxSpec) Exit {
				if spec.Role == "build" {
					return tc.build
				}
				t.Errorf("box %s started after a failed build", spec.Role)
				return Exit{}
			}}
			res, err := testEngine(sb).Grade(context.Background(), pythonChallenge(), pythonSubmission(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want || !strings.Contains(res.Message, tc.wantMsg) {
				t.Errorf("status %s %q, want %s containing %q", res.Status, res.Message, tc.want, tc.wantMsg)
			}
			for _, tr := range res.Tests {
				if tr.Status != TestNotRun {
					t.Errorf("test %s: %s, want not_run", tr.Name, tr.Status)
				}
			}
		})
	}
}

func TestGradeCheckerOutOfMemoryIsAFault(t *testing.T) {
	sb := &fakeSandbox{RunFn: func(spec BoxSpec) Exit { return Exit{Code: 137, OOMKilled: true} }}
	if _, err := testEngine(sb).Grade(context.Background(), pythonChallenge(), pythonSubmission(), nil); err == nil {
		t.Fatal("a checker out of memory was charged to the learner")
	}
}

func TestGradeRefusesLanguageNotOffered(t *testing.T) {
	sb := &fakeSandbox{}
	_, err := testEngine(sb).Grade(context.Background(), httpChallenge(), pythonSubmission(), nil)
	if !IsRejected(err) || !strings.Contains(err.Error(), "offered: go") {
		t.Fatalf("err = %v, want a rejection naming the offered languages", err)
	}
	if len(sb.roles()) != 0 {
		t.Errorf("started boxes %v", sb.roles())
	}
}

func TestNewSubmissionIn(t *testing.T) {
	file := func(name string) File { return File{Name: name, Mode: 0o644, Data: []byte("x")} }
	tests := []struct {
		lang    Language
		files   []File
		wantErr string
	}{
		{LanguagePython, []File{file("app.py")}, ""},
		{LanguagePython, []File{file("proj/app.py"), file("proj/lib/x.py")}, ""},
		{LanguagePython, []File{file("requirements.txt"), file("src/app.py")}, ""},
		{LanguagePython, []File{file("go.mod"), file("main.go")}, "no Python file"},
		{LanguageJavaScript, []File{file("server.js")}, ""},
		{LanguageJavaScript, []File{file("package.json"), file("src/index.mjs")}, ""},
		{LanguageJavaScript, []File{file("app.py")}, "no package.json or JavaScript file"},
		{LanguageGo, []File{file("app.py")}, "no go.mod"},
		{"cobol", []File{file("x.cob")}, "unknown language"},
	}
	for _, tc := range tests {
		sub, err := NewSubmissionIn("s", tc.lang, tc.files, SubmissionLimits{})
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s %v: %v", tc.lang, tc.files[0].Name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s %v: err = %v, want %q", tc.lang, tc.files[0].Name, err, tc.wantErr)
		case err == nil && (sub.Language != tc.lang || strings.HasPrefix(sub.Files[0].Name, "proj/")):
			t.Errorf("%s: got %+v", tc.lang, sub)
		}
	}
}

func TestOffering(t *testing.T) {
	legacy := &Challenge{ID: "x", Image: "custom/go:1"}
	if o, ok := legacy.Offering(""); !ok || o.Image != "custom/go:1" || o.Language != LanguageGo {
		t.Errorf("legacy go offering %+v %v", o, ok)
	}
	if _, ok := legacy.Offering(LanguagePython); ok {
		t.Error("a challenge listing no languages is offered in python")
	}
	o, ok := pythonChallenge().Offering(LanguagePython)
	if !ok || o.Image != ImagePython {
		t.Errorf("python offering %+v %v", o, ok)
	}
	if got := o.startArgs("9000"); !cmp.Equal(got, []string{"uvicorn", "app:app", "--port", "9000"}) {
		t.Errorf("startArgs = %v", got)
	}
}

// TestInterpretedBuildFailedResult keeps the result documents of a Python
// build that failed: the checker's report is the build output in both
// views, and its first problem is the message.
func TestInterpretedBuildFailedResult(t *testing.T) {
	report := "app.py:2: imports numpy, which the image does not offer; offered: fastapi, flask and the standard library\nlib/db.py:7: syntax error: invalid syntax: def f(:\n"
	sb := &fakeSandbox{RunFn: func(spec BoxSpec) Exit { return Exit{Code: checkProblems, Stdout: Output{Text: report}} }}
	res, err := testEngine(sb).Grade(context.Background(), pythonChallenge(), pythonSubmission(), nil)
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "testdata/python_build_failed_instructor.json", res)
	golden.JSON(t, "testdata/python_build_failed_learner.json", res.As(ViewLearner))
}
