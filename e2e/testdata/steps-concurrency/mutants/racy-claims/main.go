// Command claims (a mutant: claims race) serves claims and notes kept in Redis.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

type server struct{ rdb *redis.Client }

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
	// Wrong: check, then set. Claims that arrive together all find the
	// key free and all answer 201.
	n, err := s.rdb.Exists(ctx, "claim:"+key).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	time.Sleep(300 * time.Millisecond)
	if err := s.rdb.Set(ctx, "claim:"+key, id, 0).Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	first := n == 0
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
	ctx := r.Context()
	id, err := s.rdb.Incr(ctx, "notes:seq").Result()
	if err == nil {
		err = s.rdb.Set(ctx, "note:"+strconv.FormatInt(id, 10), in.Title, 0).Err()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "title": in.Title})
}

func (s *server) getNote(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such note"})
		return
	}
	title, err := s.rdb.Get(r.Context(), "note:"+strconv.FormatInt(id, 10)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such note"})
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
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
	s := &server{rdb: redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})}
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
