// Command idempotent-payments takes payments that clients may send more
// than once and charges each exactly once; README.md has the contract.
// This starter answers the health check; every other route answers 501
// until you build it.
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

// Payment is one payment, as the API sends it.
type Payment struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Status   string `json:"status"`
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// TODO: check the Idempotency-Key and the body, then charge once per key:
	// a repeated key with the same body replays the first answer.
	mux.HandleFunc("POST /payments", todo)
	// TODO: answer the payment (r.PathValue("id")), or 404.
	mux.HandleFunc("GET /payments/{id}", todo)
	// TODO: answer what the customer was charged and how many payments.
	mux.HandleFunc("GET /customers/{customer}/balance", todo)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

func todo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotImplemented, map[string]string{"error": r.Method + " " + r.URL.Path + " is not built yet"})
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
