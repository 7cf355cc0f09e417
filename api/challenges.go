package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
)

// jsonDecoder decodes a request body strictly.
func jsonDecoder(r io.Reader) *json.Decoder {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec
}

// challengeSummary is a challenge in the catalog list.
type challengeSummary struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Difficulty string   `json:"difficulty"`
	Tags       []string `json:"tags"`
	Version    string   `json:"version"`
	MaxScore   int      `json:"max_score"`
}

func summarize(c *grader.Challenge) challengeSummary {
	return challengeSummary{ID: c.ID, Title: c.Title, Summary: c.Summary, Difficulty: c.Difficulty, Tags: c.Tags, Version: c.Version, MaxScore: c.MaxScore()}
}

func (s *Server) listChallenges(c *gin.Context) {
	out := []challengeSummary{}
	for _, ch := range s.cfg.Catalog.Challenges() {
		out = append(out, summarize(ch))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// visibleTest is what learners learn of a test before submitting.
type visibleTest struct {
	Suite  string `json:"suite"`
	Name   string `json:"name"`
	Points int    `json:"points"`
}

// getChallenge answers the statement, limits and visible tests; hidden
// tests only as a count.
func (s *Server) getChallenge(c *gin.Context) {
	ch, err := s.cfg.Catalog.Challenge(c.Param("id"))
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			abort(c, s.log, Errorf(CodeNotFound, "no challenge %q; GET /v1/challenges lists them", c.Param("id")))
			return
		}
		abort(c, s.log, err)
		return
	}
	visible := []visibleTest{}
	hidden := 0
	for _, su := range ch.Suites {
		for _, t := range su.Tests {
			if t.Visibility == grader.Visible {
				visible = append(visible, visibleTest{Suite: su.Name, Name: t.Name, Points: t.Points})
			} else {
				hidden++
			}
		}
	}
	c.JSON(http.StatusOK, gin.H{
		"challenge": summarize(ch), "statement": ch.Statement, "limits": ch.Limits.WithDefaults(),
		"visible_tests": visible, "hidden_tests": hidden,
	})
}
