package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	http.HandleFunc("GET /answer", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"answer": 42}`))
	})
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
