//go:build integration

package cohort

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
	"github.com/gradebox/grader/store"
)

// oneByOne reads the store as a loop over learners would: Attempts and
// Result per learner, one round trip each. It is the baseline the batched
// reads of *store.Redis are measured against.
type oneByOne struct{ s *store.Redis }

func (o oneByOne) AttemptsOf(ctx context.Context, learners []string, challenge string) (map[string][]grader.Record, error) {
	out := map[string][]grader.Record{}
	for _, l := range learners {
		recs, err := o.s.Attempts(ctx, l, challenge)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			out[l] = recs
		}
	}
	return out, nil
}

func (o oneByOne) Results(ctx context.Context, ids []string) (map[string]grader.Result, error) {
	out := map[string]grader.Result{}
	for _, id := range ids {
		res, ok, err := o.s.Result(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out[id] = res
		}
	}
	return out, nil
}

// benchCohort fills a real redis-server with a cohort of n learners, each
// with two graded attempts at one challenge of ten tests.
func benchCohort(b *testing.B, n int) (*store.Redis, grader.Cohort, *challenges.Index) {
	b.Helper()
	rs := redistest.Start(b)
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	b.Cleanup(func() { rdb.Close() })
	st := store.New(store.Config{Client: rdb})
	ctx := context.Background()
	ch := &grader.Challenge{ID: "c", Title: "C", Version: "v1", Suites: []grader.Suite{{Name: "api"}}}
	files := []grader.File{{Name: "main.go", Mode: 0o644, Data: []byte("package main\n")}}
	co := grader.Cohort{ID: "k", Name: "K", Challenges: []string{"c"}}
	for i := range n {
		learner := fmt.Sprintf("learner-%05d", i)
		co.Learners = append(co.Learners, learner)
		for a := range 2 {
			id := fmt.Sprintf("sub-%05d-%d", i, a)
			if _, err := st.CreateSubmission(ctx, grader.Record{ID: id, Challenge: "c", Learner: learner, Queue: "batch", CreatedAt: t0.Add(time.Duration(a) * time.Minute)}, files); err != nil {
				b.Fatal(err)
			}
			res := grader.Result{SubmissionID: id, Challenge: "c", ChallengeVersion: "v1", Status: grader.StatusFailed, Score: (i + a) % 10, MaxScore: 10, GradedAt: t0.Add(time.Hour)}
			for k := range 10 {
				status := grader.TestFailed
				if k < res.Score {
					status = grader.TestPassed
				}
				res.Tests = append(res.Tests, grader.TestResult{Name: fmt.Sprintf("test-%d", k), Suite: "api", Status: status, MaxPoints: 1, Visibility: grader.Hidden})
			}
			if _, err := st.SaveResult(ctx, res); err != nil {
				b.Fatal(err)
			}
		}
	}
	return st, co, challenges.NewIndex([]*grader.Challenge{ch})
}

// BenchmarkReport builds the report of a 2000-learner cohort with the
// store's batched reads and, as the baseline in the same run, with one
// round trip per learner and read. Compare the two ns/op.
func BenchmarkReport(b *testing.B) {
	st, co, cat := benchCohort(b, 2000)
	for _, c := range []struct {
		name  string
		store Store
	}{{"batched", st}, {"one-by-one", oneByOne{st}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rep, err := Report(context.Background(), c.store, cat, co, Query{}, t0.Add(2*time.Hour))
				if err != nil {
					b.Fatal(err)
				}
				if len(rep.Rows) != 2000 || rep.Rows[1999].BestSubmission == "" || len(rep.Rows[1999].Tests) != 10 {
					b.Fatalf("report of %d rows, last %+v", len(rep.Rows), rep.Rows[len(rep.Rows)-1])
				}
			}
		})
	}
}
