package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/sse"
)

// tarGz packs a folder as `grader submit` sends one: read with the
// service's rules, written by grader.WriteArchive.
func tarGz(dir string) ([]byte, error) {
	sub, err := grader.ReadDir("", dir, grader.SubmissionLimits{})
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	var buf bytes.Buffer
	if err := grader.WriteArchive(&buf, sub.Files); err != nil {
		return nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	return buf.Bytes(), nil
}

// upload is one POST /v1/submissions body, built once and sent many
// times.
type upload struct {
	body        []byte
	contentType string
}

// newUpload builds the multipart body of a submission: the field
// challenge and the file archive.
func newUpload(challenge string, archive []byte) (upload, error) {
	return newUploadWith(map[string]string{"challenge": challenge}, archive)
}

// newUploadWith builds a multipart body of the form fields and the file
// archive.
func newUploadWith(fields map[string]string, archive []byte) (upload, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			return upload{}, err
		}
	}
	fw, err := mw.CreateFormFile("archive", "solution.tar.gz")
	if err != nil {
		return upload{}, err
	}
	if _, err := fw.Write(archive); err != nil {
		return upload{}, err
	}
	if err := mw.Close(); err != nil {
		return upload{}, err
	}
	return upload{body: body.Bytes(), contentType: mw.FormDataContentType()}, nil
}

// newBenchClient is the one HTTP client both the service and its baselines
// are measured with: keep-alive, enough idle connections for an open
// loop, no compression.
func newBenchClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

// statusError is an answer other than the one expected.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

// do sends a request with a bearer token and reads the whole answer; an
// answer other than want is a *statusError.
func do(ctx context.Context, hc *http.Client, method, url, token string, up *upload, want int) ([]byte, error) {
	var body io.Reader
	if up != nil {
		body = bytes.NewReader(up.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if up != nil {
		req.Header.Set("Content-Type", up.contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("read answer of %s %s: %w", method, url, err)
	}
	if resp.StatusCode != want {
		s := strings.TrimSpace(string(raw))
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		return raw, &statusError{code: resp.StatusCode, body: s}
	}
	return raw, nil
}

// apiClient talks to one grading service.
type apiClient struct {
	base string
	hc   *http.Client
}

// submit posts up as token's holder and returns the submission id.
func (a apiClient) submit(ctx context.Context, token string, up upload) (string, error) {
	raw, err := do(ctx, a.hc, http.MethodPost, a.base+"/v1/submissions", token, &up, http.StatusAccepted)
	if err != nil {
		return "", fmt.Errorf("submit: %w", err)
	}
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
		return "", fmt.Errorf("submit: answer without an id: %s", raw)
	}
	return c.ID, nil
}

// subRecord is what GET /v1/submissions/{id} says about a submission.
type subRecord struct {
	State    string          `json:"state"`
	Status   string          `json:"status"`
	Score    int             `json:"score"`
	MaxScore int             `json:"max_score"`
	Result   json.RawMessage `json:"result"`
}

// graded says the submission has its result.
func (r subRecord) graded() bool {
	return r.State == "graded" && len(r.Result) > 0 && string(r.Result) != "null"
}

// record reads a submission.
func (a apiClient) record(ctx context.Context, token, id string) (subRecord, error) {
	raw, err := do(ctx, a.hc, http.MethodGet, a.base+"/v1/submissions/"+id, token, nil, http.StatusOK)
	if err != nil {
		return subRecord{}, fmt.Errorf("get submission %s: %w", id, err)
	}
	var r subRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return subRecord{}, fmt.Errorf("get submission %s: decode %s: %w", id, raw, err)
	}
	return r, nil
}

// waitDone follows a submission's event stream until its done event.
func (a apiClient) waitDone(ctx context.Context, token, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/v1/submissions/"+id+"/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	// The stream outlives the client's timeout: ctx bounds it instead.
	hc := *a.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("follow %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("follow %s: HTTP %d: %s", id, resp.StatusCode, raw)
	}
	found, err := untilEvent(resp.Body, "done")
	if err != nil {
		return fmt.Errorf("follow %s: %w", id, err)
	}
	if !found {
		return fmt.Errorf("follow %s: the event stream ended without done", id)
	}
	return nil
}

// untilEvent reads Server-Sent Events until one of type typ has been
// received whole (its closing blank line), and says whether it came.
func untilEvent(r io.Reader, typ string) (bool, error) {
	sr := sse.NewReader(r)
	for {
		ev, err := sr.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if ev.Type == typ {
			return true, nil
		}
	}
}

// loadResult is what one open-loop run measured.
type loadResult struct {
	latencies []time.Duration // of the requests that succeeded
	sent      int
	errors    int
	firstErr  string
	// window is the time from the first send to the last, and gaps the
	// number of intervals in it (sent-1 for one run); rate is gaps/window.
	window time.Duration
	gaps   int
}

func (l loadResult) rate() float64 {
	if l.gaps < 1 || l.window <= 0 {
		return 0
	}
	return float64(l.gaps) / l.window.Seconds()
}

// merge adds another run's requests.
func (l loadResult) merge(o loadResult) loadResult {
	l.latencies = append(append([]time.Duration(nil), l.latencies...), o.latencies...)
	l.sent += o.sent
	l.errors += o.errors
	if l.firstErr == "" {
		l.firstErr = o.firstErr
	}
	l.window += o.window
	l.gaps += o.gaps
	return l
}

// openLoop calls send at a fixed rate for dur without waiting for earlier
// calls: the i-th call is due at start + i/rate, so a slow answer never
// delays the next request (no coordinated omission on the sending side).
// A late scheduler catches up at once. Latency is timed around each call.
func openLoop(ctx context.Context, rate int, dur time.Duration, send func(ctx context.Context, i int) error) loadResult {
	n := int(dur.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	var (
		mu  sync.Mutex
		res = loadResult{latencies: make([]time.Duration, 0, n)}
		wg  sync.WaitGroup
	)
	timer := time.NewTimer(0)
	defer timer.Stop()
	start := time.Now()
	var last time.Time
	for i := 0; i < n; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				i = n
				continue
			case <-timer.C:
			}
		}
		last = time.Now()
		res.sent++
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t0 := time.Now()
			err := send(ctx, i)
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstErr == "" {
					res.firstErr = err.Error()
				}
				return
			}
			res.latencies = append(res.latencies, took)
		}(i)
	}
	if res.sent > 0 {
		res.window = last.Sub(start)
		res.gaps = res.sent - 1
	}
	wg.Wait()
	return res
}

// percentile is the nearest-rank p-th percentile (0 < p <= 100) of ds, or
// 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(float64(len(s))*p/100+0.999999) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// benchTokens are bearer tokens for n learners, made for one run.
type benchTokens struct {
	learners []string
	env      string // GRADER_TOKENS
}

func newTokens(n int) benchTokens {
	var t benchTokens
	var parts []string
	for i := 0; i < n; i++ {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		tok := hex.EncodeToString(b)
		t.learners = append(t.learners, tok)
		parts = append(parts, fmt.Sprintf("learner:bench%02d:%s", i, tok))
	}
	t.env = strings.Join(parts, ",")
	return t
}
