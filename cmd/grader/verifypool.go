package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// verifyJob is one sample `challenge verify` grades: the challenge, the
// sample and its files, read once and graded as many times as asked.
type verifyJob struct {
	Challenge *grader.Challenge
	Sample    challenges.Sample
	Sub       grader.Submission
}

// gradeFunc grades one submission of a challenge: the engine's Grade for
// the command, a fake in tests. It must be safe for concurrent use.
type gradeFunc func(ctx context.Context, c *grader.Challenge, sub grader.Submission) (grader.Result, error)

// gradeDone is told of each finished grading, one call at a time: how
// many of total are done, which job and which run (from 1) it was.
type gradeDone func(done, total int, j verifyJob, run int, res grader.Result)

// gradeAll grades every job runs times, with at most workers gradings at
// once, and returns results[job][run] in the order of jobs and runs
// whatever order the gradings finish in. done, if not nil, is called
// after each grading. The first error stops the gradings not yet started,
// waits for those running, and is returned naming the sample and run.
func gradeAll(ctx context.Context, jobs []verifyJob, runs, workers int, grade gradeFunc, done gradeDone) ([][]grader.Result, error) {
	runs, workers = max(runs, 1), max(workers, 1)
	results := make([][]grader.Result, len(jobs))
	for i := range results {
		results[i] = make([]grader.Result, runs)
	}
	total := len(jobs) * runs
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Tasks go out job by job, run by run, so the first samples finish
	// first and progress reads in catalog order.
	tasks := make(chan int)
	go func() {
		defer close(tasks)
		for t := range total {
			select {
			case tasks <- t:
			case <-ctx.Done():
				return
			}
		}
	}()

	var (
		mu       sync.Mutex
		finished int
		firstErr error
		wg       sync.WaitGroup
	)
	for range min(workers, max(total, 1)) {
		wg.Go(func() {
			for t := range tasks {
				if ctx.Err() != nil {
					continue // drain: an error stopped the work
				}
				j, run := jobs[t/runs], t%runs
				res, err := grade(ctx, j.Challenge, j.Sub)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("grade %s %s %s (run %d): %w", j.Challenge.ID, j.Sample.Language, sampleLabel(j.Sample.Kind, j.Sample.Name), run+1, err)
						cancel()
					}
				} else {
					results[t/runs][run] = res
					finished++
					if done != nil {
						done(finished, total, j, run+1, res)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}
