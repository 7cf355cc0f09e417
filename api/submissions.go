package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
)

func newID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "sub_" + hex.EncodeToString(b)
}

// jsonSubmission is the JSON form of a submission: files by name.
type jsonSubmission struct {
	Challenge string `json:"challenge"`
	Learner   string `json:"learner"`
	Files     []struct {
		Name    string `json:"name"`
		Content string `json:"content"`
	} `json:"files"`
}

// submissionView is what the API answers about a submission.
type submissionView struct {
	store.Record
	Result *grader.Result    `json:"result,omitempty"`
	Links  map[string]string `json:"links"`
}

func links(id string) map[string]string {
	return map[string]string{"self": "/v1/submissions/" + id, "events": "/v1/submissions/" + id + "/events"}
}

// createSubmission takes a multipart archive (fields challenge, archive)
// or JSON with files, checks it, stores it and queues its grading.
func (s *Server) createSubmission(c *gin.Context) {
	p := principal(c)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.UploadBytes)
	id := s.cfg.NewID()
	var challengeID, learner string
	var sub grader.Submission
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		challengeID, learner = c.PostForm("challenge"), c.PostForm("learner")
		fh, ferr := c.FormFile("archive")
		if ferr != nil {
			abort(c, s.log, uploadError(ferr, "send the solution as a file field named archive (zip, tar or tar.gz)"))
			return
		}
		f, ferr := fh.Open()
		if ferr != nil {
			abort(c, s.log, Errorf(CodeInvalidRequest, "cannot read the uploaded archive: %v", ferr))
			return
		}
		defer f.Close()
		sub, err = grader.ReadArchive(id, f, s.cfg.Limits)
	} else {
		var body jsonSubmission
		dec := jsonDecoder(c.Request.Body)
		if derr := dec.Decode(&body); derr != nil {
			abort(c, s.log, uploadError(derr, "send JSON like {\"challenge\": \"notes-api\", \"files\": [{\"name\": \"go.mod\", \"content\": \"...\"}]} or a multipart archive"))
			return
		}
		challengeID, learner = body.Challenge, body.Learner
		files := make([]grader.File, 0, len(body.Files))
		for _, f := range body.Files {
			files = append(files, grader.File{Name: f.Name, Mode: 0o644, Data: []byte(f.Content)})
		}
		sub, err = grader.NewSubmission(id, files, s.cfg.Limits)
	}
	if challengeID == "" {
		abort(c, s.log, Errorf(CodeInvalidRequest, "challenge is missing: name the challenge to grade against"))
		return
	}
	ch, cerr := s.cfg.Catalog.Challenge(challengeID)
	if cerr != nil {
		if errors.Is(cerr, grader.ErrNotFound) {
			abort(c, s.log, Errorf(CodeNotFound, "no challenge %q; GET /v1/challenges lists them", challengeID))
			return
		}
		abort(c, s.log, cerr)
		return
	}
	if err != nil {
		var re *grader.RejectedError
		if errors.As(err, &re) {
			abort(c, s.log, Errorf(CodeInvalidSubmission, "%s", re.Reason))
			return
		}
		abort(c, s.log, err)
		return
	}
	switch {
	case learner == "" || p.Role == RoleLearner:
		learner = p.Subject
	}
	rec := store.Record{ID: id, Challenge: ch.ID, Learner: learner, Queue: queue.QueueInteractive}
	if err := s.cfg.Store.CreateSubmission(c.Request.Context(), rec, sub.Files); err != nil {
		abort(c, s.log, err)
		return
	}
	if err := s.cfg.Queue.Enqueue(c.Request.Context(), rec, queue.TaskTimeout(ch)); err != nil {
		abort(c, s.log, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": id, "state": store.StateQueued, "links": links(id)})
}

// uploadError turns a body read error into a client error.
func uploadError(err error, fix string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return Errorf(CodeTooLarge, "the request is larger than %d bytes; submit only your source code", mbe.Limit)
	}
	return Errorf(CodeInvalidRequest, "%v; %s", err, fix)
}

// getSubmission answers a submission's record and, once graded, its
// result in the caller's view.
func (s *Server) getSubmission(c *gin.Context) {
	p := principal(c)
	id := c.Param("id")
	rec, err := s.cfg.Store.Record(c.Request.Context(), id)
	if err != nil || !p.Sees(rec.Learner) {
		if err == nil || errors.Is(err, grader.ErrNotFound) {
			// Learners cannot tell others' submissions from missing ones.
			abort(c, s.log, Errorf(CodeNotFound, "no submission %q", id))
			return
		}
		abort(c, s.log, err)
		return
	}
	view := submissionView{Record: rec, Links: links(id)}
	if res, ok, err := s.cfg.Store.Result(c.Request.Context(), id); err != nil {
		abort(c, s.log, err)
		return
	} else if ok {
		v := res.As(viewOf(p))
		view.Result = &v
	}
	c.JSON(http.StatusOK, view)
}

// viewOf is the result view a caller gets.
func viewOf(p Principal) grader.View {
	if p.Role == RoleLearner {
		return grader.ViewLearner
	}
	return grader.ViewInstructor
}
