// Command jobs accepts small computing jobs over HTTP and works through
// them in the background; README.md has the contract. This starter answers
// the health check and connects to Redis; every other route answers 501
// until you build it.
//
// The grader gives you REDIS_ADDR (a Redis you may use) and MAX_ATTEMPTS.
// You may use the standard library, github.com/redis/go-redis/v9 v9.23.0
// and github.com/gin-gonic/gin v1.12.0, which the grader has offline.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"
)

// server answers the API. Keep the queue and every job's state in Redis,
// so that nothing is lost when the service restarts.
type server struct {
	rdb *redis.Client
}

func main() {
	s := &server{rdb: redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})}
	// TODO: start one worker that takes queued jobs from Redis, oldest
	// first, runs them and records how they went (retrying failures).

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// TODO: check the job, store and queue it, answer 202 with a Location.
	mux.HandleFunc("POST /jobs", s.todo)
	// TODO: answer the job (r.PathValue("id")) with its status, or 404.
	mux.HandleFunc("GET /jobs/{id}", s.todo)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

func (s *server) todo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotImplemented, map[string]string{"error": r.Method + " " + r.URL.Path + " is not built yet"})
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
