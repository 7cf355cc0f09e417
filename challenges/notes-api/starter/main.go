// Command notes serves a JSON REST API for notes; README.md has the
// contract. This starter answers the health check and an (always empty)
// list; every other route answers 501 until you build it.
//
// You may use the standard library only (as here) or
// github.com/gin-gonic/gin v1.12.0, which the grader has offline.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"
)

// Note is one note, as the API sends it.
type Note struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
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

func todo(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotImplemented, "not_implemented", r.Method+" "+r.URL.Path+" is not built yet")
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /notes", func(w http.ResponseWriter, r *http.Request) {
		// TODO: list the stored notes, oldest first, honouring limit and offset.
		writeJSON(w, http.StatusOK, map[string]any{"items": []Note{}, "total": 0, "limit": 10, "offset": 0})
	})
	// TODO: validate the body and store the note; answer 201 with it.
	mux.HandleFunc("POST /notes", todo)
	// TODO: read, replace and delete one note (r.PathValue("id")).
	mux.HandleFunc("GET /notes/{id}", todo)
	mux.HandleFunc("PUT /notes/{id}", todo)
	mux.HandleFunc("DELETE /notes/{id}", todo)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("notes listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
