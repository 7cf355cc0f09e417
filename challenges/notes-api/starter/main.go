// Command notes serves a JSON REST API for notes. See README.md for the
// routes to build. This starter answers the health check and an (always
// empty) list; the rest is yours.
//
// You may use the standard library only (as here) or
// github.com/gin-gonic/gin v1.12.0, which the grader has offline.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /notes", func(w http.ResponseWriter, r *http.Request) {
		// TODO: list the stored notes, with limit and offset.
		writeJSON(w, http.StatusOK, map[string]any{"items": []any{}, "total": 0, "limit": 10, "offset": 0})
	})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		// TODO: validate and store the note, answer 201 with it.
		writeJSON(w, http.StatusNotImplemented, map[string]any{"error": map[string]string{"code": "not_implemented", "message": "TODO"}})
	})
	// TODO: GET, PUT and DELETE /notes/{id}.

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("notes listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
