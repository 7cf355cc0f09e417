package cohort

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/report"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func graded(id string, score int, created, gradedAt time.Duration) grader.Record {
	return grader.Record{ID: id, Kind: grader.KindSubmission, State: grader.StateGraded, Status: grader.StatusFailed, Score: score, MaxScore: 10,
		CreatedAt: t0.Add(created), GradedAt: t0.Add(gradedAt)}
}

func TestStandingOf(t *testing.T) {
	due := grader.Cohort{DueAt: t0.Add(time.Hour)}
	errored := graded("err", 0, 3*time.Minute, 4*time.Minute)
	errored.Status = grader.StatusError
	superseded := graded("old", 9, 5*time.Minute, 6*time.Minute)
	superseded.SupersededBy = "rg"
	regrade := graded("rg", 4, 5*time.Minute, 50*time.Minute)
	regrade.Kind, regrade.RegradeOf = grader.KindRegrade, "old"
	late := graded("late", 10, 2*time.Hour, 2*time.Hour)
	queued := grader.Record{ID: "q", Kind: grader.KindSubmission, State: grader.StateQueued, CreatedAt: t0.Add(30 * time.Minute)}
	tie := graded("tie", 5, 10*time.Minute, 20*time.Minute)
	first := graded("first", 5, time.Minute, 2*time.Minute)
	recs := []grader.Record{late, errored, superseded, regrade, queued, tie, first}

	s := StandingOf(due, recs)
	if s.Best == nil || s.Best.ID != "first" {
		t.Errorf("best %+v: want the earliest 5 (the late 10 is after the due date, the 9 was regraded to 4, the error does not count)", s.Best)
	}
	if s.Attempts != 4 {
		t.Errorf("attempts %d, want 4: the late one, the regrade and the service's failure are not attempts", s.Attempts)
	}
	if s.Last == nil || s.Last.ID != "q" || lastStatus(s.Last) != "queued" {
		t.Errorf("last %+v", s.Last)
	}
	if s := StandingOf(grader.Cohort{}, recs); s.Best.ID != "late" || s.Attempts != 5 {
		t.Errorf("without a due date: best %s attempts %d", s.Best.ID, s.Attempts)
	}
	if s := StandingOf(due, nil); s.Best != nil || s.Last != nil || s.Attempts != 0 {
		t.Errorf("no records: %+v", s)
	}
}

func TestLeaderboardAndFailures(t *testing.T) {
	tests := func(pass ...bool) []report.Test {
		var out []report.Test
		for i, p := range pass {
			st := grader.TestFailed
			if p {
				st = grader.TestPassed
			}
			out = append(out, report.Test{Name: []string{"create", "list", "delete"}[i], Suite: "api", Status: st})
		}
		return out
	}
	rep := report.Report{Rows: []report.Row{
		{Learner: "ada", Challenge: "c", BestScore: 7, MaxScore: 10, BestSubmission: "a", GradedAt: t0.Add(2 * time.Minute), Tests: tests(true, true, false)},
		{Learner: "bob", Challenge: "c", BestScore: 10, MaxScore: 10, BestSubmission: "b", GradedAt: t0.Add(5 * time.Minute), Tests: tests(true, true, true)},
		{Learner: "cy", Challenge: "c", BestScore: 7, MaxScore: 10, BestSubmission: "c", GradedAt: t0.Add(time.Minute), Tests: tests(true, false, false)},
		{Learner: "dee", Challenge: "c", MaxScore: 10, Tests: []report.Test{}},
		{Learner: "ada", Challenge: "other", BestScore: 1, BestSubmission: "x", Tests: tests(false)},
	}}
	got := Leaderboard(rep, "c")
	want := []Entry{
		{Rank: 1, Learner: "bob", Score: 10, MaxScore: 10, GradedAt: t0.Add(5 * time.Minute)},
		{Rank: 2, Learner: "cy", Score: 7, MaxScore: 10, GradedAt: t0.Add(time.Minute)},
		{Rank: 2, Learner: "ada", Score: 7, MaxScore: 10, GradedAt: t0.Add(2 * time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("leaderboard (-want +got):\n%s", diff)
	}
	n, stats := Failures(rep, "c")
	wantStats := []TestStat{
		{Name: "delete", Suite: "api", Passed: 1, Failed: 2, FailureRate: 2.0 / 3},
		{Name: "list", Suite: "api", Passed: 2, Failed: 1, FailureRate: 1.0 / 3},
		{Name: "create", Suite: "api", Passed: 3},
	}
	if diff := cmp.Diff(wantStats, stats); n != 3 || diff != "" {
		t.Errorf("failures of %d graded (-want +got):\n%s", n, diff)
	}
}

// memStore is a Store over fixed records and results.
type memStore struct {
	recs    map[string][]grader.Record
	results map[string]grader.Result
}

func (m memStore) AttemptsOf(_ context.Context, learners []string, challenge string) (map[string][]grader.Record, error) {
	out := map[string][]grader.Record{}
	for _, l := range learners {
		if recs, ok := m.recs[l+"/"+challenge]; ok {
			out[l] = recs
		}
	}
	return out, nil
}

func (m memStore) Results(_ context.Context, ids []string) (map[string]grader.Result, error) {
	out := map[string]grader.Result{}
	for _, id := range ids {
		if r, ok := m.results[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

func TestReport(t *testing.T) {
	st := memStore{
		recs: map[string][]grader.Record{"ada/c": {graded("a1", 3, 0, time.Minute), graded("a2", 8, 2*time.Minute, 3*time.Minute)}},
		results: map[string]grader.Result{"a2": {ChallengeVersion: "v1", Tests: []grader.TestResult{
			{Name: "create", Suite: "api", Status: grader.TestPassed, Points: 8, MaxPoints: 8, Visibility: grader.Visible},
			{Name: "edge", Suite: "api", Status: grader.TestFailed, MaxPoints: 2, Visibility: grader.Hidden, Message: "got 500"}}}},
	}
	cat := challenges.NewIndex([]*grader.Challenge{{ID: "c", Title: "C", Version: "v2", Suites: []grader.Suite{{Tests: []grader.TestSpec{{Points: 8}, {Points: 2}}}}}})
	co := grader.Cohort{ID: "k", Name: "K", Learners: []string{"ada", "bob"}, Challenges: []string{"c"}}
	rep, err := Report(context.Background(), st, cat, co, Query{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 || rep.Challenges[0] != (report.Challenge{ID: "c", Title: "C", MaxScore: 10, Version: "v2"}) {
		t.Fatalf("report %+v", rep)
	}
	ada, bob := rep.Rows[0], rep.Rows[1]
	if ada.BestScore != 8 || ada.BestSubmission != "a2" || ada.Attempts != 2 || ada.LastStatus != "failed" || ada.ChallengeVersion != "v1" || len(ada.Tests) != 2 || ada.Tests[1].Message != "got 500" {
		t.Errorf("ada's row %+v", ada)
	}
	if bob.Attempts != 0 || bob.BestSubmission != "" || bob.MaxScore != 10 || bob.LastStatus != "" || bob.Tests == nil {
		t.Errorf("bob's row %+v: no submission", bob)
	}
	if _, err := Report(context.Background(), st, cat, co, Query{Challenge: "nope"}, t0); err == nil {
		t.Error("a challenge outside the cohort was reported")
	}
}

func TestReportByLanguage(t *testing.T) {
	inGo, inPython := graded("a1", 9, 0, time.Minute), graded("a2", 4, 2*time.Minute, 3*time.Minute)
	inGo.Language, inPython.Language = grader.LanguageGo, grader.LanguagePython
	bob := graded("b1", 7, 0, time.Minute)
	bob.Language = grader.LanguageGo
	st := memStore{recs: map[string][]grader.Record{"ada/c": {inGo, inPython}, "bob/c": {bob}}}
	cat := challenges.NewIndex([]*grader.Challenge{{ID: "c", Title: "C", Suites: []grader.Suite{{Tests: []grader.TestSpec{{Points: 10}}}}}})
	co := grader.Cohort{ID: "k", Learners: []string{"ada", "bob"}, Challenges: []string{"c"}}

	all, err := Report(context.Background(), st, cat, co, Query{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if r := all.Rows[0]; r.BestSubmission != "a1" || r.Language != "go" || r.Attempts != 2 {
		t.Errorf("every language: ada's row %+v, want her Go submission a1 best of 2", r)
	}
	py, err := Report(context.Background(), st, cat, co, Query{Language: grader.LanguagePython}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if py.Language != "python" {
		t.Errorf("report language %q, want python", py.Language)
	}
	if r := py.Rows[0]; r.BestSubmission != "a2" || r.BestScore != 4 || r.Language != "python" || r.Attempts != 1 {
		t.Errorf("python only: ada's row %+v, want a2 alone", r)
	}
	if r := py.Rows[1]; r.Attempts != 0 || r.BestSubmission != "" || r.Language != "" {
		t.Errorf("python only: bob's row %+v, want no attempts (he submitted Go)", r)
	}
}
