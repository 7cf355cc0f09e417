package api

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gradebox/grader/grader"
)

// redacted stands in for a value an answer does not show.
const redacted = "redacted"

// recordFor is rec as p may read it. A callback URL belongs to whoever
// set it up (often an instructor's CI, with a token in its query):
// learners never see it, and instructors see its query values, user
// information and fragment redacted unless full.
func recordFor(rec grader.Record, p Principal, full bool) grader.Record {
	switch {
	case rec.CallbackURL == "" || (full && p.Role != RoleLearner):
	case p.Role == RoleLearner:
		rec.CallbackURL = ""
	default:
		rec.CallbackURL = redactURL(rec.CallbackURL)
	}
	return rec
}

// redactURL keeps a URL's scheme, host, path and query names and replaces
// everything that may hold a secret.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	q := u.Query()
	for k := range q {
		q[k] = []string{redacted}
	}
	u.RawQuery, u.Fragment, u.RawFragment = q.Encode(), "", ""
	return u.String()
}

// fullParam reads the optional ?full= flag: true asks for the full
// record (instructors only; learners get their view whatever it says).
func fullParam(c *gin.Context) (bool, error) {
	raw, ok := c.GetQuery("full")
	if !ok {
		return false, nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		return false, Errorf(CodeInvalidRequest, "full must be true or false, not %.40q", raw)
	}
	return v, nil
}
