// Command quotes serves a small JSON API of quotes with a per-client rate
// limit; README.md has the contract.
// A known-wrong solution: Retry-After is always the whole window.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Quote is one quote, as the API sends it.
type Quote struct {
	ID     int    `json:"id"`
	Text   string `json:"text"`
	Author string `json:"author"`
}

var quotes = []Quote{
	{1, "Simplicity is prerequisite for reliability.", "Edsger W. Dijkstra"},
	{2, "Premature optimization is the root of all evil.", "Donald Knuth"},
	{3, "Make it work, make it right, make it fast.", "Kent Beck"},
}

// window is one client's current fixed window: when it opened and how many
// requests it has allowed.
type window struct {
	start time.Time
	count int
}

// limiter allows each client at most limit requests per fixed window of
// length, the window opening at the client's first request.
type limiter struct {
	limit  int
	length time.Duration

	mu        sync.Mutex
	windows   map[string]*window
	lastSweep time.Time
}

// take counts one request of client, if it is allowed. It returns whether
// it is, how many more the client may make in its window, and, when it is
// not allowed, the whole seconds until the window closes (at least 1).
func (l *limiter) take(client string, now time.Time) (ok bool, remaining, retryAfter int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	w := l.windows[client]
	if w == nil || now.Sub(w.start) >= l.length {
		w = &window{start: now}
		l.windows[client] = w
	}
	if w.count >= l.limit {
		return false, 0, int(l.length / time.Second)
	}
	w.count++
	return true, l.limit - w.count, 0
}

// sweep forgets closed windows, at most once per window length, so that
// memory follows the clients seen recently, not every client ever seen.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.length {
		return
	}
	l.lastSweep = now
	for id, w := range l.windows {
		if now.Sub(w.start) >= l.length {
			delete(l.windows, id)
		}
	}
}

// middleware limits every request by its X-Client-Id header.
func (l *limiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := strings.TrimSpace(r.Header.Get("X-Client-Id"))
		if client == "" {
			writeError(w, http.StatusBadRequest, "missing_client_id", "send your client id in the X-Client-Id header")
			return
		}
		ok, remaining, retryAfter := l.take(client, time.Now())
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
			msg := fmt.Sprintf("at most %d requests every %d s per client; retry in Retry-After seconds", l.limit, l.length/time.Second)
			writeError(w, http.StatusTooManyRequests, "rate_limited", msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func listQuotes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"quotes": quotes})
}

func getQuote(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 || id > len(quotes) {
		writeError(w, http.StatusNotFound, "not_found", "no quote with this id")
		return
	}
	writeJSON(w, http.StatusOK, quotes[id-1])
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

// writeError sends the API's error body: {"error": {"code": ..., "message": ...}}.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// envInt reads a positive whole number from the environment, or def.
func envInt(name string, def int) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n < 1 {
		return def
	}
	return n
}

func main() {
	l := &limiter{
		limit:   envInt("RATE_LIMIT", 5),
		length:  time.Duration(envInt("RATE_WINDOW_SECONDS", 4)) * time.Second,
		windows: map[string]*window{},
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /quotes", listQuotes)
	api.HandleFunc("GET /quotes/{id}", getQuote)

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.Handle("/", l.middleware(api)) // everything but the health check is limited

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("quotes listening on :%s (%d requests per %s per client)", port, l.limit, l.length)
	log.Fatal(http.ListenAndServe(":"+port, root))
}
