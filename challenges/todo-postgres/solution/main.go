// Command todo-postgres serves a to-do list kept in Postgres; README.md
// has the contract.
//
// This is the reference solution.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// maxTitle is the longest title, in characters.
const maxTitle = 100

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
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		log.Fatal("DATABASE_URL is not set")
	}
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		log.Fatalf("connect to the database: %v", err)
	}
	defer db.Close()
	s := &server{db: db}

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

// input is a todo as a client sends it; nil fields were not sent.
type input struct {
	Title *string
	Done  *bool
}

// decodeInput reads the fields of one todo from raw JSON; it returns a
// message saying what is wrong, or "".
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

// decodeNew reads a todo to create: title is required.
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

// queryer is what inserting needs: the pool, or a transaction.
type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func insert(ctx context.Context, q queryer, in input) (Todo, error) {
	var t Todo
	err := q.QueryRow(ctx, `INSERT INTO todos (title, done) VALUES ($1, $2) RETURNING id, title, done`,
		*in.Title, *in.Done).Scan(&t.ID, &t.Title, &t.Done)
	return t, err
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
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
	t, err := insert(r.Context(), s.db, in)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *server) batch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Todos []json.RawMessage `json:"todos"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Todos) == 0 {
		writeError(w, http.StatusBadRequest, `send {"todos": [...]} with at least one todo`)
		return
	}
	ins := make([]input, len(body.Todos))
	for i, raw := range body.Todos {
		in, problem := decodeNew(raw)
		if problem != "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("todos[%d]: %s", i, problem))
			return
		}
		ins[i] = in
	}
	ctx := r.Context()
	tx, err := s.db.Begin(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	out := make([]Todo, 0, len(ins))
	for _, in := range ins {
		t, err := insert(ctx, tx, in)
		if err != nil {
			s.fail(w, err)
			return
		}
		out = append(out, t)
	}
	if err := tx.Commit(ctx); err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string][]Todo{"todos": out})
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	sql := `SELECT id, title, done FROM todos`
	var args []any
	if v, ok := r.URL.Query()["done"]; ok {
		if v[0] != "true" && v[0] != "false" {
			writeError(w, http.StatusBadRequest, "done must be true or false")
			return
		}
		sql += ` WHERE done = $1`
		args = append(args, v[0] == "true")
	}
	rows, err := s.db.Query(r.Context(), sql+` ORDER BY id`, args...)
	if err != nil {
		s.fail(w, err)
		return
	}
	todos, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Todo, error) {
		var t Todo
		err := row.Scan(&t.ID, &t.Title, &t.Done)
		return t, err
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	if todos == nil {
		todos = []Todo{} // [] rather than null
	}
	writeJSON(w, http.StatusOK, map[string][]Todo{"todos": todos})
}

// pathID reads {id}; ok is false (and 404 sent) when it is not a number.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "no todo "+r.PathValue("id"))
		return 0, false
	}
	return id, true
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var t Todo
	err := s.db.QueryRow(r.Context(), `SELECT id, title, done FROM todos WHERE id = $1`, id).Scan(&t.ID, &t.Title, &t.Done)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *server) update(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "send a JSON object with title and/or done")
		return
	}
	in, problem := decodeInput(raw)
	if problem != "" {
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	// COALESCE keeps what was not sent.
	var t Todo
	err := s.db.QueryRow(r.Context(),
		`UPDATE todos SET title = COALESCE($2, title), done = COALESCE($3, done) WHERE id = $1 RETURNING id, title, done`,
		id, in.Title, in.Done).Scan(&t.ID, &t.Title, &t.Done)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *server) remove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	tag, err := s.db.Exec(r.Context(), `DELETE FROM todos WHERE id = $1`, id)
	if err != nil {
		s.fail(w, err)
		return
	}
	if tag.RowsAffected() == 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no todo %d", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// fail answers a database error: no row is 404, a duplicate title 409,
// anything else 500.
func (s *server) fail(w http.ResponseWriter, err error) {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		writeError(w, http.StatusNotFound, "no such todo")
	case errors.As(err, &pgErr) && pgErr.Code == "23505": // unique_violation
		writeError(w, http.StatusConflict, "a todo with this title exists already")
	default:
		log.Printf("database: %v", err)
		writeError(w, http.StatusInternalServerError, "database error")
	}
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
