package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// fakeJobs are n samples of challenge demo: a solution, then mutants.
func fakeJobs(n int) []verifyJob {
	c := &grader.Challenge{ID: "demo"}
	jobs := make([]verifyJob, n)
	for i := range jobs {
		s := challenges.Sample{Language: grader.LanguageGo, Kind: challenges.SampleMutant, Name: fmt.Sprintf("m%d", i)}
		if i == 0 {
			s.Kind, s.Name = challenges.SampleSolution, "solution"
		}
		jobs[i] = verifyJob{Challenge: c, Sample: s, Sub: grader.Submission{ID: s.Name}}
	}
	return jobs
}

func TestGradeAllKeepsOrderAndBoundsWorkers(t *testing.T) {
	jobs := fakeJobs(7)
	var running, peak atomic.Int32
	var mu sync.Mutex
	calls := map[string]int{}
	grade := func(ctx context.Context, c *grader.Challenge, sub grader.Submission) (grader.Result, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mu.Lock()
		calls[sub.ID]++
		run := calls[sub.ID]
		mu.Unlock()
		// Later samples finish first, so order comes from the pool.
		time.Sleep(time.Duration(len(sub.ID)%3) * time.Millisecond)
		return grader.Result{SubmissionID: sub.ID, Score: run}, nil
	}
	var dones []int
	done := func(n, total int, j verifyJob, run int, res grader.Result) {
		if total != 21 {
			t.Errorf("total = %d, want 21", total)
		}
		dones = append(dones, n)
	}
	results, err := gradeAll(context.Background(), jobs, 3, 3, grade, done)
	if err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 3 {
		t.Errorf("%d gradings ran at once, want at most 3", p)
	}
	if len(results) != len(jobs) {
		t.Fatalf("got %d results, want %d", len(results), len(jobs))
	}
	for i, rs := range results {
		if len(rs) != 3 {
			t.Fatalf("job %d: got %d runs, want 3", i, len(rs))
		}
		for _, r := range rs {
			if r.SubmissionID != jobs[i].Sub.ID {
				t.Errorf("job %d holds the result of %s, want %s", i, r.SubmissionID, jobs[i].Sub.ID)
			}
		}
	}
	for i, n := range dones {
		if n != i+1 {
			t.Fatalf("progress counts %v, want 1..21 in order", dones)
		}
	}
	if len(dones) != 21 {
		t.Errorf("progress called %d times, want 21", len(dones))
	}
}

func TestGradeAllStopsAtTheFirstError(t *testing.T) {
	jobs := fakeJobs(20)
	var calls atomic.Int32
	boom := errors.New("docker gone")
	grade := func(ctx context.Context, c *grader.Challenge, sub grader.Submission) (grader.Result, error) {
		calls.Add(1)
		if sub.ID == "m1" {
			return grader.Result{}, boom
		}
		// The other gradings last until the error stops them.
		<-ctx.Done()
		return grader.Result{}, ctx.Err()
	}
	_, err := gradeAll(context.Background(), jobs, 1, 2, grade, nil)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "grade demo go mutant m1 (run 1): ") {
		t.Fatalf("err = %v, want %v naming the sample", err, boom)
	}
	if n := calls.Load(); n > 2 {
		t.Errorf("graded %d samples, want at most 2 (the solution, then m1's error stops the rest)", n)
	}
}

// flakyGrade grades every sample the same, except that test "read" of
// mutant m1 fails in its second run.
func flakyGrade() gradeFunc {
	var mu sync.Mutex
	calls := map[string]int{}
	return func(ctx context.Context, c *grader.Challenge, sub grader.Submission) (grader.Result, error) {
		mu.Lock()
		calls[sub.ID]++
		run := calls[sub.ID]
		mu.Unlock()
		res := grader.Result{Challenge: "demo", Status: grader.StatusFailed, Score: 1, MaxScore: 3, Tests: []grader.TestResult{
			{Suite: "api", Name: "health", Status: grader.TestPassed, Points: 1, MaxPoints: 1},
			{Suite: "api", Name: "read", Status: grader.TestFailed, MaxPoints: 2, Message: "want 200, got 404"},
		}}
		if sub.ID == "solution" || (sub.ID == "m1" && run != 2) {
			res.Tests[1] = grader.TestResult{Suite: "api", Name: "read", Status: grader.TestPassed, Points: 2, MaxPoints: 2}
			res.Score = 3
		}
		if sub.ID == "solution" {
			res.Status = grader.StatusPassed
		}
		if sub.ID == "m1" {
			res.Tests[0] = grader.TestResult{Suite: "api", Name: "health", Status: grader.TestFailed, MaxPoints: 1, Message: "down"}
			res.Score -= 1
		}
		return res, nil
	}
}

func TestVerifyRunsReportAFlakyTest(t *testing.T) {
	jobs := fakeJobs(3)
	// One worker, so the fake's second call for m1 is its run 2.
	results, err := gradeAll(context.Background(), jobs, 3, 1, flakyGrade(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := analyzeVerify(verifyRuns(jobs, results))
	if rep.Passed || rep.Failed != 1 {
		t.Fatalf("passed %v with %d failed checks; want failed with 1 (the flaky test)", rep.Passed, rep.Failed)
	}
	if rep.Runs != 3 {
		t.Errorf("runs = %d, want 3", rep.Runs)
	}
	var flaky []verifyFlag
	for _, f := range rep.Flags {
		if f.Kind == flagFlaky {
			flaky = append(flaky, f)
		}
	}
	if len(flaky) != 1 {
		t.Fatalf("got %d flaky flags, want 1: %+v", len(flaky), rep.Flags)
	}
	f := flaky[0]
	if f.Challenge != "demo" || f.Language != grader.LanguageGo || f.Sample != "m1" || f.Suite != "api" || f.Test != "read" || f.Severity != severityError {
		t.Errorf("flag names %s %s %s %s/%s (%s), want demo go m1 api/read (error)", f.Challenge, f.Language, f.Sample, f.Suite, f.Test, f.Severity)
	}
	want := `mutant m1: test api/"read" is flaky: runs 1, 3 passed (2/2 points); run 2 failed (0/2 points): want 200, got 404;`
	if !strings.HasPrefix(f.Message, want) {
		t.Errorf("message:\n%s\nwant it to start with\n%s", f.Message, want)
	}
	if len(f.Outcomes) != 3 || f.Outcomes[1].Status != string(grader.TestFailed) || f.Outcomes[1].Run != 2 {
		t.Errorf("outcomes %+v, want 3 with run 2 failed", f.Outcomes)
	}
	for _, s := range rep.Groups[0].Samples {
		if s.Flaky != (s.Name == "m1") {
			t.Errorf("sample %s flaky = %v", s.Name, s.Flaky)
		}
	}

	var text bytes.Buffer
	if err := printVerify(&text, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "error: demo (go): "+want) {
		t.Errorf("text report lacks the flaky test's error:\n%s", text.String())
	}
	if line := regexp.MustCompile(`(?m)^demo +go +mutant:m1 +less +2/3 +failed +FLAKY$`); !line.MatchString(text.String()) {
		t.Errorf("text report's summary does not match %s:\n%s", line, text.String())
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{`"runs":3`, `"kind":"flaky"`, `"outcomes":[{"run":1,"status":"passed","points":2,"max_points":2}`} {
		if !strings.Contains(string(b), part) {
			t.Errorf("JSON report lacks %s:\n%s", part, b)
		}
	}
}

func TestVerifyRunsStableSamplesPass(t *testing.T) {
	jobs := fakeJobs(3)
	stable := func(ctx context.Context, c *grader.Challenge, sub grader.Submission) (grader.Result, error) {
		res := grader.Result{Status: grader.StatusFailed, Score: 0, MaxScore: 1, Message: "graded at " + time.Now().String(),
			Tests: []grader.TestResult{{Suite: "api", Name: "health", Status: grader.TestFailed, MaxPoints: 1, Message: time.Now().String()}}}
		if sub.ID == "solution" {
			res = grader.Result{Status: grader.StatusPassed, Score: 1, MaxScore: 1,
				Tests: []grader.TestResult{{Suite: "api", Name: "health", Status: grader.TestPassed, Points: 1, MaxPoints: 1}}}
		}
		return res, nil
	}
	results, err := gradeAll(context.Background(), jobs, 4, 2, stable, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := analyzeVerify(verifyRuns(jobs, results))
	if !rep.Passed {
		t.Errorf("stable samples whose messages differ failed verify: %+v", rep.Flags)
	}
}

func TestFlakyFlagsWholeResult(t *testing.T) {
	r := verifyRun{Challenge: "demo", Sample: challenges.Sample{Language: grader.LanguageGo, Kind: challenges.SampleSolution, Name: "solution"},
		Result: grader.Result{Status: grader.StatusPassed, Score: 3, MaxScore: 3},
		Reruns: []grader.Result{{Status: grader.StatusTimedOut, Score: 0, MaxScore: 3, Message: "grading took longer than 60s"}}}
	flags := flakyFlags(r)
	if len(flags) != 1 {
		t.Fatalf("got %d flags, want 1", len(flags))
	}
	want := "solution is flaky: run 1 passed (3/3 points); run 2 timed_out (0/3 points): grading took longer than 60s; it must score the same every run"
	if flags[0].Message != want || flags[0].Test != "" {
		t.Errorf("flag %q (test %q), want %q", flags[0].Message, flags[0].Test, want)
	}
}

func TestFlakyFlagsAbsentTest(t *testing.T) {
	r := fakeRun(challenges.SampleMutant, "m", grader.StatusFailed, pass, fail)
	again := fakeRun(challenges.SampleMutant, "m", grader.StatusFailed, pass)
	r.Reruns = []grader.Result{again.Result}
	flags := flakyFlags(r)
	if len(flags) != 1 || flags[0].Test != "create" || !strings.Contains(flags[0].Message, "run 2 absent;") {
		t.Errorf("flags %+v, want test create flagged absent in run 2", flags)
	}
}

func TestVerifyProgress(t *testing.T) {
	var out bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	p := verifyProgress(&out, func() time.Time { return now })
	now = t0.Add(83 * time.Second)
	j := fakeJobs(2)[1]
	p(2, 6, j, 1, grader.Result{Score: 1, MaxScore: 3, Status: grader.StatusFailed})
	if want := "[2/6 1:23] graded demo go mutant m1 (run 1): 1/3 failed\n"; out.String() != want {
		t.Errorf("progress %q, want %q", out.String(), want)
	}
}
