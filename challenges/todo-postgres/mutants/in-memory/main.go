// Command todo-postgres serves a to-do list; README.md has the contract.
//
// A known-wrong solution: it ignores DATABASE_URL and keeps the todos in
// a map, so the database never sees them, the seeded todos are missing
// and everything is lost when the service restarts. Otherwise it follows
// the contract.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

const maxTitle = 100

// Todo is one todo, as the API sends it.
type Todo struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

type store struct {
	mu     sync.Mutex
	todos  map[int64]*Todo
	lastID int64
}

func main() {
	s := &store{todos: map[int64]*Todo{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /todos", s.create)
	mux.HandleFunc("POST /todos/batch", s.batch)
	mux.HandleFunc("GET /todos", s.list)
	mux.HandleFunc("GET /todos/{id}", s.get)
	mux.HandleFunc("PATCH /todos/{id}", s.update)
	mux.HandleFunc("DELETE /todos/{id}", s.remove)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

type input struct {
	Title *string
	Done  *bool
}

func decodeInput(raw json.RawMessage) (input, string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return input{}, "send a JSON object"
	}
	var in input
	if v, ok := fields["title"]; ok {
		var title string
		if err := json.Unmarshal(v, &title); err != nil {
			return input{}, "title must be a string"
		}
		if strings.TrimSpace(title) == "" {
			return input{}, "title must not be empty"
		}
		if utf8.RuneCountInString(title) > maxTitle {
			return input{}, fmt.Sprintf("title must be at most %d characters", maxTitle)
		}
		in.Title = &title
	}
	if v, ok := fields["done"]; ok {
		var done bool
		if err := json.Unmarshal(v, &done); err != nil {
			return input{}, "done must be true or false"
		}
		in.Done = &done
	}
	return in, ""
}

func decodeNew(raw json.RawMessage) (input, string) {
	in, problem := decodeInput(raw)
	if problem == "" && in.Title == nil {
		problem = "title is required"
	}
	if in.Done == nil {
		in.Done = new(bool)
	}
	return in, problem
}

// taken reports whether another todo than id has the title; s.mu is held.
func (s *store) taken(title string, id int64) bool {
	for _, t := range s.todos {
		if t.Title == title && t.ID != id {
			return true
		}
	}
	return false
}

func (s *store) add(in input) Todo {
	s.lastID++
	t := &Todo{ID: s.lastID, Title: *in.Title, Done: *in.Done}
	s.todos[t.ID] = t
	return *t
}

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "send a JSON object with a title")
		return
	}
	in, problem := decodeNew(raw)
	if problem != "" {
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken(*in.Title, 0) {
		writeError(w, http.StatusConflict, "a todo with this title exists already")
		return
	}
	writeJSON(w, http.StatusCreated, s.add(in))
}

func (s *store) batch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Todos []json.RawMessage `json:"todos"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Todos) == 0 {
		writeError(w, http.StatusBadRequest, `send {"todos": [...]} with at least one todo`)
		return
	}
	ins := make([]input, len(body.Todos))
	seen := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, raw := range body.Todos {
		in, problem := decodeNew(raw)
		if problem != "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("todos[%d]: %s", i, problem))
			return
		}
		if seen[*in.Title] || s.taken(*in.Title, 0) {
			writeError(w, http.StatusConflict, fmt.Sprintf("todos[%d]: a todo with this title exists already", i))
			return
		}
		seen[*in.Title] = true
		ins[i] = in
	}
	out := make([]Todo, 0, len(ins))
	for _, in := range ins {
		out = append(out, s.add(in))
	}
	writeJSON(w, http.StatusCreated, map[string][]Todo{"todos": out})
}

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	filter, ok := r.URL.Query()["done"]
	if ok && filter[0] != "true" && filter[0] != "false" {
		writeError(w, http.StatusBadRequest, "done must be true or false")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	todos := []Todo{}
	for id := int64(1); id <= s.lastID; id++ {
		t, found := s.todos[id]
		if found && (!ok || t.Done == (filter[0] == "true")) {
			todos = append(todos, *t)
		}
	}
	writeJSON(w, http.StatusOK, map[string][]Todo{"todos": todos})
}

// lookup finds {id}; ok is false (and 404 sent) when there is none. s.mu
// is held.
func (s *store) lookup(w http.ResponseWriter, r *http.Request) (*Todo, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	t, found := s.todos[id]
	if err != nil || !found {
		writeError(w, http.StatusNotFound, "no todo "+r.PathValue("id"))
		return nil, false
	}
	return t, true
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.lookup(w, r); ok {
		writeJSON(w, http.StatusOK, t)
	}
}

func (s *store) update(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "send a JSON object with title and/or done")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.lookup(w, r)
	if !ok {
		return
	}
	in, problem := decodeInput(raw)
	if problem != "" {
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	if in.Title != nil {
		if s.taken(*in.Title, t.ID) {
			writeError(w, http.StatusConflict, "a todo with this title exists already")
			return
		}
		t.Title = *in.Title
	}
	if in.Done != nil {
		t.Done = *in.Done
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *store) remove(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.lookup(w, r); ok {
		delete(s.todos, t.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
