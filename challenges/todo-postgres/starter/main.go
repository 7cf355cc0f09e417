// Command todo-postgres serves a to-do list kept in Postgres; README.md
// has the contract. This starter connects to the database, answers the
// health check and GET /todos/{id}; every other route answers 501 until
// you build it.
//
// You may use the standard library, github.com/jackc/pgx/v5 (as here)
// and github.com/gin-gonic/gin v1.12.0, which the grader has offline.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Todo is one row of the todos table, as the API sends it.
type Todo struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

type server struct {
	db *pgxpool.Pool
}

func main() {
	// The grader tells the service where its database is.
	db, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("connect to the database: %v", err)
	}
	defer db.Close()
	s := &server{db: db}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /todos/{id}", s.get)
	// TODO: check the title (required, 1 to 100 characters) and done, then
	// INSERT ... RETURNING id; a duplicate title is 409.
	mux.HandleFunc("POST /todos", todo)
	// TODO: every todo of the batch, or none: one transaction.
	mux.HandleFunc("POST /todos/batch", todo)
	// TODO: every todo by id, or only done=true / done=false ones.
	mux.HandleFunc("GET /todos", todo)
	// TODO: change only the fields the body sends.
	mux.HandleFunc("PATCH /todos/{id}", todo)
	// TODO: 204 without a body, or 404.
	mux.HandleFunc("DELETE /todos/{id}", todo)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "no todo "+r.PathValue("id"))
		return
	}
	var t Todo
	err = s.db.QueryRow(r.Context(), `SELECT id, title, done FROM todos WHERE id = $1`, id).Scan(&t.ID, &t.Title, &t.Done)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		writeError(w, http.StatusNotFound, "no todo "+r.PathValue("id"))
	case err != nil:
		log.Printf("read todo %d: %v", id, err)
		writeError(w, http.StatusInternalServerError, "database error")
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

func todo(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotImplemented, r.Method+" "+r.URL.Path+" is not built yet")
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
