// Command notes serves the notes API of README.md from the Postgres
// database DATABASE_URL names.
//
// A mutant: the list query was rewritten with bound parameters and lost
// the owner's own private notes on the way.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Note is one note, as the API sends it.
type Note struct {
	ID      int64  `json:"id"`
	Owner   string `json:"owner"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Private bool   `json:"private"`
}

// user is the caller a token names.
type user struct {
	id   int64
	name string
}

type server struct {
	db *pgxpool.Pool
}

func main() {
	db, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("connect to the database: %v", err)
	}
	defer db.Close()
	s := &server{db: db}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.Ping(r.Context()); err != nil {
			writeError(w, http.StatusServiceUnavailable, "the database does not answer")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /notes", s.authed(s.list))
	mux.HandleFunc("POST /notes", s.authed(s.create))
	mux.HandleFunc("GET /notes/{id}", s.authed(s.read))

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

// authed answers 401 unless the request carries the token of a user.
func (s *server) authed(next func(http.ResponseWriter, *http.Request, user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, "send Authorization: Bearer <token>")
			return
		}
		var u user
		err := s.db.QueryRow(r.Context(),
			"SELECT id, name FROM users WHERE token = $1", token).Scan(&u.id, &u.name)
		if errors.Is(err, pgx.ErrNoRows) {
			writeError(w, http.StatusUnauthorized, "unknown token")
			return
		}
		if err != nil {
			serverError(w, err)
			return
		}
		next(w, r, u)
	}
}

const noteColumns = "n.id, u.name, n.title, n.body, n.private"

func (s *server) list(w http.ResponseWriter, r *http.Request, me user) {
	owner := r.URL.Query().Get("owner")
	if owner == "" {
		writeError(w, http.StatusBadRequest, "name the owner: GET /notes?owner=<name>")
		return
	}
	q := r.URL.Query().Get("q")
	rows, err := s.db.Query(r.Context(), `
		SELECT `+noteColumns+`
		FROM notes n JOIN users u ON u.id = n.owner_id
		WHERE u.name = $1 AND NOT n.private
		  AND strpos(lower(n.title), lower($2)) > 0
		ORDER BY n.id`, owner, q)
	if err != nil {
		serverError(w, err)
		return
	}
	notes, err := pgx.CollectRows(rows, scanNote)
	if err != nil {
		serverError(w, err)
		return
	}
	if notes == nil {
		notes = []Note{}
	}
	writeJSON(w, http.StatusOK, map[string][]Note{"notes": notes})
}

func (s *server) create(w http.ResponseWriter, r *http.Request, me user) {
	var in struct {
		Title   string `json:"title"`
		Body    string `json:"body"`
		Private bool   `json:"private"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Title) == "" {
		writeError(w, http.StatusBadRequest, `send a JSON body with a title: {"title": "...", "body": "...", "private": false}`)
		return
	}
	n := Note{Owner: me.name, Title: in.Title, Body: in.Body, Private: in.Private}
	err := s.db.QueryRow(r.Context(),
		"INSERT INTO notes (owner_id, title, body, private) VALUES ($1, $2, $3, $4) RETURNING id",
		me.id, in.Title, in.Body, in.Private).Scan(&n.ID)
	if err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

func (s *server) read(w http.ResponseWriter, r *http.Request, me user) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such note")
		return
	}
	rows, err := s.db.Query(r.Context(), `
		SELECT `+noteColumns+`
		FROM notes n JOIN users u ON u.id = n.owner_id
		WHERE n.id = $1 AND (NOT n.private OR n.owner_id = $2)`, id, me.id)
	if err != nil {
		serverError(w, err)
		return
	}
	n, err := pgx.CollectExactlyOneRow(rows, scanNote)
	if errors.Is(err, pgx.ErrNoRows) {
		// Someone else's private note is "not found" too: its existence is
		// none of the caller's business.
		writeError(w, http.StatusNotFound, "no such note")
		return
	}
	if err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func scanNote(row pgx.CollectableRow) (Note, error) {
	var n Note
	err := row.Scan(&n.ID, &n.Owner, &n.Title, &n.Body, &n.Private)
	return n, err
}

// serverError logs err and answers 500 without the database's details.
func serverError(w http.ResponseWriter, err error) {
	log.Printf("query: %v", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

// writeError sends the API's error body: {"error": "..."}.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}
