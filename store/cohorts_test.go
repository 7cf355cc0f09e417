package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

func testCohorts(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, clk := newStore(t, rdb)
	a, err := s.CreateCohort(ctx, grader.Cohort{ID: "spring", Name: "Spring", Learners: []string{"ada", "bob"}, Challenges: []string{"notes-api"}, CreatedBy: "teach"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.CreatedAt.Equal(t0) || a.Lane != 0 {
		t.Errorf("created %+v, want created at t0 in lane 0", a)
	}
	clk.Set(t0.Add(time.Minute))
	b, err := s.CreateCohort(ctx, grader.Cohort{ID: "fall", Learners: []string{"ada"}, Challenges: []string{"fix-ledger"}})
	if err != nil || b.Lane != 1 {
		t.Fatalf("second cohort %+v %v, want lane 1", b, err)
	}
	if _, err := s.CreateCohort(ctx, grader.Cohort{ID: "spring"}); !errors.Is(err, grader.ErrExists) {
		t.Errorf("duplicate id: %v, want grader.ErrExists", err)
	}
	got, err := s.Cohort(ctx, "spring")
	if diff := cmp.Diff(a, got); err != nil || diff != "" {
		t.Errorf("read back (-want +got) %v:\n%s", err, diff)
	}
	if _, err := s.Cohort(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("unknown cohort: %v", err)
	}
	ids := func(cs []grader.Cohort, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids(s.Cohorts(ctx)); got != "spring,fall" {
		t.Errorf("cohorts %s", got)
	}
	if got := ids(s.CohortsOf(ctx, "ada")); got != "spring,fall" {
		t.Errorf("ada's cohorts %s", got)
	}
	// bob leaves, cy joins; creation and lane stay.
	up, err := s.UpdateCohort(ctx, grader.Cohort{ID: "spring", Name: "Spring 26", Learners: []string{"ada", "cy"}, Challenges: []string{"notes-api"}})
	if err != nil || up.Lane != 0 || !up.CreatedAt.Equal(t0) || up.CreatedBy != "teach" {
		t.Fatalf("update %+v %v", up, err)
	}
	if got := ids(s.CohortsOf(ctx, "bob")); got != "" {
		t.Errorf("bob left but is in %s", got)
	}
	if got := ids(s.CohortsOf(ctx, "cy")); got != "spring" {
		t.Errorf("cy's cohorts %s", got)
	}
	if _, err := s.UpdateCohort(ctx, grader.Cohort{ID: "nope"}); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	due := grader.Cohort{DueAt: t0}
	if !due.Counts(t0) || due.Counts(t0.Add(time.Second)) || !(grader.Cohort{}).Counts(t0.Add(time.Hour)) {
		t.Error("Counts: a submission at the due date counts, after it not; without one always")
	}
}

func testCohortQuota(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	for i, id := range []string{"q1", "q2"} {
		if _, err := s.CreateCohortSubmission(ctx, grader.Record{ID: id, Challenge: "c", Learner: "l" + id, Cohort: "k"}, files, 2); err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
	}
	if _, err := s.CreateCohortSubmission(ctx, grader.Record{ID: "q3", Challenge: "c", Learner: "l3", Cohort: "k"}, files, 2); !errors.Is(err, grader.ErrQuota) {
		t.Fatalf("third: %v, want grader.ErrQuota", err)
	}
	if _, err := s.Record(ctx, "q3"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("a refused submission was stored: %v", err)
	}
	// Other cohorts and submissions without one are not held back.
	if _, err := s.CreateCohortSubmission(ctx, grader.Record{ID: "o1", Challenge: "c", Learner: "l", Cohort: "other"}, files, 2); err != nil {
		t.Errorf("other cohort: %v", err)
	}
	if _, err := s.CreateCohortSubmission(ctx, grader.Record{ID: "n1", Challenge: "c", Learner: "l"}, files, 2); err != nil {
		t.Errorf("no cohort: %v", err)
	}
	// A graded one frees its place and keeps its files.
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "q1", Challenge: "c", Status: grader.StatusPassed, Score: 1, MaxScore: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCohortSubmission(ctx, grader.Record{ID: "q3", Challenge: "c", Learner: "l3", Cohort: "k"}, files, 2); err != nil {
		t.Errorf("after one was graded: %v", err)
	}
	if ttl := rdb.TTL(ctx, s.key("sub", "q1", "files")).Val(); ttl != -1 {
		t.Errorf("a cohort submission's files have ttl %s, want kept", ttl)
	}
	recs, total, err := s.List(ctx, grader.RecordFilter{Cohort: "k"}, 0, 10)
	if err != nil || total != 3 || recs[0].ID != "q3" || recs[0].Cohort != "k" || recs[0].Kind != grader.KindSubmission {
		t.Errorf("cohort list %+v %d %v", recs, total, err)
	}
}

func testCohortTokens(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	first, err := s.IssueLearnerToken(ctx, "spring", "ada")
	if err != nil || !strings.HasPrefix(first, "gbx_") || len(first) < 40 {
		t.Fatalf("token %q %v", first, err)
	}
	g, ok, err := s.LookupToken(ctx, first)
	if want := (grader.TokenGrant{Subject: "ada", Role: "learner", Cohort: "spring"}); err != nil || !ok || g != want {
		t.Errorf("lookup %+v %v %v, want %+v", g, ok, err, want)
	}
	second, err := s.IssueLearnerToken(ctx, "spring", "ada")
	if err != nil || second == first {
		t.Fatalf("reissue %q %v", second, err)
	}
	if _, ok, _ := s.LookupToken(ctx, first); ok {
		t.Error("the first token still works after reissue")
	}
	if _, ok, _ := s.LookupToken(ctx, second); !ok {
		t.Error("the new token does not work")
	}
	if _, ok, _ := s.LookupToken(ctx, "gbx_made-up"); ok {
		t.Error("a made-up token works")
	}
	// No secret is stored in the clear.
	for _, k := range rdb.Keys(ctx, s.p+":*").Val() {
		if strings.Contains(k, second) {
			t.Errorf("key %s holds the secret", k)
		}
	}
}

func testTokenRevocation(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	co, err := s.CreateCohort(ctx, grader.Cohort{ID: "spring", Learners: []string{"ada", "bob"}, Challenges: []string{"c"}})
	if err != nil {
		t.Fatal(err)
	}
	ada, _ := s.IssueLearnerToken(ctx, "spring", "ada")
	bob, _ := s.IssueLearnerToken(ctx, "spring", "bob")
	other, _ := s.IssueLearnerToken(ctx, "fall", "bob")
	if ok, err := s.RevokeLearnerToken(ctx, "spring", "ada"); err != nil || !ok {
		t.Fatalf("revoke: %v %v", ok, err)
	}
	if _, ok, _ := s.LookupToken(ctx, ada); ok {
		t.Error("a revoked token still works")
	}
	if ok, err := s.RevokeLearnerToken(ctx, "spring", "ada"); err != nil || ok {
		t.Errorf("revoking twice: %v %v, want false", ok, err)
	}
	// Leaving the cohort revokes the learner's token there, only there.
	co.Learners = []string{"ada"}
	if _, err := s.UpdateCohort(ctx, co); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LookupToken(ctx, bob); ok {
		t.Error("the token of a learner who left still works")
	}
	if _, ok, _ := s.LookupToken(ctx, other); !ok {
		t.Error("leaving spring revoked bob's token for fall")
	}
	// Back in, a new token works.
	co.Learners = []string{"ada", "bob"}
	if _, err := s.UpdateCohort(ctx, co); err != nil {
		t.Fatal(err)
	}
	again, err := s.IssueLearnerToken(ctx, "spring", "bob")
	if _, ok, _ := s.LookupToken(ctx, again); err != nil || !ok {
		t.Errorf("token reissued after rejoining: %v %v", ok, err)
	}
	for _, k := range rdb.Keys(ctx, s.p+":token:*").Val() {
		if n := rdb.HLen(ctx, k).Val(); n == 0 {
			t.Errorf("empty grant %s", k)
		}
	}
	if n := len(rdb.Keys(ctx, s.p+":token:*").Val()); n != 2 {
		t.Errorf("%d grants stored, want 2 (bob in spring and in fall)", n)
	}
}

func testScopeIndex(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, clk := newStore(t, rdb)
	for i, rec := range []grader.Record{
		{ID: "in", Challenge: "c", Learner: "ada", Cohort: "k"},
		{ID: "practice", Challenge: "d", Learner: "ada", TokenCohort: "k"},
		{ID: "own", Challenge: "c", Learner: "ada"},
		{ID: "other", Challenge: "c", Learner: "ada", Cohort: "j"},
		{ID: "bob", Challenge: "c", Learner: "bob", Cohort: "k"},
	} {
		clk.Set(t0.Add(time.Duration(i) * time.Second))
		mustCreate(t, s, rec)
	}
	if rec, err := s.Record(ctx, "practice"); err != nil || rec.TokenCohort != "k" || rec.Scope() != "k" {
		t.Errorf("record %+v %v, want token cohort k", rec, err)
	}
	for _, tc := range []struct {
		f    grader.RecordFilter
		want []string
	}{
		{grader.RecordFilter{Learner: "ada", Scope: "k"}, []string{"practice", "in"}},
		{grader.RecordFilter{Learner: "ada", Scope: "k", Challenge: "c"}, []string{"in"}},
		{grader.RecordFilter{Learner: "ada", Scope: "j"}, []string{"other"}},
		{grader.RecordFilter{Learner: "ada"}, []string{"other", "own", "practice", "in"}},
	} {
		recs, total, err := s.List(ctx, tc.f, 0, 10)
		var got []string
		for _, r := range recs {
			got = append(got, r.ID)
		}
		if err != nil || total != len(tc.want) || !slices.Equal(got, tc.want) {
			t.Errorf("List(%+v) = %v %d %v, want %v", tc.f, got, total, err, tc.want)
		}
	}
	if recs, total, _ := s.List(ctx, grader.RecordFilter{Learner: "ada", Scope: "k", Challenge: "c"}, 1, 10); len(recs) != 0 || total != 1 {
		t.Errorf("past the end: %v %d", recs, total)
	}
}

// testRegradeOfPractice: a cohort's regrade may grade again a practice
// submission (standings count those too); its new record stays in the
// token's scope and moves the practice board.
func testRegradeOfPractice(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "p1", Challenge: "c", Learner: "cy", TokenCohort: "k"})
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "p1", Status: grader.StatusPassed, Score: 10, MaxScore: 10}); err != nil {
		t.Fatal(err)
	}
	it := grader.RegradeItem{Submission: "p1", Learner: "cy", OldScore: 10, OldMaxScore: 10}
	if err := s.RecordRegrade(ctx, "rg", it, "rg-p1", grader.Result{Status: grader.StatusFailed, Score: 4, MaxScore: 10}); err != nil {
		t.Fatal(err)
	}
	recs, total, err := s.List(ctx, grader.RecordFilter{Learner: "cy", Scope: "k"}, 0, 10)
	if err != nil || total != 2 || recs[0].ID != "rg-p1" && recs[1].ID != "rg-p1" {
		t.Errorf("cy's scope lists %+v %d %v, want the regrade too", recs, total, err)
	}
	b, err := s.PracticeLeaderboard(ctx, "c", 10)
	if err != nil || len(b) != 1 || b[0].Score != 4 {
		t.Errorf("practice board %+v %v, want cy at 4 after the regrade", b, err)
	}
}

func testRegrades(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, clk := newStore(t, rdb)
	for _, l := range []string{"ada", "bob"} {
		mustCreate(t, s, grader.Record{ID: l + "1", Challenge: "c", Learner: l, Cohort: "k"})
		if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: l + "1", Challenge: "c", ChallengeVersion: "v1", Status: grader.StatusPassed, Score: 10, MaxScore: 10}); err != nil {
			t.Fatal(err)
		}
	}
	items := []grader.RegradeItem{
		{Submission: "ada1", Learner: "ada", OldScore: 10, OldMaxScore: 10, OldVersion: "v1"},
		{Submission: "bob1", Learner: "bob", OldScore: 10, OldMaxScore: 10, OldVersion: "v1"},
	}
	if err := s.CreateRegrade(ctx, grader.Regrade{ID: "rg1", Cohort: "k", Challenge: "c", Version: "v2"}, items); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRegrade(ctx, grader.Regrade{ID: "rg1"}, nil); !errors.Is(err, grader.ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
	if err := s.StartApplyRegrade(ctx, "rg1"); !errors.Is(err, grader.ErrRegradeState) {
		t.Errorf("apply while running: %v, want grader.ErrRegradeState", err)
	}
	save := func(sub string, score int) {
		t.Helper()
		if err := s.SaveRegradeResult(ctx, "rg1", grader.Result{SubmissionID: sub, Challenge: "c", ChallengeVersion: "v2", Status: grader.StatusFailed, Score: score, MaxScore: 10}); err != nil {
			t.Fatal(err)
		}
	}
	save("ada1", 10)
	rg, _, err := s.Regrade(ctx, "rg1")
	if err != nil || rg.State != grader.RegradeRunning || rg.Done != 1 || rg.Total != 2 {
		t.Errorf("half done: %+v %v", rg, err)
	}
	save("bob1", 6)
	save("bob1", 6) // a retried task
	if err := s.SaveRegradeResult(ctx, "rg1", grader.Result{SubmissionID: "eve1"}); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
	rg, got, err := s.Regrade(ctx, "rg1")
	if err != nil || rg.State != grader.RegradePreviewed || rg.Done != 2 {
		t.Fatalf("done: %+v %v", rg, err)
	}
	if got[0].Changed() || !got[1].Changed() || got[1].NewScore != 6 || got[1].NewVersion != "v2" {
		t.Errorf("items %+v: only bob's score changes", got)
	}
	if err := s.StartApplyRegrade(ctx, "rg1"); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(time.Hour))
	for _, it := range got {
		res, ok, err := s.RegradeItemResult(ctx, "rg1", it.Submission)
		if err != nil || !ok {
			t.Fatalf("item result %v %v", ok, err)
		}
		for range 2 { // applying twice records once
			if err := s.RecordRegrade(ctx, "rg1", it, "rg1-"+it.Submission, res); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.FinishApplyRegrade(ctx, "rg1"); err != nil {
		t.Fatal(err)
	}
	if err := s.StartApplyRegrade(ctx, "rg1"); !errors.Is(err, grader.ErrRegradeState) {
		t.Errorf("second apply: %v", err)
	}
	old, _ := s.Record(ctx, "bob1")
	nw, err := s.Record(ctx, "rg1-bob1")
	if err != nil || old.SupersededBy != "rg1-bob1" || nw.Kind != grader.KindRegrade || nw.RegradeOf != "bob1" || nw.Score != 6 || nw.Attempt != old.Attempt || !nw.CreatedAt.Equal(old.CreatedAt) || nw.Counts() == false || old.Counts() {
		t.Errorf("records after apply: old %+v new %+v %v", old, nw, err)
	}
	if sub, err := s.Submission(ctx, "rg1-bob1"); err != nil || len(sub.Files) != len(files) {
		t.Errorf("the regrade record has no files: %v", err)
	}
	if best, ok, _ := s.Best(ctx, "c", "bob"); !ok || best.Score != 6 {
		t.Errorf("bob's standing %+v, want lowered to 6", best)
	}
	if best, _, _ := s.Best(ctx, "c", "ada"); best.Score != 10 {
		t.Errorf("ada's standing %+v", best)
	}
	attempts, _ := s.Attempts(ctx, "bob", "c")
	if len(attempts) != 2 {
		t.Errorf("bob has %d records, want the old and the regrade", len(attempts))
	}
	if rgs, err := s.Regrades(ctx, "k"); err != nil || len(rgs) != 1 || rgs[0].State != grader.RegradeApplied || rgs[0].AppliedAt.IsZero() {
		t.Errorf("regrades %+v %v", rgs, err)
	}
}
