package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

// burstOutcome is how the submissions of a burst ended.
type burstOutcome struct {
	accepted, rejected int
	passed, notPassed  int // graded with a result, status not error
	errored            int // graded with status error
	pending            int // accepted, not graded by the deadline
	firstProblem       string
}

// lost is what the burst lost: accepted but never graded, or graded with
// the service's own fault.
func (o burstOutcome) lost() int { return o.errored + o.pending }

// benchBurst submits learners × each references at once to a worker of
// concurrency NumCPU and waits for every result, sampling the machine's
// CPU and serve's memory; the baseline is seq sequential `grader grade`
// runs extrapolated to the burst's size.
func benchBurst(ctx context.Context, bin, catalog string, learners, each, seq int) ([]row, error) {
	total := learners * each
	// Every submission has content of its own: the result cache would
	// answer identical ones without a grading.
	ups := make([]upload, total+1)
	for i := range ups {
		up, err := referenceVariant(catalog, i)
		if err != nil {
			return nil, err
		}
		ups[i] = up
	}
	dir := referenceDir(catalog)
	if _, err := gradeOnce(ctx, bin, catalog, "notes-api", dir); err != nil { // warm-up
		return nil, err
	}
	var sequential time.Duration
	for i := 0; i < seq; i++ {
		g, err := gradeOnce(ctx, bin, catalog, "notes-api", dir)
		if err != nil {
			return nil, err
		}
		sequential += g
		fmt.Fprintf(os.Stderr, "  baseline grade %d/%d: %s\n", i+1, seq, secs(g))
	}
	extrapolated := sequential * time.Duration(total) / time.Duration(seq)

	tokens := newTokens(learners)
	cpus := runtime.NumCPU()
	svc, err := startService(ctx, bin, catalog, "burst", cpus, false, tokens)
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	if _, _, err := submitAndWait(ctx, svc.api, tokens.learners[0], ups[total], 10*time.Minute); err != nil { // warm-up
		return nil, fmt.Errorf("warm-up submission: %w", err)
	}
	deadline := max(15*time.Minute, 3*extrapolated)
	fmt.Fprintf(os.Stderr, "  burst: %d submissions, worker concurrency %d, deadline %s\n", total, cpus, deadline)

	rssStart := rssKiB(svc.serve.pid())
	smp, err := startSampler(svc.serve.pid(), 500*time.Millisecond)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	type sent struct{ id, token string }
	var (
		mu   sync.Mutex
		subs []sent
		out  burstOutcome
		wg   sync.WaitGroup
	)
	for l := 0; l < learners; l++ {
		wg.Add(1)
		go func(l int, token string) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id, err := svc.api.submit(ctx, token, ups[l*each+i])
				mu.Lock()
				if err != nil {
					out.rejected++
					if out.firstProblem == "" {
						out.firstProblem = err.Error()
					}
				} else {
					subs = append(subs, sent{id, token})
				}
				mu.Unlock()
			}
		}(l, tokens.learners[l])
	}
	wg.Wait()
	out.accepted = len(subs)
	fmt.Fprintf(os.Stderr, "  burst: %d accepted, %d rejected in %s\n", out.accepted, out.rejected, secs(time.Since(start)))

	pending := subs
	var last time.Time
	var pollErr error
	lastReport := time.Now()
	waitCtx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	for len(pending) > 0 && waitCtx.Err() == nil {
		var still []sent
		for _, s := range pending {
			rec, err := svc.api.record(waitCtx, s.token, s.id)
			switch {
			case err != nil:
				// A failed poll is not a lost submission: ask again, and
				// say so if it never answers.
				still = append(still, s)
				if pollErr == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
					pollErr = err
				}
			case !graded(rec):
				still = append(still, s)
			case rec.Status == "error":
				out.errored++
				last = time.Now()
				if out.firstProblem == "" {
					out.firstProblem = s.id + " graded status error"
				}
			case rec.Status != "passed":
				out.notPassed++
				last = time.Now()
				if out.firstProblem == "" {
					out.firstProblem = fmt.Sprintf("%s graded %s (%d/%d)", s.id, rec.Status, rec.Score, rec.MaxScore)
				}
			default:
				out.passed++
				last = time.Now()
			}
		}
		pending = still
		select {
		case <-svc.serve.done:
			smp.stop()
			return nil, fmt.Errorf("grader serve exited during the burst: %s", svc.serve.log)
		default:
		}
		if time.Since(lastReport) >= 10*time.Second || len(pending) == 0 {
			m := smp.now()
			fmt.Fprintf(os.Stderr, "  burst: %d/%d graded after %s; cpu mean %.0f%%, serve RSS %.0f MiB\n",
				out.accepted-len(pending), out.accepted, secs(time.Since(start)), m.meanBusy(), float64(m.rssLast)/1024)
			lastReport = time.Now()
		}
		if len(pending) > 0 {
			select {
			case <-waitCtx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	if err := ctx.Err(); err != nil {
		smp.stop()
		return nil, err
	}
	m := smp.stop()
	out.pending = len(pending)
	if last.IsZero() {
		last = time.Now()
	}
	wall := last.Sub(start)
	graded := out.passed + out.notPassed + out.errored
	perMin := func(n int, d time.Duration) float64 { return float64(n) / d.Minutes() }

	rows := []row{
		{measure: fmt.Sprintf("burst of %d notes-api (%d learners × %d, concurrency %d): wall time", total, learners, each, cpus),
			value:    fmt.Sprintf("%s (%.1f/min)", secs(wall), perMin(graded, wall)),
			baseline: fmt.Sprintf("%s (%.1f/min; %d sequential grader grade ×%d)", secs(extrapolated), perMin(total, extrapolated), seq, total/seq),
			ratio:    ratioOf(wall, extrapolated), target: "<= 0.5x (2x the throughput)", met: 2*wall <= extrapolated,
			note: fmt.Sprintf("baseline extrapolated from %d runs; wall to the last result seen by a 500ms poll", seq)},
	}
	lostNote := fmt.Sprintf("%d accepted, %d rejected, %d passed, %d graded below full marks, %d status error, %d not graded in %s",
		out.accepted, out.rejected, out.passed, out.notPassed, out.errored, out.pending, deadline)
	if out.firstProblem != "" {
		lostNote += "; first: " + out.firstProblem
	}
	if pollErr != nil {
		lostNote += "; a poll failed: " + pollErr.Error()
	}
	rows = append(rows, row{measure: "burst: submissions lost", value: fmt.Sprintf("%d of %d", out.lost(), out.accepted), baseline: "-",
		target: "0", met: out.lost() == 0 && out.rejected == 0, note: lostNote})
	mean, share := m.meanBusy(), m.shareAtLeast(85)
	rows = append(rows, row{measure: fmt.Sprintf("burst: CPU busy, whole machine (%d cores)", cpus),
		value: fmt.Sprintf("mean %.0f%%", mean), baseline: "-", target: ">= 85%", met: mean >= 85,
		note: fmt.Sprintf("%.0f%% of %d samples (every 500ms) >= 85%%", share, len(m.busy))})
	mib := func(kib int64) float64 { return float64(kib) / 1024 }
	rssEnd := rssKiB(svc.serve.pid())
	if rssEnd == 0 {
		rssEnd = m.rssLast
	}
	const flatKiB = 64 << 10
	rows = append(rows, row{measure: "burst: serve RSS start / peak / end",
		value:    fmt.Sprintf("%.0f / %.0f / %.0f MiB", mib(rssStart), mib(m.rssPeak), mib(rssEnd)),
		baseline: "-", target: "peak <= start + 64 MiB", met: rssStart > 0 && m.rssPeak <= rssStart+flatKiB,
		note: fmt.Sprintf("growth %+.0f MiB at the end", mib(rssEnd-rssStart))})
	return rows, nil
}
