package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/api/wire"
)

func TestParseCPUStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    cpuTimes
		wantErr bool
	}{
		// user nice system idle iowait irq softirq steal guest guest_nice:
		// guest is inside user already and must not count twice.
		{"full line", "cpu  100 10 50 800 40 5 5 0 30 0\ncpu0 1 2 3 4\n", cpuTimes{busy: 170, total: 1010}, false},
		{"old kernel, four fields", "cpu 10 0 10 80\n", cpuTimes{busy: 20, total: 100}, false},
		{"per-cpu line first", "cpu0 1 2 3 4 5\n", cpuTimes{}, true},
		{"not a number", "cpu 1 2 x 4 5\n", cpuTimes{}, true},
		{"empty", "", cpuTimes{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCPUStat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(cpuTimes{})); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestBusyPercent(t *testing.T) {
	a := cpuTimes{busy: 100, total: 1000}
	if got := busyPercent(a, cpuTimes{busy: 190, total: 1100}); got != 90 {
		t.Errorf("busy = %v, want 90", got)
	}
	if got := busyPercent(a, a); got != -1 {
		t.Errorf("no time passed: busy = %v, want -1", got)
	}
}

func TestReadCPUOnThisMachine(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat")
	}
	c, err := readCPU()
	if err != nil {
		t.Fatal(err)
	}
	if c.total == 0 || c.busy > c.total {
		t.Errorf("implausible cpu times %+v", c)
	}
	if kib := rssKiB(os.Getpid()); kib <= 0 {
		t.Errorf("rss of this process = %d KiB, want > 0", kib)
	}
}

func TestStatusKiB(t *testing.T) {
	status := "Name:\tgrader\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t9\nVmBad:\n"
	tests := []struct {
		key  string
		want int64
	}{{"VmRSS", 40960}, {"VmHWM", 51200}, {"VmSwap", 0}, {"VmBad", 0}, {"Vm", 0}}
	for _, tt := range tests {
		if got := statusKiB([]byte(status), tt.key); got != tt.want {
			t.Errorf("statusKiB(%s) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestMachineSamples(t *testing.T) {
	m := machineSamples{busy: []float64{100, 90, 80, 50}}
	if got := m.meanBusy(); got != 80 {
		t.Errorf("mean = %v, want 80", got)
	}
	if got := m.shareAtLeast(85); got != 50 {
		t.Errorf("share >= 85 = %v, want 50", got)
	}
	var none machineSamples
	if none.meanBusy() != 0 || none.shareAtLeast(85) != 0 {
		t.Error("no samples should summarise to 0")
	}
}

func TestSamplerStops(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat")
	}
	s, err := startSampler(os.Getpid(), 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	m := s.stop()
	if m.rssPeak <= 0 || m.rssLast <= 0 || m.rssPeak < m.rssLast {
		t.Errorf("rss peak %d, last %d", m.rssPeak, m.rssLast)
	}
	for _, b := range m.busy {
		if b < 0 || b > 100 {
			t.Errorf("busy sample %v out of range", b)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}}
	for _, tt := range tests {
		if got := percentile(ds, tt.p); got != tt.want {
			t.Errorf("p%v = %s, want %s", tt.p, got, tt.want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("percentile sorted its input in place")
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %s", got)
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one = %s", got)
	}
}

func TestTarGzRefusesAnEscapingLink(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "link"))
	if _, err := tarGz(dir); err == nil || !strings.Contains(err.Error(), "link") {
		t.Errorf("tarGz with a link to /etc/passwd: %v, want it refused", err)
	}
}

func TestTarGzAndUpload(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "internal", "a"), 0o755)
	os.WriteFile(filepath.Join(dir, "internal", "a", "a.go"), []byte("package a\n"), 0o644)
	archive, err := tarGz(dir)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	got := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[h.Name] = string(b)
	}
	want := map[string]string{"go.mod": "module x\n", "internal/a/a.go": "package a\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("archive (-want +got)\n%s", diff)
	}

	up, err := newUpload("notes-api", archive)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/submissions", bytes.NewReader(up.Body()))
	req.Header.Set("Content-Type", up.ContentType())
	if err := req.ParseMultipartForm(1 << 20); err != nil {
		t.Fatal(err)
	}
	if c := req.FormValue("challenge"); c != "notes-api" {
		t.Errorf("challenge = %q", c)
	}
	f, _, err := req.FormFile("archive")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	if !bytes.Equal(b, archive) {
		t.Error("the archive field differs from the archive")
	}
}

func TestBaselineHandler(t *testing.T) {
	up, err := newUpload("notes-api", []byte("not really a tar.gz, the baseline only reads it"))
	if err != nil {
		t.Fatal(err)
	}
	noChallenge, _ := newUpload("", []byte("x"))
	tests := []struct {
		name        string
		method      string
		body        []byte
		contentType string
		want        int
	}{
		{"upload", http.MethodPost, up.Body(), up.ContentType(), http.StatusAccepted},
		{"no challenge", http.MethodPost, noChallenge.Body(), noChallenge.ContentType(), http.StatusBadRequest},
		{"not multipart", http.MethodPost, []byte(`{"challenge":"notes-api"}`), "application/json", http.StatusBadRequest},
		{"truncated multipart", http.MethodPost, up.Body()[:len(up.Body())/2], up.ContentType(), http.StatusBadRequest},
		{"huge body", http.MethodPost, bytes.Repeat([]byte("x"), 9<<20), up.ContentType(), http.StatusBadRequest},
		{"GET", http.MethodGet, nil, "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/v1/submissions", bytes.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			w := httptest.NewRecorder()
			baselineHandler().ServeHTTP(w, req)
			if w.Code != tt.want {
				t.Errorf("status = %d, want %d: %s", w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestOpenLoopDoesNotWaitForAnswers(t *testing.T) {
	// Every call takes 100ms; at 200/s for 0.25s a closed loop would send
	// one, an open loop sends all 50 on schedule.
	var inFlight, peak atomic.Int64
	res := openLoop(context.Background(), 200, 250*time.Millisecond, func(ctx context.Context, i int) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		if i%10 == 9 {
			return io.ErrUnexpectedEOF
		}
		return nil
	})
	if res.sent != 50 {
		t.Errorf("sent %d, want 50", res.sent)
	}
	if res.errors != 5 || res.firstErr != io.ErrUnexpectedEOF.Error() {
		t.Errorf("errors %d (%q), want 5", res.errors, res.firstErr)
	}
	if len(res.latencies) != 45 {
		t.Errorf("%d latencies, want 45", len(res.latencies))
	}
	for _, l := range res.latencies {
		if l < 100*time.Millisecond {
			t.Errorf("latency %s shorter than the call", l)
		}
	}
	if peak.Load() < 10 {
		t.Errorf("at most %d calls in flight: the loop waited for answers", peak.Load())
	}
	if r := res.rate(); r < 150 || r > 260 {
		t.Errorf("achieved %.1f/s, want about 200", r)
	}
	if res.window > 400*time.Millisecond {
		t.Errorf("send window %s, want about 245ms", res.window)
	}
}

func TestOpenLoopStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := openLoop(ctx, 100, 10*time.Second, func(context.Context, int) error { return nil })
	if time.Since(start) > 2*time.Second {
		t.Errorf("openLoop ran %s after its context ended", time.Since(start))
	}
	if res.sent == 0 || res.sent > 20 {
		t.Errorf("sent %d, want a few", res.sent)
	}
}

func TestLoadResultMerge(t *testing.T) {
	a := loadResult{latencies: []time.Duration{1}, sent: 2, gaps: 1, errors: 1, window: time.Second}
	b := loadResult{latencies: []time.Duration{2, 3}, sent: 3, gaps: 2, errors: 1, firstErr: "boom", window: time.Second}
	got := a.merge(b)
	if len(got.latencies) != 3 || got.sent != 5 || got.errors != 2 || got.firstErr != "boom" || got.window != 2*time.Second {
		t.Errorf("merge = %+v", got)
	}
	if r := got.rate(); r != 1.5 {
		t.Errorf("merged rate = %v, want 1.5 (3 intervals in 2s)", r)
	}
	if len(a.latencies) != 1 {
		t.Error("merge changed its receiver's latencies")
	}
}

// fakeAPI is the subset of the grading API the measures use, answering
// from fixed strings.
func fakeAPI(t *testing.T, token, events, record string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				http.Error(w, `{"error":{"code":"unauthorized"}}`, http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /v1/submissions", auth(func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := r.FormFile("archive"); err != nil {
			http.Error(w, "no archive", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"sub_1","state":"queued"}`)
	}))
	mux.HandleFunc("GET /v1/submissions/sub_1", auth(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, record)
	}))
	mux.HandleFunc("GET /v1/submissions/sub_1/events", auth(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, events)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSubmitAndWait(t *testing.T) {
	const token = "0123456789abcdef0123"
	up, err := newUpload("notes-api", []byte("archive"))
	if err != nil {
		t.Fatal(err)
	}
	done := "event: queued\ndata: {}\n\nevent: done\ndata: {}\n\n"
	passed := `{"state":"graded","status":"passed","score":10,"max_score":10,"result":{"status":"passed"}}`
	tests := []struct {
		name    string
		token   string
		events  string
		record  string
		wantErr string
	}{
		{"passed", token, done, passed, ""},
		{"wrong token", "nope-nope-nope-nope", done, passed, "HTTP 401"},
		{"stream ends early", token, "event: queued\ndata: {}\n\n", passed, "without done"},
		{"done but no result", token, done, `{"state":"graded","status":"passed"}`, "without a result"},
		{"graded error", token, done, `{"state":"graded","status":"error","result":{}}`, "graded error"},
		{"malformed record", token, done, `{"state":`, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAPI(t, token, tt.events, tt.record)
			api, err := newAPIClient(srv.URL, newBenchClient())
			if err != nil {
				t.Fatal(err)
			}
			took, rec, err := submitAndWait(context.Background(), api, tt.token, up, 5*time.Second)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if took <= 0 || rec.Score != 10 || !graded(rec) {
					t.Errorf("took %s, record %+v", took, rec)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestSubRecordGraded(t *testing.T) {
	tests := []struct {
		rec  string
		want bool
	}{
		{`{"state":"graded","result":{}}`, true},
		{`{"state":"graded","result":null}`, false},
		{`{"state":"graded"}`, false},
		{`{"state":"grading","result":{}}`, false},
	}
	for _, tt := range tests {
		var rec wire.Submission
		if err := json.Unmarshal([]byte(tt.rec), &rec); err != nil {
			t.Fatal(err)
		}
		if got := graded(rec); got != tt.want {
			t.Errorf("%s graded = %v, want %v", tt.rec, got, tt.want)
		}
	}
}

func TestNewTokens(t *testing.T) {
	tok := newTokens(3)
	if len(tok.learners) != 3 {
		t.Fatalf("%d tokens", len(tok.learners))
	}
	entries := strings.Split(tok.env, ",")
	if len(entries) != 3 {
		t.Fatalf("GRADER_TOKENS %q has %d entries", tok.env, len(entries))
	}
	seen := map[string]bool{}
	for i, e := range entries {
		parts := strings.Split(e, ":")
		if len(parts) != 3 || parts[0] != "learner" || parts[2] != tok.learners[i] || len(parts[2]) < 16 {
			t.Errorf("entry %q", e)
		}
		if seen[parts[1]] {
			t.Errorf("subject %s twice", parts[1])
		}
		seen[parts[1]] = true
	}
	if newTokens(1).learners[0] == newTokens(1).learners[0] {
		t.Error("tokens repeat between runs")
	}
}

func TestWanted(t *testing.T) {
	defer func(s map[string]bool) { selected = s }(selected)
	tests := []struct {
		only map[string]bool
		name string
		want bool
	}{
		{map[string]bool{}, "service-burst", true},
		{map[string]bool{"service": true}, "service-burst", true},
		{map[string]bool{"service-latency": true}, "service-burst", false},
		{map[string]bool{"service-latency": true}, "service-latency", true},
		{map[string]bool{"service": true}, "grade", false},
		{map[string]bool{"grade": true}, "grade", true},
	}
	for _, tt := range tests {
		selected = tt.only
		if got := wanted(tt.name); got != tt.want {
			t.Errorf("-only %v: wanted(%s) = %v, want %v", tt.only, tt.name, got, tt.want)
		}
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 8}
	b.Write([]byte("0123456789"))
	b.Write([]byte("ab"))
	if got := b.String(); got != "456789ab" {
		t.Errorf("tail = %q", got)
	}
}

// fakeGrader writes a shell script standing in for bin/grader.
func fakeGrader(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "grader")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStartServe(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	t.Run("serving", func(t *testing.T) {
		// The fake checks its arguments and environment, then serves until
		// SIGTERM.
		bin := fakeGrader(t, `case "$*" in *"serve --listen 127.0.0.1:0 --redis-url redis://r --worker-id w --concurrency 2 --submit-limit"*"--no-worker"*) ;; *) echo "bad args: $*" >&2; exit 2;; esac
[ "$GRADER_TOKENS" = "learner:a:0123456789abcdef" ] || { echo "bad tokens" >&2; exit 2; }
echo "level=INFO msg=starting" >&2
echo "grader: serving on http://127.0.0.1:4242" >&2
trap 'exit 0' TERM
while :; do sleep 0.05; done
`)
		s, err := startServe(context.Background(), serveOptions{bin: bin, catalog: "c", redisURL: "redis://r", workerID: "w",
			concurrency: 2, noWorker: true, tokens: "learner:a:0123456789abcdef"})
		if err != nil {
			t.Fatal(err)
		}
		if s.url != "http://127.0.0.1:4242" {
			t.Errorf("url = %q", s.url)
		}
		start := time.Now()
		s.stop(10 * time.Second)
		if time.Since(start) > 5*time.Second {
			t.Errorf("stop took %s: SIGTERM was not delivered", time.Since(start))
		}
		if !strings.Contains(s.log.String(), "starting") {
			t.Errorf("log = %q", s.log)
		}
	})
	t.Run("exits early", func(t *testing.T) {
		bin := fakeGrader(t, "echo 'grader: unknown command \"serve\"' >&2\nexit 2\n")
		_, err := startServe(context.Background(), serveOptions{bin: bin, concurrency: 1})
		if err == nil || !strings.Contains(err.Error(), `unknown command`) {
			t.Errorf("err = %v, want the process's own message", err)
		}
	})
	t.Run("ignores SIGTERM", func(t *testing.T) {
		bin := fakeGrader(t, "echo 'grader: serving on http://x' >&2\ntrap '' TERM\nwhile :; do sleep 0.05; done\n")
		s, err := startServe(context.Background(), serveOptions{bin: bin, concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		s.stop(200 * time.Millisecond)
		select {
		case <-s.done:
		default:
			t.Error("the process still runs after stop")
		}
	})
}
