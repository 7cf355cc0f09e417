package main

import (
	"net/http"
	"os"
)

var keep [][]byte

func main() {
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	http.HandleFunc("GET /answer", func(w http.ResponseWriter, r *http.Request) {
		for {
			b := make([]byte, 16<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
	})
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
