// A mutant that ignores DATABASE_URL and keeps items in memory: it
// answers like the reference, but nothing reaches the database.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"
)

type item struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func main() {
	var mu sync.Mutex
	items := map[int64]item{}
	next := int64(1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		var it item
		if err := json.NewDecoder(r.Body).Decode(&it); err != nil || it.Name == "" {
			http.Error(w, "want {\"name\": ...}", http.StatusBadRequest)
			return
		}
		mu.Lock()
		it.ID, next = next, next+1
		items[it.ID] = it
		mu.Unlock()
		writeJSON(w, http.StatusCreated, it)
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		mu.Lock()
		it, ok := items[id]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, it)
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
