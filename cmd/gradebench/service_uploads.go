package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
)

// largestUpload is a submission as large as the service takes: an archive
// just under the archive limit (random, so it does not compress), in
// files under the per-file limit.
func largestUpload() (upload, error) {
	lim := grader.DefaultSubmissionLimits()
	files := []grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module notes\n")}}
	// Tar headers and gzip framing take a few KiB per MiB of random data.
	left := lim.ArchiveBytes - 64<<10
	for i := 0; left > 0; i++ {
		b := make([]byte, min(left, 1<<20))
		_, _ = rand.Read(b)
		files = append(files, grader.File{Name: fmt.Sprintf("data/blob%02d.bin", i), Mode: 0o644, Data: b})
		left -= int64(len(b))
	}
	var buf bytes.Buffer
	if err := grader.WriteArchive(&buf, files); err != nil {
		return upload{}, err
	}
	if int64(buf.Len()) > lim.ArchiveBytes {
		return upload{}, fmt.Errorf("the largest upload's archive is %d bytes, over the %d limit", buf.Len(), lim.ArchiveBytes)
	}
	return newUpload("notes-api", buf.Bytes())
}

// benchUploads sends n of the largest uploads at once to `serve
// --no-worker`, each retrying after Retry-After when the service answers
// 503, and samples serve's RSS meanwhile: its peak against its RSS idle.
func benchUploads(ctx context.Context, bin, catalog string, n int) ([]row, error) {
	up, err := largestUpload()
	if err != nil {
		return nil, err
	}
	tokens := newTokens(20)
	svc, err := startService(ctx, bin, catalog, "uploads", 1, true, tokens)
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	hc := newBenchClient()
	hc.Timeout = time.Minute
	defer hc.CloseIdleConnections()
	api, err := newAPIClient(svc.serve.url, hc)
	if err != nil {
		return nil, err
	}
	if _, err := svc.api.submit(ctx, tokens.learners[0], up); err != nil { // warm-up
		return nil, fmt.Errorf("warm-up upload: %w", err)
	}
	time.Sleep(time.Second)
	idle := rssKiB(svc.serve.pid())
	smp, err := startSampler(svc.serve.pid(), 20*time.Millisecond)
	if err != nil {
		return nil, err
	}
	var (
		mu               sync.Mutex
		accepted, busy   int
		firstErr         error
		wg               sync.WaitGroup
		start            = make(chan struct{})
		deadline, cancel = context.WithTimeout(ctx, 3*time.Minute)
	)
	defer cancel()
	began := time.Now()
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			for deadline.Err() == nil {
				_, err := api.c.WithToken(tokens.learners[i%len(tokens.learners)]).SubmitOnce(deadline, up, "")
				se, isAnswer := client.AsError(err)
				full := isAnswer && se.Status == http.StatusServiceUnavailable
				mu.Lock()
				switch {
				case err == nil:
					accepted++
				case full:
					busy++
				default:
					if firstErr == nil {
						firstErr = answerErr(err)
					}
				}
				mu.Unlock()
				if !full {
					return
				}
				select { // Retry-After: 1
				case <-deadline.Done():
				case <-time.After(time.Second):
				}
			}
		}(i)
	}
	close(start)
	wg.Wait()
	took := time.Since(began)
	m := smp.stop()
	fmt.Fprintf(os.Stderr, "  %d uploads of %.1f MiB: %d accepted, %d answers 503 (retried) in %s; serve RSS %.0f MiB idle, peak %.0f MiB\n",
		n, float64(len(up.Body()))/(1<<20), accepted, busy, secs(took), float64(idle)/1024, float64(m.rssPeak)/1024)
	if firstErr != nil {
		return nil, fmt.Errorf("uploads failed: %w", firstErr)
	}
	const targetKiB = 300 * 1000 * 1000 / 1024 // 300 MB
	note := fmt.Sprintf("%d accepted, %d answers 503 with Retry-After (retried), all in %s", accepted, busy, secs(took))
	met := m.rssPeak < targetKiB && accepted == n
	if m.rssPeak >= targetKiB {
		note = missedBy(float64(m.rssPeak), float64(targetKiB)) + "; " + note
	}
	return []row{{measure: fmt.Sprintf("serve peak RSS, %d concurrent uploads of %.1f MiB (the largest taken)", n, float64(len(up.Body()))/(1<<20)),
		value:    fmt.Sprintf("%.0f MiB", float64(m.rssPeak)/1024),
		baseline: fmt.Sprintf("%.0f MiB (idle, after one upload)", float64(idle)/1024),
		ratio:    float64(m.rssPeak) / float64(max(idle, 1)), target: "< 300 MB, all accepted", met: met, note: note}}, nil
}
