// Command items serves items from a slow upstream service. It works, but
// every read waits for the upstream: add a cache (see README.md).
//
// The grader gives you REDIS_ADDR (a Redis you may use) and CACHE_TTL (how
// long a cached item may be served). You may use the standard library and
// github.com/redis/go-redis/v9 v9.23.0, which the grader has offline.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"
)

// server answers item requests by asking the upstream every time.
type server struct {
	upstream string
	client   *http.Client
}

// getItem serves GET /items/{id} from the upstream.
// TODO: answer from the cache when the item is there; otherwise read it from
// the upstream and cache the 200 answer for CACHE_TTL.
func (s *server) getItem(w http.ResponseWriter, r *http.Request) {
	status, body, err := s.call(r.Context(), http.MethodGet, r.PathValue("id"), nil)
	if err != nil {
		writeRaw(w, http.StatusBadGateway, []byte(`{"error":{"code":"upstream","message":"upstream unavailable"}}`))
		return
	}
	writeRaw(w, status, body)
}

// putItem serves PUT /items/{id}: it writes through to the upstream.
// TODO: when the upstream accepts the write, drop the item's cached answer.
func (s *server) putItem(w http.ResponseWriter, r *http.Request) {
	in, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeRaw(w, http.StatusBadRequest, []byte(`{"error":{"code":"bad_request","message":"cannot read body"}}`))
		return
	}
	status, body, err := s.call(r.Context(), http.MethodPut, r.PathValue("id"), in)
	if err != nil {
		writeRaw(w, http.StatusBadGateway, []byte(`{"error":{"code":"upstream","message":"upstream unavailable"}}`))
		return
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
	s := &server{upstream: os.Getenv("UPSTREAM_URL"), client: &http.Client{Timeout: 5 * time.Second}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeRaw(w, 200, []byte(`{"status":"ok"}`)) })
	mux.HandleFunc("GET /items/{id}", s.getItem)
	mux.HandleFunc("PUT /items/{id}", s.putItem)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	fmt.Printf("items listening on :%s\n", port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
