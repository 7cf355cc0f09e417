// Command items reads items through an upstream that fails now and then:
// each call gets a deadline, and a failed call is tried again.
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
	"time"
)

const (
	// attempts is how many calls one read may make.
	attempts = 3
	// callTimeout bounds each call to the upstream.
	callTimeout = 500 * time.Millisecond
	// backoff is the pause before the second attempt, doubled after.
	backoff = 50 * time.Millisecond
)

func main() {
	upstream := os.Getenv("UPSTREAM_URL")
	client := &http.Client{Timeout: callTimeout}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, err := read(client, upstream+"/items/"+url.PathEscape(r.PathValue("id")))
		if err != nil {
			status := http.StatusBadGateway
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				status = http.StatusGatewayTimeout
			}
			writeJSON(w, status, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

// read gets u, trying again after a 5xx, a broken connection or a
// timeout; the error is the last attempt's.
func read(client *http.Client, u string) ([]byte, error) {
	var err error
	pause := backoff
	for i := range attempts {
		if i > 0 {
			time.Sleep(pause)
			pause *= 2
		}
		var body []byte
		if body, err = get(client, u); err == nil {
			return body, nil
		}
	}
	return nil, err
}

func get(client *http.Client, u string) ([]byte, error) {
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("upstream answered %d", resp.StatusCode)
	}
	return body, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
