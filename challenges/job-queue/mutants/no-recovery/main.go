// Command jobs accepts small computing jobs over HTTP and works through
// them in the background, one at a time, with the queue and every job's
// state kept in Redis (see README.md).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keys. A job waits in queuedKey (pushed on the left, taken from the
// right) and sits in processingKey while the worker runs it, so a job that
// was running when the service stopped is queued again when it starts.
const (
	nextIDKey     = "jobs:next-id"
	queuedKey     = "jobs:queued"
	processingKey = "jobs:processing"
)

// jobKey is the Redis hash holding one job.
func jobKey(id string) string { return "job:" + id }

// job is one job as the API sends it.
type job struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Op       string          `json:"op"`
	Numbers  []float64       `json:"numbers"`
	Attempts int             `json:"attempts"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    string          `json:"error,omitempty"`

	delayMS   int
	failTimes int
}

// server answers the API and runs the worker.
type server struct {
	rdb         *redis.Client
	maxAttempts int
}

// apiError answers status with {"error": msg}.
func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

// wholeField reads the optional whole-number field name of in, between 0
// and max; 0 when it is missing.
func wholeField(in map[string]json.RawMessage, name string, max int) (int, error) {
	raw, ok := in[name]
	if !ok {
		return 0, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || v != math.Trunc(v) || v < 0 || v > float64(max) {
		return 0, fmt.Errorf("%s must be a whole number from 0 to %d", name, max)
	}
	return int(v), nil
}

// parseJob checks a submitted body and returns the job it asks for.
func parseJob(body []byte) (*job, error) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil || in == nil {
		return nil, errors.New("the body must be a JSON object")
	}
	j := &job{}
	if err := json.Unmarshal(in["op"], &j.Op); err != nil || (j.Op != "sum" && j.Op != "product" && j.Op != "divide") {
		return nil, errors.New(`op must be "sum", "product" or "divide"`)
	}
	if err := json.Unmarshal(in["numbers"], &j.Numbers); err != nil || len(j.Numbers) == 0 || len(j.Numbers) > 100 {
		return nil, errors.New("numbers must be a list of 1 to 100 numbers")
	}
	var err error
	if j.delayMS, err = wholeField(in, "delay_ms", 5000); err != nil {
		return nil, err
	}
	if j.failTimes, err = wholeField(in, "fail_times", 10); err != nil {
		return nil, err
	}
	return j, nil
}

// submit serves POST /jobs: it stores the job, queues it and answers 202.
func (s *server) submit(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		apiError(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	j, err := parseJob(body)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	n, err := s.rdb.Incr(ctx, nextIDKey).Result()
	if err != nil {
		log.Printf("new id: %v", err)
		apiError(w, http.StatusServiceUnavailable, "the queue is unavailable, try again")
		return
	}
	j.ID, j.Status = strconv.FormatInt(n, 10), "queued"
	numbers, _ := json.Marshal(j.Numbers)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, jobKey(j.ID), "id", j.ID, "status", j.Status, "op", j.Op, "numbers", numbers,
			"attempts", 0, "delay_ms", j.delayMS, "fail_times", j.failTimes)
		p.LPush(ctx, queuedKey, j.ID)
		return nil
	})
	if err != nil {
		log.Printf("queue job %s: %v", j.ID, err)
		apiError(w, http.StatusServiceUnavailable, "the queue is unavailable, try again")
		return
	}
	w.Header().Set("Location", "/jobs/"+j.ID)
	writeJSON(w, http.StatusAccepted, j)
}

// load reads one job from Redis; nil when there is no such job.
func (s *server) load(ctx context.Context, id string) (*job, error) {
	h, err := s.rdb.HGetAll(ctx, jobKey(id)).Result()
	if err != nil || len(h) == 0 {
		return nil, err
	}
	j := &job{ID: h["id"], Status: h["status"], Op: h["op"], Error: h["error"]}
	if err := json.Unmarshal([]byte(h["numbers"]), &j.Numbers); err != nil {
		return nil, fmt.Errorf("job %s numbers: %w", id, err)
	}
	j.Attempts, _ = strconv.Atoi(h["attempts"])
	j.delayMS, _ = strconv.Atoi(h["delay_ms"])
	j.failTimes, _ = strconv.Atoi(h["fail_times"])
	if r, ok := h["result"]; ok {
		j.Result = json.RawMessage(r)
	}
	return j, nil
}

// status serves GET /jobs/{id}.
func (s *server) status(w http.ResponseWriter, r *http.Request) {
	j, err := s.load(r.Context(), r.PathValue("id"))
	if err != nil {
		log.Printf("read job: %v", err)
		apiError(w, http.StatusServiceUnavailable, "the queue is unavailable, try again")
		return
	}
	if j == nil {
		apiError(w, http.StatusNotFound, "no job with this id")
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// compute works out a job's result.
func compute(op string, numbers []float64) (float64, error) {
	v := numbers[0]
	for _, n := range numbers[1:] {
		switch op {
		case "sum":
			v += n
		case "product":
			v *= n
		case "divide":
			if n == 0 {
				return 0, errors.New("division by zero")
			}
			v /= n
		}
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errors.New("result out of range")
	}
	return v, nil
}

// run makes one attempt at job id, which the worker took from the queue,
// and records how it went.
func (s *server) run(ctx context.Context, id string) error {
	attempt, err := s.rdb.HIncrBy(ctx, jobKey(id), "attempts", 1).Result()
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, jobKey(id), "status", "running").Err(); err != nil {
		return err
	}
	j, err := s.load(ctx, id)
	if err != nil || j == nil {
		return fmt.Errorf("load job %s: %v", id, err)
	}
	time.Sleep(time.Duration(j.delayMS) * time.Millisecond)
	v, failure := compute(j.Op, j.Numbers)
	if int(attempt) <= j.failTimes {
		failure = errors.New("simulated failure")
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		switch {
		case failure == nil:
			result, _ := json.Marshal(v)
			p.HSet(ctx, jobKey(id), "status", "done", "result", result)
		case int(attempt) < s.maxAttempts:
			p.HSet(ctx, jobKey(id), "status", "queued")
			p.LPush(ctx, queuedKey, id)
		default:
			p.HSet(ctx, jobKey(id), "status", "failed", "error", failure.Error())
		}
		p.LRem(ctx, processingKey, 1, id)
		return nil
	})
	return err
}

// work takes jobs from the queue one at a time until ctx ends. Jobs left
// in processingKey by a previous run go back to the front of the queue.
func (s *server) work(ctx context.Context) {
	for ctx.Err() == nil {
		id, err := s.rdb.BLMove(ctx, queuedKey, processingKey, "RIGHT", "LEFT", time.Second).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			log.Printf("take job: %v", err)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if err := s.run(ctx, id); err != nil {
			log.Printf("run job %s: %v", id, err)
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func main() {
	maxAttempts, err := strconv.Atoi(os.Getenv("MAX_ATTEMPTS"))
	if err != nil || maxAttempts < 1 {
		maxAttempts = 3
	}
	s := &server{
		rdb:         redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")}),
		maxAttempts: maxAttempts,
	}
	go s.work(context.Background())

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	mux.HandleFunc("POST /jobs", s.submit)
	mux.HandleFunc("GET /jobs/{id}", s.status)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	fmt.Printf("jobs listening on :%s (at most %d attempts a job)\n", port, maxAttempts)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
