package okta

import (
	"errors"
	"fmt"
	"strings"
)

// Okta error codes the product branches on.
const (
	CodeValidation    = "E0000001" // 400 Api validation failed
	CodeMalformed     = "E0000003" // 400 The request body was not well-formed
	CodeForbidden     = "E0000006" // 403
	CodeNotFound      = "E0000007" // 404
	CodeInvalidToken  = "E0000011" // 401
	CodeRateLimited   = "E0000047" // 429
	CodeMethodNotAllw = "E0000022" // 405
)

// ErrorCause is one member of errorCauses.
type ErrorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// Error is an error answered by Okta (or the sandbox), with the HTTP status.
type Error struct {
	Status       int          `json:"-"`
	Method       string       `json:"-"`
	Path         string       `json:"-"`
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink,omitempty"`
	ErrorID      string       `json:"errorId,omitempty"`
	ErrorCauses  []ErrorCause `json:"errorCauses,omitempty"`
}

// Error reads like Okta's admin console: `E0000001 Api validation failed: name (cause)`.
func (e *Error) Error() string {
	var b strings.Builder
	if e.ErrorCode != "" {
		b.WriteString(e.ErrorCode)
		b.WriteString(" ")
	}
	if e.ErrorSummary != "" {
		b.WriteString(e.ErrorSummary)
	} else {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	}
	if len(e.ErrorCauses) > 0 {
		causes := make([]string, 0, len(e.ErrorCauses))
		for _, c := range e.ErrorCauses {
			causes = append(causes, c.ErrorSummary)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(causes, "; "))
	}
	return b.String()
}

// IsCode reports whether err is an Okta error with the given errorCode.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.ErrorCode == code
}

// IsNotFound reports whether err is Okta's 404 (E0000007).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == 404 || e.ErrorCode == CodeNotFound)
}

// ErrOutcomeUnknown marks a write whose response was lost (connection closed, timeout) and
// that could not be reconciled by looking the object up. It is never retried blindly.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may or may not have been applied")
