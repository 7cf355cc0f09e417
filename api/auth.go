package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gradebox/grader/grader"
)

// Role is what a token may do.
type Role string

// Roles, from least to most trusted.
const (
	RoleLearner    Role = "learner"
	RoleInstructor Role = "instructor"
	RoleAdmin      Role = "admin"
)

// Token is a bearer token and who holds it.
type Token struct {
	// Secret is the bearer token itself.
	Secret string `json:"token"`
	// Subject is who holds it: a learner's id for learners.
	Subject string `json:"subject"`
	Role    Role   `json:"role"`
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Subject string
	Role    Role
	// Cohort is the cohort an issued token was issued for; "" for the
	// configured tokens. Such a token acts only in its cohort and on the
	// practice submissions made with a token of that cohort.
	Cohort string
}

// Sees reports whether p may read rec: learners see their own (with an
// issued token, only those of its scope: see grader.Record.Scope),
// instructors and admins everything.
func (p Principal) Sees(rec grader.Record) bool {
	if p.Role != RoleLearner {
		return true
	}
	return p.Subject == rec.Learner && (p.Cohort == "" || rec.Scope() == p.Cohort)
}

// InCohort reports whether p may act in cohort id at all: anyone but a
// token issued for another cohort.
func (p Principal) InCohort(id string) bool { return p.Cohort == "" || p.Cohort == id }

const principalKey = "principal"

// authenticate resolves the bearer token or answers 401.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	// RFC 6750: a 401 names the scheme it wants.
	c.Header("WWW-Authenticate", `Bearer realm="grader"`)
	if !ok || secret == "" {
		s.abort(c, Errorf(CodeUnauthorized, "send a bearer token: Authorization: Bearer <token>"))
		return
	}
	sum := sha256.Sum256([]byte(secret))
	var found *Token
	var cohort string
	// Compare with every token, in constant time, so timing tells
	// nothing about which prefix matched.
	for i := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], s.tokenSums[i][:]) == 1 {
			found = &s.tokens[i]
		}
	}
	if found == nil && s.cfg.Cohorts != nil {
		g, ok, err := s.cfg.Cohorts.LookupToken(c.Request.Context(), secret)
		if err != nil {
			s.abort(c, Errorf(CodeUnavailable, "cannot check the token right now; try again shortly").withCause(err))
			return
		}
		if ok {
			found = &Token{Subject: g.Subject, Role: Role(g.Role)}
			cohort = g.Cohort
		}
	}
	if found == nil {
		s.abort(c, Errorf(CodeUnauthorized, "the bearer token is not valid"))
		return
	}
	c.Writer.Header().Del("WWW-Authenticate")
	c.Set(principalKey, Principal{Subject: found.Subject, Role: found.Role, Cohort: cohort})
	c.Next()
}

func principal(c *gin.Context) Principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(Principal)
	return pr
}

// me answers who the caller is and, for a token issued for a cohort,
// which.
func (s *Server) me(c *gin.Context) {
	p := principal(c)
	out := gin.H{"subject": p.Subject, "role": p.Role}
	if p.Cohort != "" {
		out["cohort"] = p.Cohort
	}
	c.JSON(http.StatusOK, out)
}
