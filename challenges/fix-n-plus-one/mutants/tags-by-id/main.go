// Command blog serves the blog API of README.md. Mutant: the tags of the page are
// loaded at once, but ordered by their id instead of their name.
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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Post is one post of the feed, as the API sends it.
type Post struct {
	ID           int64    `json:"id"`
	Title        string   `json:"title"`
	PublishedAt  string   `json:"published_at"`
	Author       Author   `json:"author"`
	Tags         []string `json:"tags"`
	CommentCount int64    `json:"comment_count"`
}

// Author is a post's author.
type Author struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// AuthorSummary is one author of GET /authors.
type AuthorSummary struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	PostCount  int64      `json:"post_count"`
	LatestPost *PostTitle `json:"latest_post"`
}

// PostTitle names a post.
type PostTitle struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
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
	mux.HandleFunc("GET /posts", s.listPosts)
	mux.HandleFunc("GET /authors", s.listAuthors)
	mux.HandleFunc("POST /posts/{id}/comments", s.addComment)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

// listPosts answers GET /posts: the newest posts first, each with its
// author, its tags and its number of comments.
func (s *server) listPosts(w http.ResponseWriter, r *http.Request) {
	limit, err := parseLimit(r.URL.Query().Get("limit"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	// One query for the page: the posts and their authors. An empty tag
	// filters nothing.
	rows, err := s.db.Query(ctx, `SELECT p.id, p.title, p.published_at, a.id, a.name
		FROM posts p JOIN authors a ON a.id = p.author_id
		WHERE $1 = '' OR EXISTS (
			SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
			WHERE pt.post_id = p.id AND t.name = $1)
		ORDER BY p.published_at DESC, p.id DESC LIMIT $2`, r.URL.Query().Get("tag"), limit)
	if err != nil {
		serverError(w, err)
		return
	}
	posts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Post, error) {
		var p Post
		var published time.Time
		err := row.Scan(&p.ID, &p.Title, &published, &p.Author.ID, &p.Author.Name)
		p.PublishedAt = published.UTC().Format(time.RFC3339)
		p.Tags = []string{}
		return p, err
	})
	if err != nil {
		serverError(w, err)
		return
	}
	ids := make([]int64, len(posts))
	byID := make(map[int64]*Post, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
		byID[posts[i].ID] = &posts[i]
	}
	// One query for the tags of every post of the page.
	rows, err = s.db.Query(ctx, `SELECT pt.post_id, t.name
		FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
		WHERE pt.post_id = ANY($1) ORDER BY pt.post_id, t.id`, ids)
	if err != nil {
		serverError(w, err)
		return
	}
	var postID int64
	var tag string
	_, err = pgx.ForEachRow(rows, []any{&postID, &tag}, func() error {
		byID[postID].Tags = append(byID[postID].Tags, tag)
		return nil
	})
	if err != nil {
		serverError(w, err)
		return
	}
	// One query, one pass over comments, for every count of the page.
	rows, err = s.db.Query(ctx, `SELECT post_id, count(*) FROM comments
		WHERE post_id = ANY($1) GROUP BY post_id`, ids)
	if err != nil {
		serverError(w, err)
		return
	}
	var count int64
	_, err = pgx.ForEachRow(rows, []any{&postID, &count}, func() error {
		byID[postID].CommentCount = count
		return nil
	})
	if err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"posts": posts})
}

// listAuthors answers GET /authors: every author by name, with how many
// posts they wrote and their newest one, in one query.
func (s *server) listAuthors(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.Query(r.Context(), `SELECT a.id, a.name,
			(SELECT count(*) FROM posts p WHERE p.author_id = a.id),
			latest.id, latest.title
		FROM authors a
		LEFT JOIN LATERAL (
			SELECT id, title FROM posts p WHERE p.author_id = a.id
			ORDER BY p.published_at DESC, p.id DESC LIMIT 1) latest ON true
		ORDER BY a.name, a.id`)
	if err != nil {
		serverError(w, err)
		return
	}
	authors, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuthorSummary, error) {
		var a AuthorSummary
		var latestID *int64
		var latestTitle *string
		if err := row.Scan(&a.ID, &a.Name, &a.PostCount, &latestID, &latestTitle); err != nil {
			return a, err
		}
		if latestID != nil {
			a.LatestPost = &PostTitle{ID: *latestID, Title: *latestTitle}
		}
		return a, nil
	})
	if err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"authors": authors})
}

// addComment answers POST /posts/{id}/comments.
func (s *server) addComment(w http.ResponseWriter, r *http.Request) {
	postID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || postID <= 0 {
		writeError(w, http.StatusNotFound, "no such post")
		return
	}
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "send a JSON object such as {\"body\": \"...\"}")
		return
	}
	if in.Body == nil || strings.TrimSpace(*in.Body) == "" {
		writeError(w, http.StatusBadRequest, "body must be a non-empty string")
		return
	}
	var id int64
	err = s.db.QueryRow(r.Context(), `INSERT INTO comments (post_id, body)
		SELECT id, $2 FROM posts WHERE id = $1 RETURNING id`, postID, *in.Body).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		writeError(w, http.StatusNotFound, "no such post")
		return
	}
	if err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "post_id": postID, "body": *in.Body})
}

// parseLimit reads ?limit=: 20 when absent, else a whole number from 1
// to 100.
func parseLimit(s string) (int, error) {
	if s == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, errors.New("limit must be a whole number from 1 to 100")
	}
	return n, nil
}

func serverError(w http.ResponseWriter, err error) {
	log.Printf("error: %v", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
