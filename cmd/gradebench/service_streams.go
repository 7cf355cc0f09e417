package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchFollowers measures what idle event streams cost an API process:
// the p99 of GET /v1/challenges and of POST /v1/submissions with no
// stream open (the baseline) and with followers idle streams open
// (learners × followers/learners, each on the learner's own queued
// submission), and serve's RSS per stream. `serve --no-worker` grades
// nothing, so the streams stay idle but for their heartbeats.
func benchFollowers(ctx context.Context, bin, catalog string, followers, learners, rate int, dur time.Duration) ([]row, error) {
	up, err := referenceUpload(catalog)
	if err != nil {
		return nil, err
	}
	tokens := newTokens(learners)
	svc, err := startService(ctx, bin, catalog, "followers", 1, true, tokens)
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	ids := make([]string, learners)
	for i, tok := range tokens.learners {
		if ids[i], err = svc.api.submit(ctx, tok, up); err != nil {
			return nil, fmt.Errorf("submission of learner %d: %w", i, err)
		}
	}
	hc := newBenchClient()
	defer hc.CloseIdleConnections()
	api, err := newAPIClient(svc.serve.url, hc)
	if err != nil {
		return nil, err
	}
	listChallenges := func(ctx context.Context, i int) error {
		_, err := api.c.WithToken(tokens.learners[i%learners]).Challenges(ctx)
		return answerErr(err)
	}
	submit := func(ctx context.Context, i int) error {
		_, err := api.submit(ctx, tokens.learners[i%learners], up)
		return err
	}
	measure := func(label string) (get, post loadResult) {
		openLoop(ctx, rate, 2*time.Second, listChallenges) // warm-up
		openLoop(ctx, rate, time.Second/2, submit)
		// Both at once, so that both see the same moments of the run.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			get = openLoop(ctx, rate, dur, listChallenges)
		}()
		post = openLoop(ctx, rate, dur, submit)
		wg.Wait()
		fmt.Fprintf(os.Stderr, "  %s: GET /v1/challenges p99 %s (%d errors), POST /v1/submissions p99 %s (%d errors)\n",
			label, ms(percentile(get.latencies, 99)), get.errors, ms(percentile(post.latencies, 99)), post.errors)
		return get, post
	}
	// Rounds alternate without and with the streams, so that drift in
	// the machine's load hits both.
	const rounds = 2
	var baseGet, basePost, get, post loadResult
	var rssBefore, rssWith int64
	var idleCPU float64
	for r := 1; r <= rounds; r++ {
		bg, bp := measure(fmt.Sprintf("round %d/%d, no streams", r, rounds))
		baseGet, basePost = baseGet.merge(bg), basePost.merge(bp)
		before := rssKiB(svc.serve.pid())
		fctx, closeStreams := context.WithCancel(ctx)
		began := time.Now()
		fl := openFollowers(fctx, svc.serve.url, tokens.learners, ids, followers)
		if fl.open != followers {
			closeStreams()
			fl.wait()
			return nil, fmt.Errorf("%d of %d streams opened; first failure: %v", fl.open, followers, fl.firstErr)
		}
		opened := time.Since(began)
		time.Sleep(time.Second) // let the process settle with every stream open
		// A whole heartbeat period (15 s), so that every stream beats in it.
		cpu0 := procCPUTicks(svc.serve.pid())
		time.Sleep(15 * time.Second)
		idleCPU = float64(procCPUTicks(svc.serve.pid())-cpu0) / 15 // ticks are 1/100 s: percent of one core
		with := rssKiB(svc.serve.pid())
		if r == 1 {
			rssBefore, rssWith = before, with
		}
		fmt.Fprintf(os.Stderr, "  round %d/%d: %d streams opened in %s; serve RSS %.0f MiB (%.0f MiB before), CPU %.0f%% of a core while they idle\n",
			r, rounds, followers, secs(opened), float64(with)/1024, float64(before)/1024, idleCPU)
		g, p := measure(fmt.Sprintf("round %d/%d, %d streams", r, rounds, followers))
		get, post = get.merge(g), post.merge(p)
		lost := fl.ended()
		closeStreams()
		fl.wait()
		if lost > 0 {
			return nil, fmt.Errorf("%d of %d streams ended while measuring", lost, followers)
		}
	}

	var rows []row
	for _, m := range []struct {
		what      string
		got, base loadResult
	}{{"GET /v1/challenges", get, baseGet}, {"POST /v1/submissions", post, basePost}} {
		p99, b99 := percentile(m.got.latencies, 99), percentile(m.base.latencies, 99)
		ratio := ratioOf(p99, b99)
		note := fmt.Sprintf("%d/s open loop, %s; errors %d of %d (baseline %d)", rate, dur, m.got.errors, m.got.sent, m.base.errors)
		if m.got.errors > 0 {
			note += "; first: " + m.got.firstErr
		}
		if ratio > 1.5 {
			note = missedBy(ratio, 1.5) + "; " + note
		}
		rows = append(rows, row{measure: fmt.Sprintf("%s p99 with %d idle event streams (%d learners, both routes at once)", m.what, followers, learners),
			value: ms(p99), baseline: ms(b99) + " (no streams)", ratio: ratio, target: "<= 1.5x, no errors",
			met: b99 > 0 && ratio <= 1.5 && m.got.errors == 0, note: note})
	}
	perKiB := float64(rssWith-rssBefore) / float64(followers)
	rows = append(rows, row{measure: fmt.Sprintf("serve RSS per idle event stream (%d streams)", followers),
		value: fmt.Sprintf("%.1f KiB", perKiB), baseline: fmt.Sprintf("%.0f MiB RSS with none", float64(rssBefore)/1024), target: "-", met: true,
		note: fmt.Sprintf("RSS %.0f MiB with the streams open; serve CPU %.0f%% of a core while they idle", float64(rssWith)/1024, idleCPU)})
	return rows, nil
}

// followerSet is a set of open event streams, each read until its
// context ends.
type followerSet struct {
	open     int
	firstErr error
	wg       sync.WaitGroup
	mu       sync.Mutex
	early    int // streams that ended before their context
}

func (f *followerSet) wait() { f.wg.Wait() }

func (f *followerSet) ended() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.early
}

// openFollowers opens n event streams, spread evenly over the learners,
// each on its learner's submission, 64 at a time, and returns once each
// has answered its headers. Each stream is read (heartbeats) on its own
// connection until ctx ends.
func openFollowers(ctx context.Context, base string, tokens, ids []string, n int) *followerSet {
	fs := &followerSet{}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	gate := make(chan struct{}, 64)
	var opened sync.WaitGroup
	for i := range n {
		gate <- struct{}{}
		opened.Add(1)
		fs.wg.Add(1)
		go func(i int) {
			defer fs.wg.Done()
			l := i % len(tokens)
			resp, err := follow(ctx, hc, base+"/v1/submissions/"+ids[l]+"/events", tokens[l])
			fs.mu.Lock()
			if err != nil {
				if fs.firstErr == nil {
					fs.firstErr = err
				}
			} else {
				fs.open++
			}
			fs.mu.Unlock()
			<-gate
			opened.Done()
			if err != nil {
				return
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body) // heartbeats, until ctx ends
			if ctx.Err() == nil {
				fs.mu.Lock()
				fs.early++
				fs.mu.Unlock()
			}
		}(i)
	}
	opened.Wait()
	return fs
}

// follow opens one event stream and returns once its headers came.
func follow(ctx context.Context, hc *http.Client, url, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("follow: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		return nil, fmt.Errorf("follow: HTTP %d: %s", resp.StatusCode, raw)
	}
	return resp, nil
}

// procCPUTicks is a process's user and system CPU time so far, in clock
// ticks (1/100 s on Linux), from /proc/PID/stat; 0 if unreadable.
func procCPUTicks(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from after its closing parenthesis (utime and stime are the 14th
	// and 15th fields of the line).
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}
