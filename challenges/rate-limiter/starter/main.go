// Command quotes serves a small JSON API of quotes; README.md has the
// contract. The API works, but any client may call it as often as it
// likes: limit each client (see README.md).
//
// The grader gives you RATE_LIMIT (requests allowed per window) and
// RATE_WINDOW_SECONDS (the window's length). You may use the standard
// library only (as here) or github.com/gin-gonic/gin v1.12.0, which the
// grader has offline.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
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
	limit := envInt("RATE_LIMIT", 5)
	window := time.Duration(envInt("RATE_WINDOW_SECONDS", 4)) * time.Second

	api := http.NewServeMux()
	api.HandleFunc("GET /quotes", listQuotes)
	api.HandleFunc("GET /quotes/{id}", getQuote)

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// TODO: wrap api in a middleware that identifies the client by its
	// X-Client-Id header and allows it at most limit requests per window,
	// answering 429 with Retry-After past that. The health check stays
	// unlimited.
	root.Handle("/", api)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("quotes listening on :%s (to limit: %d requests per %s per client)", port, limit, window)
	log.Fatal(http.ListenAndServe(":"+port, root))
}
