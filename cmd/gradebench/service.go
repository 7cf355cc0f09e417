package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
)

// The service measures run `grader serve` against its own redis-server and
// compare it with baselines measured in the same run: a trivial net/http
// handler for the API's latency, `grader grade` for grading.

// serviceMeasure is one service measure; -only selects it by name or by
// its group ("service", or "capacity" for what the API holds at once).
type serviceMeasure struct {
	name, what string
	run        func() ([]row, error)
}

func serviceMeasures(ctx context.Context, bin, catalog string, runs int) []serviceMeasure {
	return []serviceMeasure{
		{"service-latency", "submit latency: API only, open loop at 200/s, vs a trivial net/http handler", func() ([]row, error) {
			return benchSubmitLatency(ctx, bin, catalog, 200, 10*time.Second)
		}},
		{"service-result", fmt.Sprintf("submit→result of the notes-api reference (%d runs) vs grader grade", runs), func() ([]row, error) {
			return benchSubmitResult(ctx, bin, catalog, runs)
		}},
		{"service-burst", "burst of 50 notes-api references (10 learners × 5) vs sequential grader grade", func() ([]row, error) {
			return benchBurst(ctx, bin, catalog, 10, 5, 5)
		}},
		{"service-cohort", "an interactive submission during a 20-submission cohort vs the same on the idle service", func() ([]row, error) {
			return benchCohortInteractive(ctx, bin, catalog, 20, runs)
		}},
		{"capacity-followers", "5,000 idle event streams on one API process: latency of other routes vs none, RSS per stream", func() ([]row, error) {
			return benchFollowers(ctx, bin, catalog, 5000, 500, 50, 15*time.Second)
		}},
		{"capacity-uploads", "100 concurrent largest uploads: serve's peak RSS vs idle", func() ([]row, error) {
			return benchUploads(ctx, bin, catalog, 100)
		}},
	}
}

// referenceDir is the folder every service measure submits.
func referenceDir(catalog string) string { return filepath.Join(catalog, "notes-api", "solution") }

func referenceUpload(catalog string) (upload, error) {
	archive, err := tarGz(referenceDir(catalog))
	if err != nil {
		return upload{}, err
	}
	return newUpload("notes-api", archive)
}

// referenceVariant is the reference with one extra file naming n: the
// same work to grade, but content of its own, so that the result cache
// (which serves identical files at once) does not answer it.
func referenceVariant(catalog string, n int) (upload, error) {
	archive, err := variantArchive(referenceDir(catalog), n)
	if err != nil {
		return upload{}, err
	}
	return newUpload("notes-api", archive)
}

// service is a redis-server and a `grader serve` on it, for one measure.
type service struct {
	redis *redistest.Server
	serve *serveProc
	api   apiClient
}

func startService(ctx context.Context, bin, catalog, measure string, concurrency int, noWorker bool, tokens benchTokens) (*service, error) {
	r, err := redistest.Run(ctx)
	if err != nil {
		return nil, err
	}
	s, err := startServe(ctx, serveOptions{
		bin: bin, catalog: catalog, redisURL: r.URL(), tokens: tokens.env,
		workerID:    fmt.Sprintf("gradebench-%s-%d", measure, os.Getpid()),
		concurrency: concurrency, noWorker: noWorker,
	})
	if err != nil {
		r.Stop()
		return nil, err
	}
	api, err := newAPIClient(s.url, newBenchClient())
	if err != nil {
		s.stop(10 * time.Second)
		r.Stop()
		return nil, err
	}
	return &service{redis: r, serve: s, api: api}, nil
}

// stop stops serve gracefully, then its Redis.
func (s *service) stop() {
	s.serve.stop(60 * time.Second)
	s.redis.Stop()
}

// baselineHandler is the latency baseline: it reads the same multipart
// body as the API (form field and archive, the file read to the end) and
// answers 202 with a small JSON body, and does nothing else.
func baselineHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/submissions", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
		f, _, err := r.FormFile("archive")
		if err != nil || r.FormValue("challenge") == "" {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		defer f.Close()
		if _, err := io.Copy(io.Discard, f); err != nil {
			http.Error(w, "bad archive", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"id":"sub_baseline","state":"queued"}`)
	})
	return mux
}

// benchSubmitLatency measures POST /v1/submissions of `serve --no-worker`
// under an open-loop load, and the same requests against baselineHandler
// with the same client, alternating in two rounds so drift hits both.
func benchSubmitLatency(ctx context.Context, bin, catalog string, rate int, dur time.Duration) ([]row, error) {
	up, err := referenceUpload(catalog)
	if err != nil {
		return nil, err
	}
	tokens := newTokens(20)
	svc, err := startService(ctx, bin, catalog, "latency", 1, true, tokens)
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the baseline handler: %w", err)
	}
	base := &http.Server{Handler: baselineHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = base.Serve(ln) }()
	defer base.Close()
	hc := newBenchClient()
	defer hc.CloseIdleConnections()
	var send [2]func(context.Context, int) error
	for i, base := range []string{svc.serve.url, "http://" + ln.Addr().String()} {
		api, err := newAPIClient(base, hc)
		if err != nil {
			return nil, err
		}
		send[i] = func(ctx context.Context, n int) error {
			_, err := api.submit(ctx, tokens.learners[n%len(tokens.learners)], up)
			return err
		}
	}
	toService, toBaseline := send[0], send[1]

	// A short warm-up opens connections and warms both servers.
	for _, send := range []func(context.Context, int) error{toBaseline, toService} {
		if w := openLoop(ctx, rate, time.Second/2, send); w.errors > 0 {
			return nil, fmt.Errorf("warm-up: %d of %d requests failed, first: %s", w.errors, w.sent, w.firstErr)
		}
	}
	var svcRes, baseRes loadResult
	// The machine's CPU during the service rounds tells a slow API from a
	// busy machine (the load generator itself takes a share).
	var busy []float64
	const rounds = 2
	for r := 0; r < rounds; r++ {
		b := openLoop(ctx, rate, dur/rounds, toBaseline)
		fmt.Fprintf(os.Stderr, "  round %d/%d baseline: %d sent at %.1f/s, p99 %s, %d errors\n", r+1, rounds, b.sent, b.rate(), ms(percentile(b.latencies, 99)), b.errors)
		smp, err := startSampler(svc.serve.pid(), 500*time.Millisecond)
		if err != nil {
			return nil, err
		}
		s := openLoop(ctx, rate, dur/rounds, toService)
		m := smp.stop()
		busy = append(busy, m.busy...)
		fmt.Fprintf(os.Stderr, "  round %d/%d service:  %d sent at %.1f/s, p99 %s, %d errors; machine CPU %.0f%% busy\n",
			r+1, rounds, s.sent, s.rate(), ms(percentile(s.latencies, 99)), s.errors, m.meanBusy())
		baseRes, svcRes = baseRes.merge(b), svcRes.merge(s)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if len(svcRes.latencies) == 0 || len(baseRes.latencies) == 0 {
		return nil, fmt.Errorf("no request succeeded: service %s; baseline %s", svcRes.firstErr, baseRes.firstErr)
	}
	what := fmt.Sprintf("%d/s open loop, %s", rate, dur)
	note := fmt.Sprintf("achieved %.1f/s (baseline %.1f/s); errors %d of %d (baseline %d); machine CPU %.0f%% busy meanwhile",
		svcRes.rate(), baseRes.rate(), svcRes.errors, svcRes.sent, baseRes.errors, machineSamples{busy: busy}.meanBusy())
	if svcRes.errors > 0 {
		note += "; first: " + svcRes.firstErr
	}
	p50, b50 := percentile(svcRes.latencies, 50), percentile(baseRes.latencies, 50)
	p99, b99 := percentile(svcRes.latencies, 99), percentile(baseRes.latencies, 99)
	const target = 20 * time.Millisecond
	met := p99 <= target && svcRes.errors == 0
	p99note := note
	if p99 > target {
		p99note = missedBy(p99.Seconds(), target.Seconds()) + "; " + note
	}
	return []row{
		{measure: "submit latency p50 (API only, " + what + ")", value: ms(p50), baseline: ms(b50) + " (net/http handler reading the upload)",
			ratio: ratioOf(p50, b50), target: "-", met: true, note: note},
		{measure: "submit latency p99 (API only, " + what + ")", value: ms(p99), baseline: ms(b99) + " (net/http handler reading the upload)",
			ratio: ratioOf(p99, b99), target: "p99 <= 20ms, no errors", met: met, note: p99note},
	}, nil
}

func ratioOf(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

// gradeOnce runs `grader grade` of dir as a learner would and times it; a
// reference that does not score full marks (exit status 1) is an error.
func gradeOnce(ctx context.Context, bin, catalog, challenge, dir string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, "--catalog", catalog, "grade", "--challenge", challenge, "-q", "--json", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		s := out.String()
		if len(s) > 500 {
			s = s[len(s)-500:]
		}
		return 0, fmt.Errorf("grader grade %s: %w: %s", dir, err, s)
	}
	return took, nil
}

// submitAndWait submits up and follows it to its done event; it returns
// the time from the POST to done and the submission's final record.
func submitAndWait(ctx context.Context, api apiClient, token string, up upload, timeout time.Duration) (time.Duration, wire.Submission, error) {
	return submitAndWaitTimed(ctx, api, token, up, timeout, nil)
}

// timeline is where one submission's time went, from its events' own
// times (the service runs on this machine, so the clocks agree).
type timeline struct {
	// accept is the POST's round trip.
	accept time.Duration
	// pickUp is from the queued event to the started one: the wait for
	// a worker to take the task.
	pickUp time.Duration
	// grading is from the started event to the result's graded_at: the
	// worker's grading.
	grading time.Duration
	// deliver is from graded_at to the done event reaching the client:
	// storing the result and streaming it.
	deliver time.Duration
}

// submitAndWaitTimed is submitAndWait that fills tl, when not nil.
func submitAndWaitTimed(ctx context.Context, api apiClient, token string, up upload, timeout time.Duration, tl *timeline) (time.Duration, wire.Submission, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	id, err := api.submit(ctx, token, up)
	if err != nil {
		return 0, wire.Submission{}, err
	}
	accepted := time.Since(start)
	var queued, started time.Time
	onEvent := func(ev grader.Event) {
		switch ev.Type {
		case grader.EventQueued:
			queued = ev.At
		case grader.EventStarted:
			started = ev.At
		}
	}
	if err := api.waitDoneWith(ctx, token, id, onEvent); err != nil {
		return 0, wire.Submission{}, err
	}
	took := time.Since(start)
	doneSeen := time.Now()
	rec, err := api.record(ctx, token, id)
	if err != nil {
		return 0, wire.Submission{}, err
	}
	if !graded(rec) {
		return 0, rec, fmt.Errorf("submission %s: done, but its record says %s without a result", id, rec.State)
	}
	if rec.Status != "passed" {
		return 0, rec, fmt.Errorf("submission %s: the reference was graded %s (%d/%d)", id, rec.Status, rec.Score, rec.MaxScore)
	}
	if tl != nil {
		// The done event's time is the result's graded_at.
		done := rec.Result.GradedAt
		*tl = timeline{accept: accepted, pickUp: started.Sub(queued), grading: done.Sub(started), deliver: doneSeen.Sub(done)}
	}
	return took, rec, nil
}

// benchSubmitResult times one submission from POST to its done event on
// a worker of concurrency 1, against `grader grade` of the same folder,
// the two interleaved after one warm-up each.
func benchSubmitResult(ctx context.Context, bin, catalog string, runs int) ([]row, error) {
	tokens := newTokens(1)
	svc, err := startService(ctx, bin, catalog, "result", 1, false, tokens)
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	dir := referenceDir(catalog)
	var viaService, viaGrade []time.Duration
	var parts []timeline
	var last upload
	for i := 0; i <= runs; i++ {
		if last, err = referenceVariant(catalog, i); err != nil {
			return nil, err
		}
		var tl timeline
		s, _, err := submitAndWaitTimed(ctx, svc.api, tokens.learners[0], last, 10*time.Minute, &tl)
		if err != nil {
			return nil, err
		}
		g, err := gradeOnce(ctx, bin, catalog, "notes-api", dir)
		if err != nil {
			return nil, err
		}
		label := "warm-up"
		if i > 0 {
			label = fmt.Sprintf("run %d/%d", i, runs)
			viaService, viaGrade = append(viaService, s), append(viaGrade, g)
			parts = append(parts, tl)
		}
		fmt.Fprintf(os.Stderr, "  %s: service %s, grade %s\n", label, secs(s), secs(g))
	}
	s, g := median(viaService), median(viaGrade)
	limit := time.Duration(float64(g)*1.02) + 50*time.Millisecond
	note := fmt.Sprintf("service - grade = %+.0fms", float64(s-g)/float64(time.Millisecond))
	if s > limit {
		note = fmt.Sprintf("missed by %.0fms; ", float64(s-limit)/float64(time.Millisecond)) + note
	}
	rows := []row{{measure: "submit→result, notes-api reference (worker concurrency 1, SSE done)", value: secs(s),
		baseline: secs(g) + " (grader grade)", ratio: ratioOf(s, g), target: "<= 1.02x + 50ms", met: s <= limit, note: note}}
	part := func(f func(timeline) time.Duration) time.Duration {
		var ds []time.Duration
		for _, p := range parts {
			ds = append(ds, f(p))
		}
		return median(ds)
	}
	grading := part(func(p timeline) time.Duration { return p.grading })
	rows = append(rows, row{measure: "submit→result by part (medians)", value: "-", baseline: "-", target: "-", met: true,
		note: fmt.Sprintf("POST %s, waiting for a worker %s, grading in the worker %s (grader grade %s), result stored and streamed %s",
			ms(part(func(p timeline) time.Duration { return p.accept })), ms(part(func(p timeline) time.Duration { return p.pickUp })),
			secs(grading), secs(g), ms(part(func(p timeline) time.Duration { return p.deliver })))})

	// The last variant again, unchanged: the result cache answers.
	var again []time.Duration
	for i := 0; i < max(runs, 5); i++ {
		d, rec, err := submitAndWait(ctx, svc.api, tokens.learners[0], last, time.Minute)
		if err != nil {
			return nil, err
		}
		if rec.Result == nil || rec.Result.Cached == nil {
			return nil, fmt.Errorf("an unchanged resubmission was graded again, not served from the result cache")
		}
		again = append(again, d)
	}
	c := median(again)
	fmt.Fprintf(os.Stderr, "  resubmissions of identical files: %v\n", again)
	rows = append(rows, row{measure: "resubmission of identical files (result cache), submit→result", value: ms(c),
		baseline: secs(s) + " (a fresh grading through the service)", ratio: ratioOf(c, s), target: "<= 100ms", met: c <= 100*time.Millisecond})
	return rows, nil
}
