package api

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
)

// jsonDecoder decodes a request body strictly.
func jsonDecoder(r io.Reader) *json.Decoder {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec
}

// challengeSummary is a challenge in the catalog list.
type challengeSummary = wire.ChallengeSummary

func summarize(c *grader.Challenge) challengeSummary {
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	return challengeSummary{ID: c.ID, Title: c.Title, Summary: c.Summary, Difficulty: c.Difficulty, Tags: tags, Version: c.Version,
		MaxScore: c.MaxScore(), Languages: c.OfferedLanguages()}
}

// listChallenges answers the catalog; for a learner each challenge also
// carries their best score so far.
func (s *Server) listChallenges(c *gin.Context) {
	p := principal(c)
	out := []challengeSummary{}
	for _, ch := range s.cfg.Catalog.Challenges() {
		sum := summarize(ch)
		if p.Role == RoleLearner {
			best, ok, err := s.cfg.Store.Best(c.Request.Context(), ch.ID, p.Subject)
			if err != nil {
				s.abort(c, fmt.Errorf("best score of %s at %s: %w", p.Subject, ch.ID, err))
				return
			}
			if ok {
				sum.BestScore = &best.Score
			}
		}
		out = append(out, sum)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// challenge returns the challenge named by the :id parameter, or answers
// 404 and returns nil.
func (s *Server) challenge(c *gin.Context) *grader.Challenge {
	ch, err := s.cfg.Catalog.Challenge(c.Param("id"))
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			s.abort(c, Errorf(CodeNotFound, "no challenge %.80q; GET /v1/challenges lists them", c.Param("id")))
			return nil
		}
		s.abort(c, fmt.Errorf("look up challenge: %w", err))
		return nil
	}
	return ch
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
	ch := s.challenge(c)
	if ch == nil {
		return
	}
	visible := []visibleTest{}
	hidden := 0
	for _, su := range ch.ListedSuites() {
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

// maxStarterBytes caps a starter archive; starters are a few files.
const maxStarterBytes = 8 << 20

// getStarter answers the starter/ folder of one language the challenge is
// offered in as a tar.gz: ?language= names it, and without it the first
// offered language's is sent. Go's files go under "<id>/" in
// "<id>-starter.tar.gz", another language's under "<id>-<language>/" in
// "<id>-<language>-starter.tar.gz", so two languages' starters unpack side
// by side. Only regular files and folders inside starter/ go in: links
// are left out and nothing outside the folder can be reached.
func (s *Server) getStarter(c *gin.Context) {
	ch := s.challenge(c)
	if ch == nil {
		return
	}
	o, ok := starterOffering(ch, c.Query("language"))
	if !ok {
		s.abort(c, Errorf(CodeInvalidRequest, "language %.40q: challenge %s is offered in %s; ask for one of them, or leave language out for %s",
			c.Query("language"), ch.ID, offeredList(ch), ch.OfferedLanguages()[0]))
		return
	}
	name := starterName(ch.ID, o.Language)
	b, err := starterArchive(ch, o, name)
	if errors.Is(err, fs.ErrNotExist) {
		s.abort(c, Errorf(CodeNotFound, "challenge %s has no %s starter code; start from an empty folder", ch.ID, o.Language))
		return
	}
	if err != nil {
		s.abort(c, fmt.Errorf("pack %s starter of %s: %w", o.Language, ch.ID, err))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-starter.tar.gz"`, name))
	c.Data(http.StatusOK, "application/gzip", b)
}

// starterOffering is the offering whose starter a request for lang
// gets: the first offered language's when lang is empty.
func starterOffering(ch *grader.Challenge, lang string) (grader.Offering, bool) {
	if lang == "" {
		return ch.Offering(ch.OfferedLanguages()[0])
	}
	return ch.Offering(grader.Language(lang))
}

// offeredList lists a challenge's languages for a message: "go, python".
func offeredList(ch *grader.Challenge) string {
	langs := ch.OfferedLanguages()
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// starterName is the folder a starter unpacks to, and its archive's name
// without "-starter.tar.gz": the challenge's id for Go, as before
// challenges had languages, "<id>-<language>" for the others.
func starterName(id string, l grader.Language) string {
	if l == grader.LanguageGo {
		return id
	}
	return id + "-" + string(l)
}

// starterArchive packs the starter/ folder of o (in ch.Dir, or in its
// language's folder there), its files under top/. An os.Root confines
// every open to the folder, so a link or a ".." planted in it cannot leak
// other files.
func starterArchive(ch *grader.Challenge, o grader.Offering, top string) ([]byte, error) {
	if ch.Dir == "" {
		return nil, fs.ErrNotExist
	}
	root, err := os.OpenRoot(filepath.Join(ch.Dir, filepath.FromSlash(o.Samples), "starter"))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	var total int64
	fsys := root.FS()
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." || !(d.IsDir() || d.Type().IsRegular()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: path.Join(top, name), ModTime: info.ModTime().UTC().Truncate(time.Second), Format: tar.FormatPAX}
		if d.IsDir() {
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, hdr.Name+"/", 0o755
			return tw.WriteHeader(hdr)
		}
		total += info.Size()
		if total > maxStarterBytes {
			return fmt.Errorf("starter is larger than %d bytes", maxStarterBytes)
		}
		hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeReg, info.Size(), 0o644
		if info.Mode()&0o111 != 0 {
			hdr.Mode = 0o755
		}
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = io.CopyN(tw, f, info.Size())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
