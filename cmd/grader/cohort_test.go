package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
)

func TestReadSubmissionsFolder(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"alice", ".git", "bob-2"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"carol.zip", "dave.tar.gz", "erin.TGZ", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readSubmissions(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []rosterEntry{
		{"alice", filepath.Join(dir, "alice")}, {"bob-2", filepath.Join(dir, "bob-2")}, {"carol", filepath.Join(dir, "carol.zip")},
		{"dave", filepath.Join(dir, "dave.tar.gz")}, {"erin", filepath.Join(dir, "erin.TGZ")},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(rosterEntry{})); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if _, err := readSubmissions(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no sub-folder or archive") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestReadRoster(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "roster.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := readSubmissions(write("learner,path\nalice, subs/alice\nbob,/abs/bob.zip\n\ncarol\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []rosterEntry{{"alice", filepath.Join(dir, "subs/alice")}, {"bob", "/abs/bob.zip"}, {"carol", ""}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(rosterEntry{})); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	for body, want := range map[string]string{
		"alice,a\nalice,b\n": "appears twice",
		"a b,x\n":            "not a learner id",
		"learner,path\n":     "lists no learner",
		"\"unterminated\n":   "roster",
	} {
		if _, err := readSubmissions(write(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("roster %q: %v, want %q", body, err, want)
		}
	}
}

func TestProgressBarWithoutTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := newProgressBar(&buf, "grading", 20)
	for i := 0; i <= 20; i++ {
		b.Set(i, i/10, 1)
	}
	b.Finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Not a terminal: a line every 10%, not one per update.
	if len(lines) != 11 {
		t.Errorf("%d lines, want 11:\n%s", len(lines), buf.String())
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "grading   [##############################] 20/20") || !strings.Contains(last, "2 failed") {
		t.Errorf("last line %q", last)
	}
	if !strings.Contains(lines[5], "ETA") || strings.Contains(buf.String(), "\r") {
		t.Errorf("mid-way line %q: want an ETA and no carriage returns", lines[5])
	}
}

// fakeCohortService answers the calls of cohort grade: it refuses the
// first upload with 429, accepts the rest, and grades each submission
// after it has been listed once.
type fakeCohortService struct {
	mu       sync.Mutex
	posts    int
	fields   []map[string]string
	listed   map[string]int
	learners map[string]string
}

func (f *fakeCohortService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/submissions":
		f.posts++
		if f.posts == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"code":"rate_limited","message":"cohort k already has 2 submissions waiting to be graded (its quota)"}}`)
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fields := map[string]string{}
		for k, v := range r.MultipartForm.Value {
			fields[k] = v[0]
		}
		f.fields = append(f.fields, fields)
		id := fmt.Sprintf("sub_%d", len(f.fields))
		f.learners[id] = fields["learner"]
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"id":%q,"state":"queued","attempt":1}`, id)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/submissions":
		if r.URL.Query().Get("cohort") != "k" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var items []string
		for id := range f.learners {
			f.listed[id]++
			state := `"state":"grading"`
			if f.listed[id] > 1 {
				state = `"state":"graded","status":"failed","score":7,"max_score":10`
			}
			items = append(items, fmt.Sprintf(`{"id":%q,%s}`, id, state))
		}
		fmt.Fprintf(w, `{"items":[%s],"total":%d}`, strings.Join(items, ","), len(items))
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"code":"not_found","message":"no route"}}`)
	}
}

func TestCohortGradeAgainstAService(t *testing.T) {
	fake := &fakeCohortService{listed: map[string]int{}, learners: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	for _, l := range []string{"ada", "bob"} {
		if err := os.MkdirAll(filepath.Join(dir, l), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range map[string]string{"go.mod": "module x\n", "main.go": "package main\n"} {
			if err := os.WriteFile(filepath.Join(dir, l, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A learner whose folder breaks the limits is reported, not fatal.
	if err := os.MkdirAll(filepath.Join(dir, "cy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "cy", "main.go")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "cohort", "grade", "--server", srv.URL, "--token", "teach", "--cohort", "k", "--challenge", "notes-api", "--jobs", "1", dir)
	if code != exitLess {
		t.Errorf("exit %d, want %d (cy was not submitted)\n%s\n%s", code, exitLess, stdout, stderr)
	}
	for _, want := range []string{"ada      7/10", "bob      7/10", "cy       -      not submitted", "2 graded, 1 not submitted"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "uploading [") || !strings.Contains(stderr, "grading   [##############################] 3/3") {
		t.Errorf("stderr shows no progress:\n%s", stderr)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.posts != 3 || len(fake.fields) != 2 {
		t.Errorf("%d posts, %d accepted: want the 429 retried once", fake.posts, len(fake.fields))
	}
	for _, f := range fake.fields {
		if f["cohort"] != "k" || f["challenge"] != "notes-api" || f["learner"] == "" {
			t.Errorf("form %v", f)
		}
	}
}

func TestCohortViews(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/cohorts/k/leaderboard":
			fmt.Fprint(w, `{"entries":[{"rank":1,"learner":"ada","score":30,"max_score":30,"graded_at":"2026-12-02T10:00:00Z"},{"rank":2,"learner":"bob\u001b[31m","score":2,"max_score":30,"graded_at":"2026-12-02T10:01:00Z"}]}`)
		case "/v1/cohorts/k/tests":
			fmt.Fprint(w, `{"learners":2,"tests":[{"name":"paging","suite":"api","visibility":"hidden","passed":1,"failed":1,"failure_rate":0.5}]}`)
		default:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"code":"forbidden","message":"only instructors may read per-test results"}}`)
		}
	}))
	defer srv.Close()
	code, out, errOut := runCLI(t, "cohort", "leaderboard", "--server", srv.URL, "--token", "t", "--cohort", "k", "--challenge", "notes-api")
	if code != 0 || !strings.Contains(out, "1     ada      30/30  2026-12-02T10:00:00Z") || !strings.Contains(out, "2     bob      2/30") || strings.Contains(out, "\x1b") {
		t.Errorf("leaderboard: %d %q %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "cohort", "tests", "--server", srv.URL, "--token", "t", "--cohort", "k")
	if code != 0 || !strings.Contains(out, "2 learners with a graded submission") || !strings.Contains(out, "1/2     50%   api/paging  hidden") {
		t.Errorf("tests: %d %q", code, out)
	}
	if want := []string{"/v1/cohorts/k/leaderboard?challenge=notes-api", "/v1/cohorts/k/tests"}; !slices.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
	code, _, errOut = runCLI(t, "cohort", "show", "--server", srv.URL, "--token", "t", "--cohort", "k")
	if code != exitUsage || !strings.Contains(errOut, "403 forbidden") {
		t.Errorf("a refused call: exit %d %s, want a usage error naming the 403", code, errOut)
	}
}

// TestPrintRegrade: a preview says who changes, and when every result was
// already graded with the regrade's version it says the service may not
// have loaded an edited challenge.
func TestPrintRegrade(t *testing.T) {
	var rg wire.Regrade
	if err := json.Unmarshal([]byte(`{"id":"rg_1","challenge":"notes-api","version":"v2","state":"previewed","total":2,"done":2,
		"changes":[{"learner":"ada","old_score":30,"new_score":27,"max_score":30,"old_version":"v1","new_version":"v2"}],
		"unchanged":1,"errors":0,"outdated":2,"failed":[]}`), &rg); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	printRegrade(&b, "spring", rg)
	out := b.String()
	for _, want := range []string{"1 scores change", "ada", "27/30", "v1 -> v2", "1 unchanged", "--apply rg_1"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SIGHUP") {
		t.Errorf("a preview of outdated results hints at a reload:\n%s", out)
	}

	rg.Changes, rg.Unchanged, rg.Outdated, rg.Version = nil, 2, 0, "v1"
	b.Reset()
	printRegrade(&b, "spring", rg)
	if out := b.String(); !strings.Contains(out, "no score changes") || !strings.Contains(out, "already graded with version v1") || !strings.Contains(out, "SIGHUP") {
		t.Errorf("a preview at the version every result has does not say the service may not have loaded the change:\n%s", out)
	}
}

// TestCohortRateLimitedExitsTwo: a cohort command refused with 429 exits
// 2, as submit does and docs/ci.md says of any refused request.
func TestCohortRateLimitedExitsTwo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"code":"rate_limited","message":"slow down"}}`)
	}))
	defer srv.Close()
	code, _, errOut := runCLI(t, "cohort", "list", "--server", srv.URL, "--token", "teach")
	if code != exitUsage || !strings.Contains(errOut, "429 rate_limited") || !strings.Contains(errOut, "try again in 30s") {
		t.Errorf("exit %d %q, want %d naming the 429", code, errOut, exitUsage)
	}
}

func TestParsePolicies(t *testing.T) {
	got, err := parsePolicies([]string{"notes-api:before_due=score,after_due=all,max_attempts=3,cooldown=10m", "fix-ledger:cooldown=90s"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]grader.FeedbackPolicy{
		"notes-api":  {BeforeDue: grader.FeedbackScore, AfterDue: grader.FeedbackAll, MaxAttempts: 3, CooldownSeconds: 600},
		"fix-ledger": {CooldownSeconds: 90},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range [][]string{{"before_due=score"}, {"notes-api:max_attempts=three"}, {"notes-api:cooldown=1.5s"}, {"notes-api:colour=red"},
		{"notes-api:cooldown=1m", "notes-api:max_attempts=2"}} {
		if _, err := parsePolicies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
