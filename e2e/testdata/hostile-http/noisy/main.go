package main

import (
	"net/http"
	"os"
	"strings"
)

func main() {
	go func() {
		line := []byte(strings.Repeat("noise ", 10000) + "\n")
		for {
			os.Stdout.Write(line)
		}
	}()
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	http.HandleFunc("GET /answer", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"answer": 42}`)) })
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
