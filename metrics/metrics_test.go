package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/gradebox/grader/grader"
)

func TestObserveHTTP(t *testing.T) {
	m := New()
	m.ObserveHTTP("/v1/submissions/:id", "GET", 200, 30*time.Millisecond)
	m.ObserveHTTP("/v1/submissions/:id", "GET", 200, 2*time.Second)
	m.ObserveHTTP("/v1/submissions/:id", "GET", 404, time.Millisecond)
	m.ObserveHTTP("", "BREW", 404, time.Millisecond)
	want := `
# HELP grader_http_request_duration_seconds Time to answer an HTTP request, by route template, method and status code.
# TYPE grader_http_request_duration_seconds histogram
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.005"} 0
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.01"} 0
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.025"} 0
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.05"} 1
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.1"} 1
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.25"} 1
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="0.5"} 1
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="1"} 1
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="2.5"} 2
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="5"} 2
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="10"} 2
grader_http_request_duration_seconds_bucket{code="200",method="GET",route="/v1/submissions/:id",le="+Inf"} 2
grader_http_request_duration_seconds_sum{code="200",method="GET",route="/v1/submissions/:id"} 2.03
grader_http_request_duration_seconds_count{code="200",method="GET",route="/v1/submissions/:id"} 2
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.005"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.01"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.025"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.05"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.1"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.25"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="0.5"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="1"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="2.5"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="5"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="10"} 1
grader_http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/submissions/:id",le="+Inf"} 1
grader_http_request_duration_seconds_sum{code="404",method="GET",route="/v1/submissions/:id"} 0.001
grader_http_request_duration_seconds_count{code="404",method="GET",route="/v1/submissions/:id"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.005"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.01"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.025"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.05"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.1"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.25"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="0.5"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="1"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="2.5"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="5"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="10"} 1
grader_http_request_duration_seconds_bucket{code="404",method="other",route="unmatched",le="+Inf"} 1
grader_http_request_duration_seconds_sum{code="404",method="other",route="unmatched"} 0.001
grader_http_request_duration_seconds_count{code="404",method="other",route="unmatched"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "grader_http_request_duration_seconds"); err != nil {
		t.Error(err)
	}
}

func TestGraded(t *testing.T) {
	m := New()
	m.Graded(grader.Result{Status: grader.StatusFailed, Timings: []grader.PhaseTiming{
		{Phase: "prepare", DurationMS: 200},
		{Phase: "build:api", DurationMS: 3000},
		{Phase: "run:api", DurationMS: 1500},
		{Phase: "build:unit", DurationMS: 1000},
	}})
	m.Graded(grader.Result{Status: grader.StatusPassed, Timings: []grader.PhaseTiming{{Phase: "build:api", DurationMS: 700}}})
	m.Graded(grader.Result{Status: grader.StatusBuildFailed})

	tests := []struct {
		metric string
		labels []string
		count  uint64
		sum    float64
	}{
		{"phase", []string{"build", "failed"}, 2, 4},
		{"phase", []string{"run", "failed"}, 1, 1.5},
		{"phase", []string{"prepare", "failed"}, 1, 0.2},
		{"phase", []string{"build", "passed"}, 1, 0.7},
		{"grading", []string{"failed"}, 1, 5.7},
		{"grading", []string{"passed"}, 1, 0.7},
		{"grading", []string{"build_failed"}, 1, 0},
	}
	for _, tc := range tests {
		vec := m.phase
		if tc.metric == "grading" {
			vec = m.grading
		}
		count, sum := histogram(t, vec.WithLabelValues(tc.labels...))
		if count != tc.count || !near(sum, tc.sum) {
			t.Errorf("%s%v: count %d sum %g, want %d %g", tc.metric, tc.labels, count, sum, tc.count, tc.sum)
		}
	}
	for status, want := range map[string]float64{"failed": 1, "passed": 1, "build_failed": 1, "error": 0} {
		if got := testutil.ToFloat64(m.results.WithLabelValues(status)); got != want {
			t.Errorf("grader_results_total{status=%q} = %g, want %g", status, got, want)
		}
	}
	if n := testutil.CollectAndCount(m.phase); n != 4 {
		t.Errorf("%d phase series, want 4 (phase labels must be the part before ':')", n)
	}
}

func TestFault(t *testing.T) {
	m := New()
	m.Fault(errors.New("docker: connection refused"))
	m.Fault(errors.New("redis: timeout"))
	m.Fault(nil)
	if got := testutil.ToFloat64(m.faults); got != 2 {
		t.Errorf("faults = %g, want 2", got)
	}
}

func TestWatchQueues(t *testing.T) {
	mr := miniredis.RunT(t)
	opt := asynq.RedisClientOpt{Addr: mr.Addr()}
	client := asynq.NewClient(opt)
	defer client.Close()
	for _, id := range []string{"a", "b"} {
		if _, err := client.EnqueueContext(context.Background(), asynq.NewTask("t", nil), asynq.TaskID(id), asynq.Queue("interactive")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.EnqueueContext(context.Background(), asynq.NewTask("t", nil), asynq.Queue("interactive"), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	m := New()
	m.WatchQueues(insp, []string{"interactive", "batch"})
	want := `
# HELP grader_queue_tasks Tasks in an Asynq queue, by queue and state (pending, active, scheduled, retry, archived), read at scrape time.
# TYPE grader_queue_tasks gauge
grader_queue_tasks{queue="batch",state="active"} 0
grader_queue_tasks{queue="batch",state="archived"} 0
grader_queue_tasks{queue="batch",state="pending"} 0
grader_queue_tasks{queue="batch",state="retry"} 0
grader_queue_tasks{queue="batch",state="scheduled"} 0
grader_queue_tasks{queue="interactive",state="active"} 0
grader_queue_tasks{queue="interactive",state="archived"} 0
grader_queue_tasks{queue="interactive",state="pending"} 2
grader_queue_tasks{queue="interactive",state="retry"} 0
grader_queue_tasks{queue="interactive",state="scheduled"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "grader_queue_tasks"); err != nil {
		t.Error(err)
	}
}

// fakeInspector is a QueueInspector with function fields.
type fakeInspector struct {
	QueuesFn       func() ([]string, error)
	GetQueueInfoFn func(string) (*asynq.QueueInfo, error)
}

func (f *fakeInspector) Queues() ([]string, error) { return f.QueuesFn() }
func (f *fakeInspector) GetQueueInfo(q string) (*asynq.QueueInfo, error) {
	return f.GetQueueInfoFn(q)
}

var _ QueueInspector = (*fakeInspector)(nil)

// TestQueueOutageKeepsOtherMetrics: Redis down while scraping drops the
// queue metrics, not the whole page.
func TestQueueOutageKeepsOtherMetrics(t *testing.T) {
	m := New()
	m.Fault(errors.New("x"))
	m.watch(&fakeInspector{QueuesFn: func() ([]string, error) { return nil, errors.New("dial tcp: connection refused") }}, []string{"interactive"})
	body := scrape(t, m)
	if !strings.Contains(body, "grader_service_faults_total 1") || strings.Contains(body, "grader_queue_tasks{") {
		t.Errorf("outage scrape:\n%s", body)
	}

	m.watch(&fakeInspector{
		QueuesFn: func() ([]string, error) { return []string{"interactive", "batch"}, nil },
		GetQueueInfoFn: func(q string) (*asynq.QueueInfo, error) {
			if q == "batch" {
				return nil, errors.New("timeout")
			}
			return &asynq.QueueInfo{Queue: q, Pending: 3, Active: 1, Retry: 2, Archived: 4}, nil
		},
	}, []string{"interactive", "batch"})
	body = scrape(t, m)
	for _, want := range []string{`grader_queue_tasks{queue="interactive",state="pending"} 3`, `grader_queue_tasks{queue="interactive",state="archived"} 4`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in\n%s", want, body)
		}
	}
	if strings.Contains(body, `queue="batch"`) {
		t.Errorf("a queue that failed to read must not report zeros:\n%s", body)
	}
}

// TestOldestPending reports Asynq's latency (the oldest pending task's
// age) per queue, in seconds, and zero for a queue Asynq never saw.
func TestOldestPending(t *testing.T) {
	m := New()
	m.watch(&fakeInspector{
		QueuesFn: func() ([]string, error) { return []string{"interactive", "cohort-0"}, nil },
		GetQueueInfoFn: func(q string) (*asynq.QueueInfo, error) {
			latency := map[string]time.Duration{"interactive": 1500 * time.Millisecond, "cohort-0": 0}[q]
			return &asynq.QueueInfo{Queue: q, Pending: 2, Latency: latency}, nil
		},
	}, []string{"interactive", "cohort-0", "batch"})
	want := `
# HELP grader_queue_oldest_pending_seconds How long the oldest pending task of an Asynq queue has waited, in seconds (0 when none waits), read at scrape time.
# TYPE grader_queue_oldest_pending_seconds gauge
grader_queue_oldest_pending_seconds{queue="batch"} 0
grader_queue_oldest_pending_seconds{queue="cohort-0"} 0
grader_queue_oldest_pending_seconds{queue="interactive"} 1.5
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "grader_queue_oldest_pending_seconds"); err != nil {
		t.Error(err)
	}
}

func TestHandlerServesRuntimeMetrics(t *testing.T) {
	body := scrape(t, New())
	for _, want := range []string{"go_goroutines", "grader_service_faults_total 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", w.Code, w.Body.String())
	}
	b, _ := io.ReadAll(w.Body)
	return string(b)
}

func histogram(t *testing.T, o any) (uint64, float64) {
	t.Helper()
	type writer interface {
		Write(*dto.Metric) error
	}
	var pb dto.Metric
	if err := o.(writer).Write(&pb); err != nil {
		t.Fatal(err)
	}
	return pb.GetHistogram().GetSampleCount(), pb.GetHistogram().GetSampleSum()
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestWatchPool(t *testing.T) {
	m := New()
	counts := PoolCounts{Ready: 3, Hits: 10, Misses: 2}
	m.WatchPool(func() PoolCounts { return counts })
	body := scrape(t, m)
	for _, want := range []string{"grader_pool_boxes_ready 3", "grader_pool_hits_total 10", "grader_pool_misses_total 2"} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
	counts = PoolCounts{Ready: 1, Hits: 11, Misses: 2}
	if body := scrape(t, m); !strings.Contains(body, "grader_pool_boxes_ready 1\n") || !strings.Contains(body, "grader_pool_hits_total 11\n") {
		t.Errorf("the counts are not read at scrape time:\n%s", body)
	}
}
