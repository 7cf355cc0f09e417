package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

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
	CodeTooLarge          = "payload_too_large"
	CodeUnavailable       = "unavailable"
	CodeInternal          = "internal"
)

var codeStatus = map[string]int{
	CodeInvalidRequest:    http.StatusBadRequest,
	CodeInvalidSubmission: http.StatusBadRequest,
	CodeUnauthorized:      http.StatusUnauthorized,
	CodeForbidden:         http.StatusForbidden,
	CodeNotFound:          http.StatusNotFound,
	CodeTooLarge:          http.StatusRequestEntityTooLarge,
	CodeUnavailable:       http.StatusServiceUnavailable,
	CodeInternal:          http.StatusInternalServerError,
}

// Error is what every failed request answers, as
// {"error": {"code": "...", "message": "..."}}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// abort answers err as JSON. Errors that are not *Error become internal
// errors: logged, and shown to the client without details.
func abort(c *gin.Context, log *slog.Logger, err error) {
	var e *Error
	if !errors.As(err, &e) {
		log.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		e = &Error{Code: CodeInternal, Message: "the service failed; try again later"}
	}
	status, ok := codeStatus[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	c.AbortWithStatusJSON(status, gin.H{"error": e})
}
