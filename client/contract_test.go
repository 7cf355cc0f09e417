package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/gradebox/grader/api"
	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/report"
	"github.com/gradebox/grader/store"
)

// The contract test runs the client against the real router on a real
// store (miniredis), one call of every route the client makes, and checks
// that every field the client reads arrives, and that every JSON answer
// is what the API's OpenAPI document says: a JSON field renamed on the
// server's side alone fails the first check, one renamed in a type both
// sides share (api/wire) the second.

const (
	learnerToken = "tok-ada-0123456789abcdef"
	teachToken   = "tok-teach-0123456789abcdef"
)

type nopQueue struct{}

func (nopQueue) Enqueue(context.Context, grader.Record, time.Duration) error { return nil }

func (nopQueue) EnqueueRegrade(context.Context, queue.RegradePayload, string, time.Duration) error {
	return nil
}

// contractEnv is the real router on miniredis and a client of it per role.
type contractEnv struct {
	rs             *store.Redis
	cat            []*grader.Challenge
	learner, teach *client.Client
}

func newContractEnv(t *testing.T) *contractEnv {
	t.Helper()
	rdb := miniredistest.Client(t)
	rs := store.New(store.Config{Client: rdb, Prefix: "contract"})
	cat := []*grader.Challenge{{ID: "notes-api", Title: "Notes API", Summary: "A small REST API", Difficulty: "easy", Tags: []string{"http"},
		Version: "v1", Statement: "# Notes", Suites: []grader.Suite{{Name: "api", Tests: []grader.TestSpec{
			{Name: "create", Points: 2, Visibility: grader.Visible}, {Name: "edge", Points: 3, Visibility: grader.Hidden},
		}}}}}
	hub := eventhub.New(eventhub.Config{Source: rs, Check: 50 * time.Millisecond})
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); _ = hub.Run(hubCtx) }()
	t.Cleanup(func() { stopHub(); <-hubDone })
	srv := api.New(api.Config{
		Store: rs, Queue: nopQueue{}, Catalog: challenges.NewIndex(cat), Cohorts: rs, RegradeQueue: nopQueue{}, Unavailable: store.Unavailable,
		Tokens: []api.Token{{Secret: learnerToken, Subject: "ada", Role: api.RoleLearner},
			{Secret: teachToken, Subject: "teach", Role: api.RoleInstructor}},
		Events: hub,
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	hc := &http.Client{Transport: newSpecCheck(t, ts.Client().Transport)}
	mk := func(token string) *client.Client {
		c, err := client.New(client.Config{Server: ts.URL, Token: token, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return &contractEnv{rs: rs, cat: cat, learner: mk(learnerToken), teach: mk(teachToken)}
}

// specCheck checks every JSON answer that passes through it against the
// response schema the OpenAPI document gives its route and status.
type specCheck struct {
	t      *testing.T
	router routers.Router
	next   http.RoundTripper
}

func newSpecCheck(t *testing.T, next http.RoundTripper) *specCheck {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil // match by path, whatever the test server's address
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &specCheck{t: t, router: router, next: next}
}

func (s *specCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return resp, err // event streams and reports are read by their own checks
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		s.t.Errorf("%s %s: not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return resp, nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		s.t.Errorf("%s %s answered %d, not as the OpenAPI document says: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}

func solutionForm(t *testing.T, fields map[string]string) client.Form {
	t.Helper()
	var buf bytes.Buffer
	files := []grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}, {Name: "main.go", Mode: 0o644, Data: []byte("package main\n")}}
	if err := grader.WriteArchive(&buf, files); err != nil {
		t.Fatal(err)
	}
	f, err := client.NewForm(fields, "submission.tar.gz", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// grade plays the worker: started, one test, the result, done.
func (e *contractEnv) grade(t *testing.T, id string, score int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := e.rs.MarkStarted(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []grader.Event{{Type: grader.EventStarted, At: at},
		{Type: grader.EventTestFinished, At: at, Test: &grader.TestResult{Name: "create", Suite: "api", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible}}} {
		if _, err := e.rs.AppendEvent(ctx, id, ev); err != nil {
			t.Fatal(err)
		}
	}
	res := grader.Result{SubmissionID: id, Challenge: "notes-api", ChallengeVersion: "v1", Status: grader.StatusFailed, Score: score, MaxScore: 5,
		View: grader.ViewInstructor, GradedAt: at, Timings: []grader.PhaseTiming{{Phase: "build:api", DurationMS: 1200}}, Tests: []grader.TestResult{
			{Name: "create", Suite: "api", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
			{Name: "edge", Suite: "api", Status: grader.TestFailed, Points: score - 2, MaxPoints: 3, Visibility: grader.Hidden},
		}}
	if _, err := e.rs.SaveResult(ctx, res); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rs.AppendEvent(ctx, id, grader.Event{Type: grader.EventDone, At: at}); err != nil {
		t.Fatal(err)
	}
}

func TestContractSubmissions(t *testing.T) {
	e := newContractEnv(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	form := solutionForm(t, map[string]string{"challenge": "notes-api"})
	acc, err := e.learner.SubmitOnce(ctx, form, "contract-key")
	if err != nil {
		t.Fatal(err)
	}
	if acc.ID == "" || acc.State != "queued" || acc.Attempt != 1 || acc.Challenge != "notes-api" || acc.Learner != "ada" ||
		acc.Links["self"] != "/v1/submissions/"+acc.ID || acc.Links["events"] != "/v1/submissions/"+acc.ID+"/events" || acc.Replayed {
		t.Fatalf("accepted %+v", acc)
	}
	again, err := e.learner.SubmitOnce(ctx, form, "contract-key")
	if err != nil || again.ID != acc.ID || !again.Replayed {
		t.Errorf("replay: %+v %v", again, err)
	}
	if got, err := e.learner.Submit(ctx, solutionForm(t, map[string]string{"challenge": "notes-api"}), nil); err != nil || got.ID == acc.ID || got.Attempt != 2 {
		t.Errorf("second submission: %+v %v", got, err)
	}

	e.grade(t, acc.ID, 4, at)
	var seen []grader.EventType
	res, err := e.learner.Follow(ctx, acc.ID, func(ev grader.Event) { seen = append(seen, ev.Type) })
	if err != nil {
		t.Fatal(err)
	}
	if res == nil || res.Score != 4 || res.MaxScore != 5 || res.View != grader.ViewLearner || res.Hidden == nil || res.Hidden.Total != 1 {
		t.Errorf("done's result %+v", res)
	}
	if len(seen) < 3 || seen[0] != grader.EventQueued || seen[len(seen)-1] != grader.EventTestFinished {
		t.Errorf("events %v", seen)
	}

	sub, err := e.learner.Submission(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID != acc.ID || sub.State != "graded" || sub.Status != string(grader.StatusFailed) || sub.Score != 4 || sub.MaxScore != 5 ||
		sub.Challenge != "notes-api" || sub.Learner != "ada" || sub.Attempt != 1 || sub.Kind == "" || sub.Queue == "" ||
		sub.CreatedAt.IsZero() || sub.StartedAt.IsZero() || !sub.GradedAt.Equal(at) ||
		sub.Result == nil || sub.Result.Score != 4 || sub.Links["result"] == "" {
		t.Errorf("submission %+v", sub)
	}
	list, err := e.learner.Submissions(ctx, client.SubmissionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 2 || list.Limit != 1 || list.Offset != 0 || len(list.Items) != 1 || list.Items[0].ID == "" || list.Items[0].State != "queued" {
		t.Errorf("list %+v", list)
	}

	chs, err := e.learner.Challenges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(chs.Items) != 1 || chs.Items[0].ID != "notes-api" || chs.Items[0].Title != "Notes API" || chs.Items[0].MaxScore != 5 ||
		chs.Items[0].Version != "v1" || chs.Items[0].BestScore == nil || *chs.Items[0].BestScore != 4 ||
		len(chs.Items[0].Languages) != 1 || chs.Items[0].Languages[0] != grader.LanguageGo {
		t.Errorf("challenges %+v", chs)
	}
	ch, err := e.learner.Challenge(ctx, "notes-api")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Challenge.Title != "Notes API" || ch.Statement != "# Notes" || ch.HiddenTests != 1 || len(ch.Challenge.Languages) != 1 {
		t.Errorf("challenge %+v", ch)
	}

	_, err = e.learner.Submission(ctx, "sub_nope")
	if ae, ok := client.AsError(err); !ok || ae.Status != 404 || ae.Code != api.CodeNotFound || ae.Message == "" {
		t.Errorf("missing submission: %v", err)
	}
}

func TestContractCohorts(t *testing.T) {
	e := newContractEnv(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	due := "2027-01-31T23:59:00Z"

	co, err := e.teach.CreateCohort(ctx, wire.CohortRequest{ID: "spring", Name: "Spring", Learners: []string{"ada"}, Challenges: []string{"notes-api"}, DueAt: due})
	if err != nil {
		t.Fatal(err)
	}
	if co.ID != "spring" || co.Name != "Spring" || len(co.Learners) != 1 || len(co.Challenges) != 1 || co.DueAt.Format(time.RFC3339) != due ||
		co.CreatedAt.IsZero() || co.CreatedBy != "teach" || co.Queue == "" {
		t.Fatalf("created %+v", co)
	}
	co, err = e.teach.ReplaceCohort(ctx, wire.CohortRequest{ID: "spring", Name: "Spring", Learners: []string{"ada", "bob"}, Challenges: []string{"notes-api"}})
	if err != nil || len(co.Learners) != 2 || !co.DueAt.IsZero() {
		t.Fatalf("replaced %+v %v", co, err)
	}
	if list, err := e.teach.Cohorts(ctx); err != nil || len(list.Cohorts) != 1 || list.Cohorts[0].ID != "spring" {
		t.Errorf("cohorts %+v %v", list, err)
	}
	if got, err := e.teach.Cohort(ctx, "spring"); err != nil || got.ID != "spring" || len(got.Learners) != 2 {
		t.Errorf("cohort %+v %v", got, err)
	}
	toks, err := e.teach.IssueTokens(ctx, "spring", nil)
	if err != nil || len(toks.Tokens) != 2 || toks.Tokens[0].Learner == "" || toks.Tokens[0].Token == "" {
		t.Fatalf("tokens %+v %v", toks, err)
	}
	if err := e.teach.RevokeToken(ctx, "spring", "bob"); err != nil {
		t.Errorf("revoke: %v", err)
	}

	ids := map[string]string{}
	for i, l := range []string{"ada", "bob"} {
		acc, err := e.teach.Submit(ctx, solutionForm(t, map[string]string{"challenge": "notes-api", "learner": l, "cohort": "spring"}), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[l] = acc.ID
		e.grade(t, acc.ID, 4-i, at)
	}
	page, err := e.teach.Submissions(ctx, client.SubmissionFilter{Cohort: "spring", Limit: 100})
	if err != nil || page.Total != 2 || page.Items[0].Score == 0 || page.Items[0].Status == "" || page.Items[0].MaxScore != 5 {
		t.Errorf("cohort's submissions %+v %v", page, err)
	}

	rep, err := e.teach.Report(ctx, "spring", "notes-api", "", "csv")
	if err != nil || !bytes.Contains(rep, []byte("ada")) {
		t.Errorf("report %q %v", rep, err)
	}
	var byLang report.Report
	rep, err = e.teach.Report(ctx, "spring", "notes-api", "python", "json")
	if err != nil || json.Unmarshal(rep, &byLang) != nil || byLang.Language != "python" || len(byLang.Rows) != 2 || byLang.Rows[0].Attempts != 0 {
		t.Errorf("python-only report of Go submissions: %s %v", rep, err)
	}
	rep, err = e.teach.Report(ctx, "spring", "notes-api", "go", "json")
	if err != nil || json.Unmarshal(rep, &byLang) != nil || byLang.Rows[0].Language != "go" || byLang.Rows[0].Attempts == 0 {
		t.Errorf("go-only report: %s %v", rep, err)
	}
	lb, err := e.teach.Leaderboard(ctx, "spring", "notes-api")
	if err != nil || lb.Cohort != "spring" || lb.Challenge != "notes-api" || len(lb.Entries) != 2 {
		t.Fatalf("leaderboard %+v %v", lb, err)
	}
	if en := lb.Entries[0]; en.Rank != 1 || en.Learner != "ada" || en.Score != 4 || en.MaxScore != 5 || !en.GradedAt.Equal(at) {
		t.Errorf("leaderboard's first line %+v", en)
	}
	ts, err := e.teach.TestStats(ctx, "spring", "")
	if err != nil || ts.Learners != 2 || len(ts.Tests) != 2 {
		t.Fatalf("tests %+v %v", ts, err)
	}
	if st := ts.Tests[0]; st.Name == "" || st.Suite != "api" || st.Visibility == "" || st.Passed+st.Failed != 2 || (st.Failed > 0) != (st.FailureRate > 0) {
		t.Errorf("test line %+v", st)
	}

	e.cat[0].Version = "v2"
	rg, err := e.teach.StartRegrade(ctx, "spring", "notes-api")
	if err != nil || rg.ID == "" || rg.State != wire.RegradeRunning || rg.Total != 2 || rg.Challenge != "notes-api" || rg.Version != "v2" || rg.Cohort != "spring" {
		t.Fatalf("start regrade %+v %v", rg, err)
	}
	for l, score := range map[string]int{"ada": 1, "bob": 3} {
		r := grader.Result{SubmissionID: ids[l], ChallengeVersion: "v2", Status: grader.StatusFailed, Score: score, MaxScore: 5}
		if err := e.rs.SaveRegradeResult(ctx, rg.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	rg, err = e.teach.Regrade(ctx, "spring", rg.ID)
	if err != nil || rg.State != wire.RegradePreviewed || rg.Done != 2 || rg.Outdated != 2 || len(rg.Changes) != 1 || rg.Unchanged != 1 || rg.Failed == nil {
		t.Fatalf("preview %+v %v", rg, err)
	}
	if ch := rg.Changes[0]; ch.Learner != "ada" || ch.Submission != ids["ada"] || ch.OldScore != 4 || ch.NewScore != 1 || ch.MaxScore != 5 || ch.OldVersion != "v1" || ch.NewVersion != "v2" {
		t.Errorf("change %+v", ch)
	}
	rg, err = e.teach.ApplyRegrade(ctx, "spring", rg.ID)
	if err != nil || rg.AppliedAt.IsZero() || len(rg.Changes) != 1 || rg.Changes[0].Applied == "" {
		t.Errorf("applied %+v %v", rg, err)
	}

	err = e.learner.RevokeToken(ctx, "spring", "ada")
	if ae, ok := client.AsError(err); !ok || !ae.Refused() || ae.Code == "" {
		t.Errorf("a learner revoking: %v", err)
	}
}
