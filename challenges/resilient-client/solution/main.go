// Command resilient-client reads items from an upstream that fails now
// and then (README.md has the contract): every call has a deadline, a
// call that fails for a reason that may pass is tried again after a
// growing pause, and a circuit breaker stops calling an upstream that
// keeps failing until it has had time to recover.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

const (
	// callTimeout bounds each call to the upstream, from connecting to the
	// last byte of the answer.
	callTimeout = 300 * time.Millisecond
	// attempts is how many calls one read may make.
	attempts = 3
	// backoff is the pause before the second call of a read; it doubles
	// before each call after that.
	backoff = 50 * time.Millisecond
	// threshold is how many failed reads in a row open the breaker.
	threshold = 3
	// coolDown is how long the breaker stays open before a trial read.
	coolDown = time.Second
)

func main() {
	s := &server{
		upstream: os.Getenv("UPSTREAM_URL"),
		client:   &http.Client{Timeout: callTimeout},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /items/{id}", s.read)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

type server struct {
	upstream string
	client   *http.Client
	breaker  breaker
}

// result is what the upstream said to one read: an answer (status and
// body), or the error of the last call when no call got one.
type result struct {
	status int
	body   []byte
	err    error
}

// failed reports whether the read failed: no answer, or a 5xx.
func (r result) failed() bool { return r.err != nil || r.status >= 500 }

func (s *server) read(w http.ResponseWriter, r *http.Request) {
	trial, ok := s.breaker.allow(time.Now())
	if !ok {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "circuit_open",
			"the upstream keeps failing; not calling it for a moment, try again shortly")
		return
	}
	tries := attempts
	if trial {
		tries = 1 // a trial is one call: it only tests whether the upstream is back
	}
	res := s.get(r.PathValue("id"), tries)
	s.breaker.done(trial, res.failed(), time.Now())
	switch {
	case res.err != nil && isTimeout(res.err):
		log.Printf("read %s: %v", r.PathValue("id"), res.err)
		writeError(w, http.StatusGatewayTimeout, "upstream_timeout", "the upstream did not answer within 300 ms")
	case res.err != nil:
		log.Printf("read %s: %v", r.PathValue("id"), res.err)
		writeError(w, http.StatusBadGateway, "upstream_unavailable", "the upstream could not be reached or closed the connection")
	case res.failed():
		writeError(w, http.StatusBadGateway, "upstream_unavailable", fmt.Sprintf("the upstream answered %d", res.status))
	case res.status >= 400:
		writeError(w, res.status, "upstream_rejected", fmt.Sprintf("the upstream refused the read with %d", res.status))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Write(res.body)
	}
}

// get reads item id, making up to tries calls: a call that fails with a
// 5xx, a broken connection or a timeout is tried again after a pause that
// doubles each time; any other answer is final.
func (s *server) get(id string, tries int) result {
	var res result
	pause := backoff
	for i := range tries {
		if i > 0 {
			time.Sleep(pause)
			pause *= 2
		}
		if res = s.call(id); !res.failed() {
			return res
		}
	}
	return res
}

// call makes one call to the upstream.
func (s *server) call(id string) result {
	resp, err := s.client.Get(s.upstream + "/items/" + url.PathEscape(id))
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// Not an answer this service understands: count it as a failure.
		return result{status: http.StatusBadGateway, body: body}
	}
	return result{status: resp.StatusCode, body: body}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// breaker is a circuit breaker over reads: closed, it lets every read
// through and counts failed reads in a row; at threshold it opens and
// refuses reads for coolDown; then it lets one trial read through, which
// closes it when it succeeds and opens it again when it fails.
type breaker struct {
	mu       sync.Mutex
	failures int       // failed reads in a row while closed
	open     bool      // refusing reads
	openedAt time.Time // when it last opened
	trying   bool      // a trial read is under way
}

// allow reports whether a read may call the upstream now, and whether it
// is the trial read of a half-open breaker.
func (b *breaker) allow(now time.Time) (trial, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open:
		return false, true
	case b.trying || now.Sub(b.openedAt) < coolDown:
		return false, false
	default:
		b.trying = true
		return true, true
	}
}

// done records how a read that allow let through ended.
func (b *breaker) done(trial, failed bool, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if trial {
		b.trying = false
	}
	switch {
	case !failed:
		b.failures, b.open = 0, false
	case trial:
		b.openedAt = now
	case !b.open:
		b.failures++
		if b.failures >= threshold {
			b.open, b.openedAt = true, now
		}
	}
}

// writeError sends the API's error body: {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
