package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
)

// tarGz packs a folder as `grader submit` sends one: read with the
// service's rules, written by grader.WriteArchive.
func tarGz(dir string) ([]byte, error) { return packDir(dir) }

// variantArchive packs dir as tarGz does, with one more file, VARIANT.txt,
// naming n: a submission that grades like dir's but is not identical to
// any other variant's.
func variantArchive(dir string, n int) ([]byte, error) {
	return packDir(dir, grader.File{Name: "VARIANT.txt", Mode: 0o644, Data: fmt.Appendf(nil, "gradebench variant %d\n", n)})
}

// packDir packs dir's files and extra ones.
func packDir(dir string, extra ...grader.File) ([]byte, error) {
	sub, err := grader.ReadDir("", dir, grader.SubmissionLimits{})
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	var buf bytes.Buffer
	if err := grader.WriteArchive(&buf, append(sub.Files, extra...)); err != nil {
		return nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	return buf.Bytes(), nil
}

// upload is one POST /v1/submissions body, built once and sent many
// times.
type upload = client.Form

// newUpload builds the multipart body of a submission: the field
// challenge and the file archive.
func newUpload(challenge string, archive []byte) (upload, error) {
	return newUploadWith(map[string]string{"challenge": challenge}, archive)
}

// newUploadWith builds a multipart body of the form fields and the file
// archive.
func newUploadWith(fields map[string]string, archive []byte) (upload, error) {
	return client.NewForm(fields, "solution.tar.gz", archive)
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

// apiClient talks to one grading service, with a token per call.
type apiClient struct {
	c *client.Client
}

// newAPIClient returns a client of the service at base sending with hc.
// It sends each submission once and does not resume a dropped event
// stream: the measures count what the service does, not what retries
// hide.
func newAPIClient(base string, hc *http.Client) (apiClient, error) {
	c, err := client.New(client.Config{Server: base, HTTPClient: hc, UserAgent: "gradebench", MaxReconnects: -1})
	if err != nil {
		return apiClient{}, err
	}
	return apiClient{c: c}, nil
}

// answerErr words an error answer of the service as the measures report
// it, by its HTTP status.
func answerErr(err error) error {
	if ae, ok := client.AsError(err); ok {
		return fmt.Errorf("HTTP %d: %s: %s", ae.Status, ae.Code, ae.Message)
	}
	return err
}

// submit posts up once as token's holder and returns the submission id.
func (a apiClient) submit(ctx context.Context, token string, up upload) (string, error) {
	acc, err := a.c.WithToken(token).SubmitOnce(ctx, up, "")
	if err != nil {
		return "", fmt.Errorf("submit: %w", answerErr(err))
	}
	return acc.ID, nil
}

// graded says the submission has its result.
func graded(r wire.Submission) bool {
	return r.State == "graded" && r.Result != nil
}

// record reads a submission.
func (a apiClient) record(ctx context.Context, token, id string) (wire.Submission, error) {
	r, err := a.c.WithToken(token).Submission(ctx, id)
	if err != nil {
		return wire.Submission{}, fmt.Errorf("get submission %s: %w", id, answerErr(err))
	}
	return r, nil
}

// waitDone follows a submission's event stream until its done event.
func (a apiClient) waitDone(ctx context.Context, token, id string) error {
	return a.waitDoneWith(ctx, token, id, nil)
}

// waitDoneWith is waitDone that hands each event to onEvent as it comes.
func (a apiClient) waitDoneWith(ctx context.Context, token, id string, onEvent func(grader.Event)) error {
	_, err := a.c.WithToken(token).Follow(ctx, id, onEvent)
	if errors.Is(err, client.ErrStreamEnded) {
		return fmt.Errorf("follow %s: the event stream ended without done", id)
	}
	if err != nil {
		return fmt.Errorf("follow %s: %w", id, answerErr(err))
	}
	return nil
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
