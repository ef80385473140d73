// Package waymark holds the few types every layer shares: the error type
// whose code decides how a failure is shown to a user or an API client.
package waymark

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status and one way of showing the error.
const (
	EINVALID      = "invalid"      // the user can fix the input
	ENOTFOUND     = "not_found"    // absent, or not theirs to know about (§6.5)
	EFORBIDDEN    = "forbidden"    // known to the user, but the action is not theirs
	ECONFLICT     = "conflict"     // what is recorded rules it out, or someone else saved first (Clash)
	EUNAUTHORIZED = "unauthorized" // not signed in, or credentials wrong
	ETOOMANY      = "too_many"     // rate limit or lockout
	EBUSY         = "busy"         // the database's write lock stayed held past the wait: nothing was saved, try again
	EINTERNAL     = "internal"     // our fault: logged, never shown
)

// FieldError names one answer that needs fixing and says how.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a failure a user or client can act on.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Clash marks an ECONFLICT that is another person's save of the same
	// record beating this one (a stale version, a draft changed in
	// another tab, two writes at the same moment), rather than a step the
	// record's state rules out ("The outcome was already given"): a page
	// heads the first "Someone else saved first" and the second not.
	Clash bool
	Err   error // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing the fields to fix.
func Invalid(fields []FieldError) *Error {
	msg := "There is a problem with your answers"
	if len(fields) == 1 {
		msg = fields[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of err, or EINTERNAL when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so that nothing about the system leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Sorry, something went wrong. Your answers have not been lost. Try again, or contact your administrator quoting the request reference."
}

// IsClash reports whether err is another person's save beating this one
// (Error.Clash).
func IsClash(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ECONFLICT && e.Clash
}

// ErrorFields returns the field errors of err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects field errors while validating a form or a command.
type Problems []FieldError

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Has reports whether field already has a problem.
func (p Problems) Has(field string) bool {
	for _, f := range p {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when there are no problems, else an EINVALID *Error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return Invalid(p)
}
