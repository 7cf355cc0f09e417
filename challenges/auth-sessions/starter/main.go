// Command auth-sessions serves accounts, sessions and private notes as a
// JSON API; README.md has the contract. This starter answers the health
// check; every other route answers 501 until you build it.
//
// You may use the standard library only (as here; crypto/pbkdf2,
// crypto/rand and crypto/subtle have what you need) or
// github.com/gin-gonic/gin v1.12.0, which the grader has offline.
// golang.org/x/crypto is not offered.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// TODO: create the admin account from ADMIN_USERNAME and ADMIN_PASSWORD
	// at start, storing a salted hash of the password, never the password.

	// TODO: validate, refuse a taken username with 409, answer 201.
	mux.HandleFunc("POST /signup", todo)
	// TODO: answer a new token, or the same 401 for an unknown user and a
	// wrong password.
	mux.HandleFunc("POST /login", todo)
	// TODO: every route below needs "Authorization: Bearer <token>"
	// (401 without a valid one; 403 when the caller may not).
	mux.HandleFunc("POST /logout", todo)
	mux.HandleFunc("GET /me", todo)
	mux.HandleFunc("POST /notes", todo)
	mux.HandleFunc("GET /notes", todo)
	mux.HandleFunc("GET /notes/{id}", todo)
	mux.HandleFunc("GET /admin/users", todo)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

// todo answers 501 for a route not built yet.
func todo(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotImplemented, "not_implemented", r.Method+" "+r.URL.Path+" is not built yet")
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
