// Package metrics is the grading service's Prometheus instrumentation:
// HTTP request durations, grading durations and verdicts, service faults
// and the depth and oldest waiting age of the Asynq queues. It keeps its
// own registry, so tests and several services in one process never
// collide on the global one.
package metrics

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gradebox/grader/grader"
)

// Metrics holds the service's metrics and the registry they are served
// from. Its methods are safe for concurrent use.
type Metrics struct {
	reg       *prometheus.Registry
	http      *prometheus.HistogramVec
	phase     *prometheus.HistogramVec
	grading   *prometheus.HistogramVec
	results   *prometheus.CounterVec
	faults    prometheus.Counter
	queueInfo *queueCollector
}

// gradingBuckets span a cached build of a second to a slow suite of
// several minutes, in seconds.
var gradingBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600}

// New returns fresh metrics on their own registry, with the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grader_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
		phase: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grader_grading_phase_duration_seconds",
			Help:    "Time one phase of grading took (prepare, build, run, ...), by phase and the submission's final status.",
			Buckets: gradingBuckets,
		}, []string{"phase", "status"}),
		grading: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grader_grading_duration_seconds",
			Help:    "Time grading one submission took (the sum of its phases), by final status.",
			Buckets: gradingBuckets,
		}, []string{"status"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grader_results_total",
			Help: "Results stored, by status.",
		}, []string{"status"}),
		faults: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "grader_service_faults_total",
			Help: "Gradings that failed for the service's own fault (Docker, Redis, a broken challenge) and go back to the queue.",
		}),
		queueInfo: &queueCollector{
			desc: prometheus.NewDesc("grader_queue_tasks",
				"Tasks in an Asynq queue, by queue and state (pending, active, scheduled, retry, archived), read at scrape time.",
				[]string{"queue", "state"}, nil),
			oldest: prometheus.NewDesc("grader_queue_oldest_pending_seconds",
				"How long the oldest pending task of an Asynq queue has waited, in seconds (0 when none waits), read at scrape time.",
				[]string{"queue"}, nil),
		},
	}
	m.reg.MustRegister(m.http, m.phase, m.grading, m.results, m.faults, m.queueInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format. A failing
// collector (Redis down while the queues are read) leaves its metrics out
// and the rest are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// Registry returns the registry the metrics live in, for collectors of
// other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveHTTP records one answered request. route is the route template
// ("/v1/submissions/:id"), never the raw path, so ids do not become
// label values; "" (no route matched) is recorded as "unmatched", and
// methods outside the standard ones as "other".
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.http.WithLabelValues(route, normalizeMethod(method), strconv.Itoa(status)).Observe(d.Seconds())
}

func normalizeMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// Graded records a stored result: one observation per phase timing
// (labelled with the phase's kind, the part of "build:api" before the
// colon), the whole grading's duration and a count by status.
func (m *Metrics) Graded(res grader.Result) {
	status := string(res.Status)
	var total int64
	for _, t := range res.Timings {
		phase, _, _ := strings.Cut(t.Phase, ":")
		if phase == "" {
			phase = "unknown"
		}
		m.phase.WithLabelValues(phase, status).Observe(ms(t.DurationMS))
		total += t.DurationMS
	}
	m.grading.WithLabelValues(status).Observe(ms(total))
	m.results.WithLabelValues(status).Inc()
}

func ms(n int64) float64 { return float64(n) / 1000 }

// Fault counts a grading that failed for the service's fault. A nil err
// counts nothing.
func (m *Metrics) Fault(err error) {
	if err == nil {
		return
	}
	m.faults.Inc()
}

// QueueInspector is the part of *asynq.Inspector the queue collector
// reads.
type QueueInspector interface {
	// Queues names the queues that exist.
	Queues() ([]string, error)
	// GetQueueInfo returns a queue's task counts.
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
}

var _ QueueInspector = (*asynq.Inspector)(nil)

// WatchQueues reports grader_queue_tasks{queue,state} and
// grader_queue_oldest_pending_seconds{queue} for queues, read from insp
// at every scrape. A queue Asynq does not know yet (nothing was ever
// enqueued on it) reports zeros. Calling it again replaces the
// inspector and the queues.
func (m *Metrics) WatchQueues(insp *asynq.Inspector, queues []string) {
	m.watch(insp, queues)
}

func (m *Metrics) watch(insp QueueInspector, queues []string) {
	m.queueInfo.mu.Lock()
	defer m.queueInfo.mu.Unlock()
	m.queueInfo.insp = insp
	m.queueInfo.queues = append([]string(nil), queues...)
}

// queueCollector reads queue depths and the oldest pending task's age
// from Asynq at scrape time.
type queueCollector struct {
	desc   *prometheus.Desc
	oldest *prometheus.Desc
	mu     sync.Mutex
	insp   QueueInspector
	queues []string
}

// queueStates are the task states reported, in order.
var queueStates = []string{"pending", "active", "scheduled", "retry", "archived"}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
	ch <- c.oldest
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	insp, queues := c.insp, c.queues
	c.mu.Unlock()
	if insp == nil || len(queues) == 0 {
		return
	}
	// GetQueueInfo fails for a queue Asynq has never seen, with an error
	// type internal to asynq; ask which exist first instead of matching
	// its message.
	existing, err := insp.Queues()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, errors.New("list asynq queues: "+err.Error()))
		return
	}
	known := make(map[string]bool, len(existing))
	for _, q := range existing {
		known[q] = true
	}
	for _, q := range queues {
		counts := make([]int, len(queueStates))
		var oldest time.Duration
		if known[q] {
			info, err := insp.GetQueueInfo(q)
			if err != nil {
				ch <- prometheus.NewInvalidMetric(c.desc, errors.New("read asynq queue "+q+": "+err.Error()))
				continue
			}
			counts = []int{info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived}
			// Asynq's Latency is the age of the oldest pending task,
			// zero for an empty queue.
			oldest = info.Latency
		}
		for i, state := range queueStates {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[i]), q, state)
		}
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds(), q)
	}
}

// PoolCounts is what a worker's pool of warm boxes holds and did.
type PoolCounts struct {
	// Ready is how many warm boxes wait now.
	Ready int
	// Hits and Misses count boxes handed over warm and boxes started cold
	// although they could have come from the pool.
	Hits, Misses int
}

// WatchPool serves a worker's pool of warm boxes, read from counts at
// scrape time: grader_pool_boxes_ready, grader_pool_hits_total and
// grader_pool_misses_total. Call it once per registry.
func (m *Metrics) WatchPool(counts func() PoolCounts) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "grader_pool_boxes_ready",
			Help: "Warm boxes started ahead of need and waiting for a job, read at scrape time.",
		}, func() float64 { return float64(counts().Ready) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "grader_pool_hits_total",
			Help: "Boxes handed to a job warm from the pool.",
		}, func() float64 { return float64(counts().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "grader_pool_misses_total",
			Help: "Boxes started cold that the pool could have served had it held one of their shape.",
		}, func() float64 { return float64(counts().Misses) }),
	)
}
