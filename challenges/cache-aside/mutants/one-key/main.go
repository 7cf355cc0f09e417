// Command items serves items from a slow upstream, cached in Redis.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
)

// server answers item requests from Redis when it can and from the
// upstream otherwise.
type server struct {
	upstream string
	rdb      *redis.Client
	ttl      time.Duration
	client   *http.Client
}

// cacheKey is the Redis key of one item's cached answer.
func cacheKey(id string) string { return "item" }

// getItem serves GET /items/{id}: the cached answer if there is one,
// else the upstream's, cached for s.ttl when it is a 200.
func (s *server) getItem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	if cached, err := s.rdb.Get(ctx, cacheKey(id)).Bytes(); err == nil {
		writeRaw(w, http.StatusOK, cached)
		return
	} else if !errors.Is(err, redis.Nil) {
		log.Printf("cache read %s: %v", id, err)
	}
	status, body, err := s.call(ctx, http.MethodGet, id, nil)
	if err != nil {
		writeRaw(w, http.StatusBadGateway, []byte(`{"error":{"code":"upstream","message":"upstream unavailable"}}`))
		return
	}
	if status == http.StatusOK {
		if err := s.rdb.Set(ctx, cacheKey(id), body, s.ttl).Err(); err != nil {
			log.Printf("cache write %s: %v", id, err)
		}
	}
	writeRaw(w, status, body)
}

// putItem serves PUT /items/{id}: it writes through to the upstream and,
// when the upstream accepts the write, drops the cached answer.
func (s *server) putItem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeRaw(w, http.StatusBadRequest, []byte(`{"error":{"code":"bad_request","message":"cannot read body"}}`))
		return
	}
	status, body, err := s.call(r.Context(), http.MethodPut, id, in)
	if err != nil {
		writeRaw(w, http.StatusBadGateway, []byte(`{"error":{"code":"upstream","message":"upstream unavailable"}}`))
		return
	}
	if status < 300 {
		if err := s.rdb.Del(r.Context(), cacheKey(id)).Err(); err != nil {
			log.Printf("cache invalidate %s: %v", id, err)
		}
	}
	writeRaw(w, status, body)
}

// call sends one request to the upstream and returns its answer.
func (s *server) call(ctx context.Context, method, id string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.upstream+"/items/"+id, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, out, err
}

// writeRaw sends body, which is already JSON, with the given status.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func main() {
	ttl, err := time.ParseDuration(os.Getenv("CACHE_TTL"))
	if err != nil || ttl <= 0 {
		ttl = time.Second
	}
	s := &server{
		upstream: os.Getenv("UPSTREAM_URL"),
		rdb:      redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")}),
		ttl:      ttl,
		client:   &http.Client{Timeout: 5 * time.Second},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeRaw(w, 200, []byte(`{"status":"ok"}`)) })
	mux.HandleFunc("GET /items/{id}", s.getItem)
	mux.HandleFunc("PUT /items/{id}", s.putItem)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	fmt.Printf("items listening on :%s (cache ttl %s)\n", port, ttl)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
