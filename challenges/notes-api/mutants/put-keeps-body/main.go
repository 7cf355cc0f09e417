// Command notes serves a JSON REST API for notes.
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// Note is one note.
type Note struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type input struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

type store struct {
	mu    sync.Mutex
	next  int
	order []string
	notes map[string]*Note
}

func apiError(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"error": gin.H{"code": code, "message": msg}})
}

// validate checks a create or update body.
func validate(c *gin.Context) (title, body string, ok bool) {
	var in input
	if err := c.ShouldBindJSON(&in); err != nil {
		apiError(c, http.StatusBadRequest, "invalid_json", "the body must be a JSON object: "+err.Error())
		return "", "", false
	}
	if in.Title == nil || strings.TrimSpace(*in.Title) == "" {
		apiError(c, http.StatusBadRequest, "validation_failed", "title is required")
		return "", "", false
	}
	title = strings.TrimSpace(*in.Title)
	if utf8.RuneCountInString(title) > 200 {
		apiError(c, http.StatusBadRequest, "validation_failed", "title must be at most 200 characters")
		return "", "", false
	}
	if in.Body != nil {
		body = *in.Body
	}
	return title, body, true
}

func main() {
	gin.SetMode(gin.ReleaseMode)
	s := &store{notes: map[string]*Note{}}
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.POST("/notes", func(c *gin.Context) {
		title, body, ok := validate(c)
		if !ok {
			return
		}
		s.mu.Lock()
		s.next++
		now := time.Now().UTC()
		n := &Note{ID: strconv.Itoa(s.next), Title: title, Body: body, CreatedAt: now, UpdatedAt: now}
		s.notes[n.ID] = n
		s.order = append(s.order, n.ID)
		out := *n
		s.mu.Unlock()
		c.JSON(http.StatusCreated, out)
	})
	r.GET("/notes", func(c *gin.Context) {
		limit, offset := 10, 0
		var err error
		if v := c.Query("limit"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
				apiError(c, http.StatusBadRequest, "invalid_query", "limit must be a number from 1 to 100")
				return
			}
		}
		if v := c.Query("offset"); v != "" {
			if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
				apiError(c, http.StatusBadRequest, "invalid_query", "offset must be a number from 0")
				return
			}
		}
		s.mu.Lock()
		items := []Note{}
		for i := offset; i < len(s.order) && len(items) < limit; i++ {
			items = append(items, *s.notes[s.order[i]])
		}
		total := len(s.order)
		s.mu.Unlock()
		c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "limit": limit, "offset": offset})
	})
	r.GET("/notes/:id", func(c *gin.Context) {
		s.mu.Lock()
		n, ok := s.notes[c.Param("id")]
		var out Note
		if ok {
			out = *n
		}
		s.mu.Unlock()
		if !ok {
			apiError(c, http.StatusNotFound, "not_found", "no note with id "+c.Param("id"))
			return
		}
		c.JSON(http.StatusOK, out)
	})
	r.PUT("/notes/:id", func(c *gin.Context) {
		s.mu.Lock()
		_, ok := s.notes[c.Param("id")]
		s.mu.Unlock()
		if !ok {
			apiError(c, http.StatusNotFound, "not_found", "no note with id "+c.Param("id"))
			return
		}
		title, body, ok := validate(c)
		if !ok {
			return
		}
		s.mu.Lock()
		n, ok := s.notes[c.Param("id")]
		var out Note
		if ok {
			if body == "" {
				body = n.Body
			}
			n.Title, n.Body, n.UpdatedAt = title, body, time.Now().UTC()
			out = *n
		}
		s.mu.Unlock()
		if !ok {
			apiError(c, http.StatusNotFound, "not_found", "no note with id "+c.Param("id"))
			return
		}
		c.JSON(http.StatusOK, out)
	})
	r.DELETE("/notes/:id", func(c *gin.Context) {
		id := c.Param("id")
		s.mu.Lock()
		_, ok := s.notes[id]
		if ok {
			delete(s.notes, id)
			for i, o := range s.order {
				if o == id {
					s.order = append(s.order[:i], s.order[i+1:]...)
					break
				}
			}
		}
		s.mu.Unlock()
		if !ok {
			apiError(c, http.StatusNotFound, "not_found", "no note with id "+id)
			return
		}
		c.Status(http.StatusNoContent)
	})
	r.NoRoute(func(c *gin.Context) { apiError(c, http.StatusNotFound, "not_found", "no such route") })
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("notes listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, r))
}
