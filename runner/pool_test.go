package runner

import (
	"bytes"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/gradebox/grader/grader"
)

// TestHandOverScriptKeepsArgumentsAndEnvironment runs the script a warm
// box's shell gets through the host's /bin/sh: every argument and value
// arrives byte for byte, however it is quoted, and the command reads
// nothing of the shell's input.
func TestHandOverScriptKeepsArgumentsAndEnvironment(t *testing.T) {
	args := []string{"it's", `"double" $HOME \n`, "two\nlines", "", "`date`", "*", "--"}
	spec := grader.BoxSpec{
		Cmd: append([]string{"sh", "-c", `for a in "$@"; do printf '[%s]' "$a"; done; printf '\n%s|%s|' "$V1" "$V2"; cat`, "prog"}, args...),
		Env: []string{"V1=a 'b' $c", "V2=x\ny"},
	}
	sh := exec.Command("/bin/sh", "-s")
	// What follows the script on standard input must not reach the command.
	sh.Stdin = bytes.NewReader(append(handOverScript(spec), "not for the job\n"...))
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var want strings.Builder
	for _, a := range args {
		want.WriteString("[" + a + "]")
	}
	want.WriteString("\na 'b' $c|x\ny|")
	if string(out) != want.String() {
		t.Errorf("got\n%q\nwant\n%q", out, want.String())
	}
}

// TestHandOverScriptLeavesNoPWD: the waiting shell exports PWD, which a
// cold box's command does not get.
func TestHandOverScriptLeavesNoPWD(t *testing.T) {
	sh := exec.Command("/bin/sh", "-s")
	sh.Dir = t.TempDir()
	sh.Env = []string{"PATH=/usr/bin:/bin"}
	sh.Stdin = bytes.NewReader(handOverScript(grader.BoxSpec{Cmd: []string{"env"}, Env: []string{"A=1"}}))
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, []string{"A=1", "PATH=/usr/bin:/bin"}) && !slices.Equal(got, []string{"PATH=/usr/bin:/bin", "A=1"}) {
		t.Errorf("environment %q, want PATH and A only", out)
	}
}

func TestPoolable(t *testing.T) {
	base := grader.BoxSpec{Image: "i", Cmd: []string{"true"}, Env: []string{"HOME=/tmp", "A_1=x"}}
	if !poolable(base) {
		t.Errorf("a plain box is not poolable")
	}
	for name, change := range map[string]func(*grader.BoxSpec){
		"joins a namespace": func(s *grader.BoxSpec) { s.Network = "c1" },
		"no command":        func(s *grader.BoxSpec) { s.Cmd = nil },
		"odd variable name": func(s *grader.BoxSpec) { s.Env = []string{"A.B=1"} },
		"no equals sign":    func(s *grader.BoxSpec) { s.Env = []string{"A"} },
	} {
		s := base
		change(&s)
		if poolable(s) {
			t.Errorf("%s: poolable", name)
		}
	}
}

// TestShapeIgnoresTheJob: what differs between two jobs of one shape
// (command, environment, file contents, timeout) does not change it;
// every create-time setting does.
func TestShapeIgnoresTheJob(t *testing.T) {
	a := withDefaults(grader.BoxSpec{Job: "j1", Role: "build", Image: "i", Cmd: []string{"a"}, Env: []string{"A=1"}, Files: []grader.File{{Name: "x"}}})
	b := withDefaults(grader.BoxSpec{Job: "j2", Role: "run", Image: "i", Cmd: []string{"b"}, Files: []grader.File{{Name: "y"}}, Timeout: 5})
	if shapeOf(a) != shapeOf(b) {
		t.Errorf("shapes differ: %+v %+v", shapeOf(a), shapeOf(b))
	}
	for name, change := range map[string]func(*grader.BoxSpec){
		"image":    func(s *grader.BoxSpec) { s.Image = "j" },
		"user":     func(s *grader.BoxSpec) { s.User = "0:0" },
		"memory":   func(s *grader.BoxSpec) { s.MemoryBytes++ },
		"cpus":     func(s *grader.BoxSpec) { s.NanoCPUs++ },
		"pids":     func(s *grader.BoxSpec) { s.Pids++ },
		"tmpfs":    func(s *grader.BoxSpec) { s.TmpfsBytes++ },
		"root":     func(s *grader.BoxSpec) { s.WritableRoot = true },
		"no files": func(s *grader.BoxSpec) { s.Files = nil },
		"workdir":  func(s *grader.BoxSpec) { s.WorkDir = "/elsewhere" },
		"hosts":    func(s *grader.BoxSpec) { s.Hosts = []string{"db:127.0.0.1"} },
		"mounts":   func(s *grader.BoxSpec) { s.ReadOnly = []grader.VolumeMount{{Volume: "v", Target: "/t"}} },
	} {
		s := a
		change(&s)
		if shapeOf(s) == shapeOf(a) {
			t.Errorf("%s: same shape", name)
		}
	}
}

// TestPrestartShapeHoldsTheCommand: a Prestart box runs its own command
// ahead of need, so the command and environment are part of its shape,
// and one with files is never pooled.
func TestPrestartShapeHoldsTheCommand(t *testing.T) {
	a := withDefaults(grader.BoxSpec{Image: "tools", Cmd: []string{"sandbox", "hold"}, Prestart: true})
	b := a
	b.Cmd = []string{"sandbox", "other"}
	c := a
	c.Env = []string{"A=1"}
	if shapeOf(a) == shapeOf(b) || shapeOf(a) == shapeOf(c) {
		t.Errorf("Prestart boxes of other commands or environments share a shape")
	}
	if !poolable(a) {
		t.Errorf("a holder is not poolable")
	}
	a.Files = []grader.File{{Name: "x"}}
	if poolable(a) {
		t.Errorf("a Prestart box with files is poolable")
	}
}

// TestTemplateHoldsNoLearnerData: what the pool keeps of a spec has no
// files, output writer, command or environment of the job, and the same
// shape.
func TestTemplateHoldsNoLearnerData(t *testing.T) {
	spec := withDefaults(grader.BoxSpec{Job: "j", Role: "build", Image: "i", Cmd: []string{"go", "build"}, Env: []string{"SECRET=x"},
		Files: []grader.File{{Name: "main.go", Data: []byte("package main // the learner's code")}}, Stdout: &bytes.Buffer{}, Timeout: 5})
	tm := template(spec)
	if tm.Stdout != nil || tm.Timeout != 0 || tm.Cmd != nil || tm.Env != nil || tm.Job == "j" {
		t.Errorf("template keeps the job's settings: %+v", tm)
	}
	for _, f := range tm.Files {
		if len(f.Data) > 0 || f.Name == "main.go" {
			t.Errorf("template keeps a learner file: %+v", f)
		}
	}
	if shapeOf(tm) != shapeOf(spec) {
		t.Errorf("template changes the shape: %+v vs %+v", shapeOf(tm), shapeOf(spec))
	}
}

// TestPoolGivesUpOnAnImageOnlyAfterFailuresInARow: a warm box that fails
// to start is tried again when its shape is next asked for; an image
// whose boxes fail maxWarmFailures times in a row is no longer pooled.
func TestPoolGivesUpOnAnImageOnlyAfterFailuresInARow(t *testing.T) {
	api := newFakeAPI(func(fakeProc) (int, bool) { return 0, false })
	d := newDocker(api, false, Config{Worker: "w", Pool: PoolConfig{Size: 2}})
	defer d.Close()
	ctx := t.Context()
	spec := withDefaults(grader.BoxSpec{Image: "img", Cmd: []string{"true"}})
	k := shapeOf(spec)
	makeOne := func(err error) {
		api.startErr = err
		d.pool.mu.Lock()
		d.pool.filling[k]++
		d.pool.mu.Unlock()
		d.pool.make(k, template(spec))
	}
	broken := errors.New(`exec: "/bin/sh": stat /bin/sh: no such file or directory`)
	for range maxWarmFailures - 1 {
		makeOne(broken)
	}
	makeOne(nil) // a success ends the run of failures
	for range maxWarmFailures - 1 {
		makeOne(broken)
	}
	if !d.pool.imagePoolable(ctx, "img") {
		t.Fatalf("the image was refused without %d failures in a row", maxWarmFailures)
	}
	makeOne(broken)
	if d.pool.imagePoolable(ctx, "img") {
		t.Errorf("the image is still pooled after %d failures in a row", maxWarmFailures)
	}
}
