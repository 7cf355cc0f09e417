package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/gradebox/grader/api/wire"
)

// benchCohortInteractive measures what a cohort's deadline spike does to
// a learner grading interactively: n notes-api references are bulk
// submitted into a cohort (its batch lane), then one learner submits the
// same reference interactively. The baseline is the same interactive
// submission on the idle service, in the same run; the second row says
// when, within the cohort's run, the interactive result came.
func benchCohortInteractive(ctx context.Context, bin, catalog string, n, runs int) ([]row, error) {
	// Every submission has content of its own: the result cache would
	// answer identical ones without a grading.
	variant := 0
	next := func() ([]byte, error) {
		variant++
		return variantArchive(referenceDir(catalog), variant)
	}
	interactive := func() (upload, error) {
		archive, err := next()
		if err != nil {
			return upload{}, err
		}
		return newUpload("notes-api", archive)
	}
	tokens := newTokens(1)
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	teach := hex.EncodeToString(raw)
	tokens.env += ",instructor:benchteach:" + teach
	cpus := runtime.NumCPU()
	svc, err := startService(ctx, bin, catalog, "cohort", cpus, false, tokens)
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	learner := tokens.learners[0]

	// Baseline: the interactive submission on the idle service.
	var alone []time.Duration
	for i := 0; i <= runs; i++ {
		up, err := interactive()
		if err != nil {
			return nil, err
		}
		d, _, err := submitAndWait(ctx, svc.api, learner, up, 10*time.Minute)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			alone = append(alone, d)
		}
		fmt.Fprintf(os.Stderr, "  idle: interactive %s\n", secs(d))
	}

	var learners []string
	for i := range n {
		learners = append(learners, fmt.Sprintf("c%03d", i))
	}
	if _, err := svc.api.c.WithToken(teach).CreateCohort(ctx, wire.CohortRequest{ID: "bench", Learners: learners, Challenges: []string{"notes-api"}}); err != nil {
		return nil, fmt.Errorf("create the cohort: %w", answerErr(err))
	}

	start := time.Now()
	ids := make([]string, 0, n)
	for _, l := range learners {
		archive, err := next()
		if err != nil {
			return nil, err
		}
		cu, err := newUploadWith(map[string]string{"challenge": "notes-api", "learner": l, "cohort": "bench"}, archive)
		if err != nil {
			return nil, err
		}
		id, err := svc.api.submit(ctx, teach, cu)
		if err != nil {
			return nil, fmt.Errorf("bulk submit: %w", err)
		}
		ids = append(ids, id)
	}
	uploaded := time.Since(start)
	// Let the workers get busy with the cohort first.
	if err := sleep(ctx, 3*time.Second); err != nil {
		return nil, err
	}
	up, err := interactive()
	if err != nil {
		return nil, err
	}
	during, _, err := submitAndWait(ctx, svc.api, learner, up, 10*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("interactive submission during the cohort: %w", err)
	}
	interactiveDone := time.Since(start)
	fmt.Fprintf(os.Stderr, "  cohort: %d uploaded in %s; interactive %s, done %s after the cohort started\n", n, secs(uploaded), secs(during), secs(interactiveDone))

	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	pending := ids
	for len(pending) > 0 {
		var still []string
		for _, id := range pending {
			rec, err := svc.api.record(waitCtx, teach, id)
			if err != nil || !graded(rec) {
				still = append(still, id)
				continue
			}
			if rec.Status != "passed" {
				return nil, fmt.Errorf("cohort submission %s graded %s", id, rec.Status)
			}
		}
		pending = still
		if len(pending) > 0 {
			if err := sleep(waitCtx, time.Second); err != nil {
				return nil, fmt.Errorf("%d cohort submissions not graded: %w", len(pending), err)
			}
		}
	}
	cohortDone := time.Since(start)
	fmt.Fprintf(os.Stderr, "  cohort: all %d graded after %s\n", n, secs(cohortDone))

	a := median(alone)
	what := fmt.Sprintf("%d-submission cohort, worker concurrency %d", n, cpus)
	// The interactive task waits for one running grading to end at most,
	// then goes first: within one grading time of its idle time.
	limit := 2*a + 500*time.Millisecond
	share := interactiveDone.Seconds() / cohortDone.Seconds()
	return []row{
		{measure: "interactive submit→result during a " + what, value: secs(during), baseline: secs(a) + " (same submission, idle service)",
			ratio: ratioOf(during, a), target: "<= 2x + 0.5s", met: during <= limit,
			note: fmt.Sprintf("cohort of %d took %s", n, secs(cohortDone))},
		{measure: "interactive result's time within the cohort's run", value: secs(interactiveDone), baseline: secs(cohortDone) + " (whole cohort)",
			ratio: share, target: "< 0.5", met: share < 0.5, note: strings.TrimSpace(fmt.Sprintf("submitted %s after the cohort", secs(uploaded+3*time.Second)))},
	}, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
