package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/signing"
)

// ResultSigner signs a result document; signing.Key implements it.
type ResultSigner interface {
	Sign(r grader.Result) (grader.Result, error)
}

// KeySource lists the public keys that check results' signatures.
type KeySource interface {
	PublicKeys(ctx context.Context) (signing.KeySet, error)
}

// keys answers the public keys that check results' signatures. They are
// public: no token is needed, so that anyone handed a result can check it.
func (s *Server) keys(c *gin.Context) {
	if s.cfg.Keys == nil {
		s.abort(c, Errorf(CodeNotFound, "this service does not sign results"))
		return
	}
	set, err := s.cfg.Keys.PublicKeys(c.Request.Context())
	if err != nil {
		s.abort(c, fmt.Errorf("read the signing keys: %w", err))
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, set)
}

// resultFor returns res, the result of rec, in view v, signed when the
// service signs results. A learner's view follows the feedback policy of
// the submission's cohort. A signing failure is logged and the result
// answered unsigned: a reader who needs a signature then refuses it, and
// nobody loses the result.
func (s *Server) resultFor(ctx context.Context, rec grader.Record, res grader.Result, v grader.View) (*grader.Result, error) {
	out := res.As(v)
	if v == grader.ViewLearner {
		f, note, err := s.feedbackFor(ctx, rec)
		if err != nil {
			return nil, err
		}
		out = res.ForLearner(f, note)
	}
	if s.cfg.Signer == nil {
		return &out, nil
	}
	signed, err := s.cfg.Signer.Sign(out)
	if err != nil {
		s.log.Error("sign a result", "submission_id", res.SubmissionID, "err", err)
		return &out, nil
	}
	return &signed, nil
}
