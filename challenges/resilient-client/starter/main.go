// Command resilient-client reads items from an upstream service; README.md
// has the contract. This starter is a plain proxy: it passes every
// upstream answer on, waits as long as the upstream takes and never
// tries again. Make it a resilient client: a timeout on every call,
// retries with backoff, and a circuit breaker.
//
// You may use the standard library only (as here) or
// github.com/gin-gonic/gin v1.12.0, which the grader has offline.
package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
)

func main() {
	upstream := os.Getenv("UPSTREAM_URL")
	// TODO: give every call a timeout of 300 ms.
	client := &http.Client{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		// TODO: retry failed calls (5xx, broken connections, timeouts) with
		// backoff, never a 4xx; answer errors as the README says; add the
		// circuit breaker.
		resp, err := client.Get(upstream + "/items/" + url.PathEscape(r.PathValue("id")))
		if err != nil {
			log.Printf("read: %v", err)
			writeJSON(w, http.StatusBadGateway, map[string]any{
				"error": map[string]string{"code": "upstream_unavailable", "message": "the upstream could not be reached"},
			})
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
