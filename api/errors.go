package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// Error codes: stable words clients branch on. Each maps to one HTTP
// status in codeStatus.
const (
	CodeInvalidRequest    = "invalid_request"
	CodeInvalidSubmission = "invalid_submission"
	CodeUnauthorized      = "unauthorized"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeConflict          = "conflict"
	CodeTooLarge          = "payload_too_large"
	CodeRateLimited       = "rate_limited"
	CodeUnavailable       = "unavailable"
	CodeInternal          = "internal"
)

// codeStatus is the one table from error code to HTTP status.
var codeStatus = map[string]int{
	CodeInvalidRequest:    http.StatusBadRequest,
	CodeInvalidSubmission: http.StatusBadRequest,
	CodeUnauthorized:      http.StatusUnauthorized,
	CodeForbidden:         http.StatusForbidden,
	CodeNotFound:          http.StatusNotFound,
	CodeMethodNotAllowed:  http.StatusMethodNotAllowed,
	CodeConflict:          http.StatusConflict,
	CodeTooLarge:          http.StatusRequestEntityTooLarge,
	CodeRateLimited:       http.StatusTooManyRequests,
	CodeUnavailable:       http.StatusServiceUnavailable,
	CodeInternal:          http.StatusInternalServerError,
}

// StatusOf returns the HTTP status an error code is answered with
// (500 for codes it does not know).
func StatusOf(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is what every failed request answers, as
// {"error": {"code": "...", "message": "..."}}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// cause is the fault behind a 5xx answer: logged, never sent.
	cause error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the fault behind the error, if any.
func (e *Error) Unwrap() error { return e.cause }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// withCause returns e carrying the fault behind it, for the log.
func (e *Error) withCause(err error) *Error {
	e.cause = err
	return e
}

// unavailableRetryAfter is the Retry-After of a 503 that does not set
// its own: long enough for a Redis restart or failover.
const unavailableRetryAfter = 5 * time.Second

// abort answers err as JSON. Errors that are not *Error become internal
// errors, shown to the client without details, except that a store being
// unreachable (Config.Unavailable) is "unavailable": 503, to be retried.
// Every 503 carries a Retry-After. Every 5xx answer is logged with its
// cause; client errors are not.
func (s *Server) abort(c *gin.Context, err error) {
	log := s.log
	var e *Error
	switch {
	case errors.As(err, &e):
	case s.cfg.Unavailable(err):
		e = &Error{Code: CodeUnavailable, Message: "the service's storage is unreachable; try again shortly", cause: err}
	default:
		e = &Error{Code: CodeInternal, Message: "the service failed; try again later", cause: err}
	}
	status := StatusOf(e.Code)
	if status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", strconv.Itoa(int(unavailableRetryAfter/time.Second)))
	}
	if status >= 500 {
		cause := e.cause
		if cause == nil {
			cause = e
		}
		log.Error("request failed", "method", c.Request.Method, "route", c.FullPath(), "status", status, "err", cause)
	}
	c.AbortWithStatusJSON(status, gin.H{"error": e})
}
