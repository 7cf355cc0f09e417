// Command claims (a mutant: notes in memory) serves claims and notes.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"
)

type server struct {
	rdb *redis.Client
	// Wrong: notes live in memory and are lost when the service restarts.
	mu    sync.Mutex
	notes map[int64]string
}

// claim answers 201 to the first claim of a key and 200 to the others:
// SETNX decides atomically, however many claims arrive at once.
func (s *server) claim(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	ctx := r.Context()
	id, err := s.rdb.Incr(ctx, "claims:seq").Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	first, err := s.rdb.SetNX(ctx, "claim:"+key, id, 0).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	status := http.StatusOK
	if first {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"key": key, "request_id": id})
}

func (s *server) createNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title string `json:"title"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Title == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "send {\"title\": \"...\"}"})
		return
	}
	s.mu.Lock()
	id := int64(len(s.notes) + 1)
	s.notes[id] = in.Title
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "title": in.Title})
}

func (s *server) getNote(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such note"})
		return
	}
	s.mu.Lock()
	title, ok := s.notes[id]
	s.mu.Unlock()
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such note"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "title": title})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func main() {
	s := &server{rdb: redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")}), notes: map[int64]string{}}
	if err := s.rdb.Ping(context.Background()).Err(); err != nil {
		log.Fatalf("redis: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("PUT /claims/{key}", s.claim)
	mux.HandleFunc("POST /notes", s.createNote)
	mux.HandleFunc("GET /notes/{id}", s.getNote)
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
}
