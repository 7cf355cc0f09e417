// Command paginate-search serves a product catalogue kept in Postgres,
// listed page by page with opaque cursors; README.md has the contract.
//
// A known-wrong solution: limit has no maximum, so a client can ask
// for the whole table in one page.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	defaultLimit = 20
	maxName      = 100
)

// Product is one row of the products table, as the API sends it.
type Product struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Category   string    `json:"category"`
	PriceCents int64     `json:"price_cents"`
	CreatedAt  time.Time `json:"created_at"`
}

// sortSpec is one accepted value of ?sort=: the column it orders by and
// whether descending. Ties are always broken by id ascending.
type sortSpec struct {
	column string
	desc   bool
}

var sorts = map[string]sortSpec{
	"id":          {column: "id"},
	"price":       {column: "price_cents"},
	"-price":      {column: "price_cents", desc: true},
	"created_at":  {column: "created_at"},
	"-created_at": {column: "created_at", desc: true},
}

// cursor is what next_cursor carries, base64url-encoded JSON: the sort it
// was made for, and the sort key and id of the last item of the page.
type cursor struct {
	Sort string `json:"s"`
	Key  string `json:"k"`
	ID   int64  `json:"i"`
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
	mux.HandleFunc("GET /products", s.list)
	mux.HandleFunc("POST /products", s.create)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

// keyOf is the sort key of p under column, as a cursor stores it.
func keyOf(p Product, column string) string {
	switch column {
	case "price_cents":
		return strconv.FormatInt(p.PriceCents, 10)
	case "created_at":
		return p.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return strconv.FormatInt(p.ID, 10)
}

// parseKey turns a cursor's key back into a value for column.
func parseKey(key, column string) (any, error) {
	switch column {
	case "price_cents":
		return strconv.ParseInt(key, 10, 64)
	case "created_at":
		return time.Parse(time.RFC3339Nano, key)
	}
	return strconv.ParseInt(key, 10, 64)
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	return c, nil
}

// likePattern matches q anywhere, with LIKE's wildcards taken literally.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	limit := defaultLimit
	if v, ok := query["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be a positive whole number, got %q", v[0]))
			return
		}
		limit = n
	}
	sortName := "id"
	if v, ok := query["sort"]; ok {
		sortName = v[0]
	}
	spec, ok := sorts[sortName]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("sort must be one of id, price, -price, created_at, -created_at, got %q", sortName))
		return
	}

	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if c := query.Get("category"); c != "" {
		where = append(where, "category = "+arg(c))
	}
	if q := query.Get("q"); q != "" {
		where = append(where, "name ILIKE "+arg(likePattern(q)))
	}
	if v, ok := query["cursor"]; ok {
		c, err := decodeCursor(v[0])
		if err != nil {
			writeError(w, http.StatusBadRequest, "cursor is not valid: send next_cursor from a previous page as it is")
			return
		}
		if c.Sort != sortName {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("cursor was made for sort=%s: send the same sort with it", c.Sort))
			return
		}
		key, err := parseKey(c.Key, spec.column)
		if err != nil {
			writeError(w, http.StatusBadRequest, "cursor is not valid: send next_cursor from a previous page as it is")
			return
		}
		if spec.column == "id" {
			where = append(where, "id > "+arg(c.ID))
		} else {
			op := ">"
			if spec.desc {
				op = "<"
			}
			k := arg(key)
			where = append(where, fmt.Sprintf("(%s %s %s OR (%s = %s AND id > %s))", spec.column, op, k, spec.column, k, arg(c.ID)))
		}
	}

	sql := `SELECT id, name, category, price_cents, created_at FROM products`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	order := spec.column
	if spec.desc {
		order += " DESC"
	}
	if spec.column != "id" {
		order += ", id"
	}
	// One row more than the page tells whether there is a next page.
	sql += " ORDER BY " + order + " LIMIT " + arg(limit+1)

	rows, err := s.db.Query(r.Context(), sql, args...)
	if err != nil {
		s.fail(w, err)
		return
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Product])
	if err != nil {
		s.fail(w, err)
		return
	}
	for i := range items {
		items[i].CreatedAt = items[i].CreatedAt.UTC()
	}
	var next *string
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		c := encodeCursor(cursor{Sort: sortName, Key: keyOf(last, spec.column), ID: last.ID})
		next = &c
	}
	if items == nil {
		items = []Product{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

// textField reads a required non-blank string of at most max characters.
func textField(fields map[string]json.RawMessage, name string, max int) (string, string) {
	raw, ok := fields[name]
	if !ok {
		return "", name + " is required"
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", name + " must be a string"
	}
	if strings.TrimSpace(v) == "" {
		return "", name + " must not be empty"
	}
	if utf8.RuneCountInString(v) > max {
		return "", fmt.Sprintf("%s must be at most %d characters", name, max)
	}
	return v, ""
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil || fields == nil {
		writeError(w, http.StatusBadRequest, "send a JSON object with name, category and price_cents")
		return
	}
	name, problem := textField(fields, "name", maxName)
	var category string
	if problem == "" {
		category, problem = textField(fields, "category", maxName)
	}
	var price int64
	if problem == "" {
		raw, ok := fields["price_cents"]
		if !ok {
			problem = "price_cents is required"
		} else if err := json.Unmarshal(raw, &price); err != nil || price < 0 || price > 1_000_000_000 {
			problem = "price_cents must be a whole number of cents from 0 to 1000000000"
		}
	}
	if problem != "" {
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	rows, err := s.db.Query(r.Context(),
		`INSERT INTO products (name, category, price_cents) VALUES ($1, $2, $3)
		 RETURNING id, name, category, price_cents, created_at`, name, category, price)
	if err != nil {
		s.fail(w, err)
		return
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Product])
	if err != nil {
		s.fail(w, err)
		return
	}
	p.CreatedAt = p.CreatedAt.UTC()
	writeJSON(w, http.StatusCreated, p)
}

func (s *server) fail(w http.ResponseWriter, err error) {
	log.Printf("database: %v", err)
	writeError(w, http.StatusInternalServerError, "database error")
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
