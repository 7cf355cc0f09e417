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
	return challengeSummary{ID: c.ID, Title: c.Title, Summary: c.Summary, Difficulty: c.Difficulty, Tags: tags, Version: c.Version, MaxScore: c.MaxScore()}
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

// getStarter answers the challenge's starter/ folder as a tar.gz, its
// files under "<id>/". Only regular files and folders inside starter/ go
// in: links are left out and nothing outside the folder can be reached.
func (s *Server) getStarter(c *gin.Context) {
	ch := s.challenge(c)
	if ch == nil {
		return
	}
	b, err := starterArchive(ch)
	if errors.Is(err, fs.ErrNotExist) {
		s.abort(c, Errorf(CodeNotFound, "challenge %s has no starter code; start from an empty module", ch.ID))
		return
	}
	if err != nil {
		s.abort(c, fmt.Errorf("pack starter of %s: %w", ch.ID, err))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-starter.tar.gz"`, ch.ID))
	c.Data(http.StatusOK, "application/gzip", b)
}

// starterArchive packs ch.Dir/starter. An os.Root confines every open to
// the folder, so a link or a ".." planted in it cannot leak other files.
func starterArchive(ch *grader.Challenge) ([]byte, error) {
	if ch.Dir == "" {
		return nil, fs.ErrNotExist
	}
	root, err := os.OpenRoot(filepath.Join(ch.Dir, "starter"))
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
		hdr := &tar.Header{Name: path.Join(ch.ID, name), ModTime: info.ModTime().UTC().Truncate(time.Second), Format: tar.FormatPAX}
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
