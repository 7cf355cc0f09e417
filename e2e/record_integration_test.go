//go:build integration

package e2e

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// stepCollector keeps the steps a recording tester reports.
type stepCollector struct {
	mu    sync.Mutex
	steps []grader.StepRecord
}

func (c *stepCollector) Event(grader.Event) {}

func (c *stepCollector) StepRecorded(s grader.StepRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, s)
}

// TestRecordReportsEveryStep grades notes-api's reference with a
// StepRecorder: every request of every http test is reported once, in
// order, with the status the reference answered and no failure.
func TestRecordReportsEveryStep(t *testing.T) {
	c, err := challenges.Find("../challenges", "notes-api")
	if err != nil {
		t.Fatal(err)
	}
	samples, err := challenges.SamplesOf(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := ""
	for _, s := range samples {
		if s.Language == grader.LanguageGo && s.Kind == challenges.SampleSolution {
			dir = s.Dir
		}
	}
	const id = "rec-notes-api"
	sub, err := grader.ReadDirIn(id, grader.LanguageGo, dir, grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	eng := newEngine()
	rec := &stepCollector{}
	res, err := eng.Grade(context.Background(), c, sub, rec)
	if err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, id)
	if !res.Passed() {
		t.Fatalf("reference scored %d/%d (%s: %s)\n%s", res.Score, res.MaxScore, res.Status, res.Message, describe(res))
	}
	var want, got []string
	for _, s := range c.Suites {
		for _, ts := range s.Tests {
			for i, st := range ts.Steps {
				if st.Request != nil {
					want = append(want, ts.Name+" #"+strconv.Itoa(i+1))
				}
			}
		}
	}
	for _, r := range rec.steps {
		got = append(got, r.Test+" #"+strconv.Itoa(r.Step))
		if r.Status == 0 || r.Failure != "" || r.Request == "" {
			t.Errorf("%s step %d: status %d, request %q, failure %q", r.Test, r.Step, r.Status, r.Request, r.Failure)
		}
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("recorded steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestChallengeRecordCommand runs `grader challenge record` on one test of
// notes-api and reads the reference's answer in its output.
func TestChallengeRecordCommand(t *testing.T) {
	bin := os.Getenv("GRADER_BIN")
	if bin == "" {
		t.Skip("GRADER_BIN is not set (make integration sets it)")
	}
	cmd := exec.Command(bin, "--catalog", "../challenges", "challenge", "record", "notes-api", "--run", "^create returns 201", "--quiet")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("record: %v\n%s", err, out)
	}
	for _, want := range []string{
		"# ── suite api, test create returns 201 with the note\n",
		"# step 1 \"create\" (POST /notes)\nexpect:\n  status: 201\n  headers:\n    Content-Type: application/json; charset=utf-8\n",
		"    title: Groceries\n",
		`    body: "milk, eggs"` + "\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
