// Package crm holds Hotline's CRM domain: users and roles, clients with their
// contacts and priority classes, and the interaction timeline. It has plain
// types, their validation rules and the one domain error type; storage lives
// in crm/postgres and transport in crm/httpapi and crm/web.
package crm

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrorKind classifies a domain error so that transports can map it to a
// status code in one place.
type ErrorKind string

// The kinds of domain errors.
const (
	KindInvalid      ErrorKind = "invalid"      // the input breaks a rule
	KindNotFound     ErrorKind = "not_found"    // no such entity
	KindConflict     ErrorKind = "conflict"     // a uniqueness or state conflict
	KindUnauthorized ErrorKind = "unauthorized" // no valid credentials
	KindForbidden    ErrorKind = "forbidden"    // credentials valid, role not allowed
	KindUnavailable  ErrorKind = "unavailable"  // a dependency is down
	KindInternal     ErrorKind = "internal"     // a bug or an unexpected failure
)

// Error is the domain error. Field names the offending input field, if any.
type Error struct {
	Kind    ErrorKind
	Field   string
	Message string
	Err     error
	// Format and Args are the message before formatting, so that pages can
	// say it in the reader's language (the format is the catalogue's key).
	Format string
	Args   []any
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		if msg == "" {
			return e.Err.Error()
		}
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind with a formatted message.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Invalid returns a KindInvalid error naming the offending field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// KindOf returns the kind of the first *Error in err's chain, or KindInternal.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err carries the given kind.
func IsKind(err error, kind ErrorKind) bool {
	return err != nil && KindOf(err) == kind
}

// HTTPStatus is the HTTP status a transport answers an error of kind k
// with. It is the one place where error kinds meet HTTP: the API's
// problems and the pages' error pages both use it.
func (k ErrorKind) HTTPStatus() int {
	switch k {
	case KindInvalid:
		return http.StatusUnprocessableEntity
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorStatus returns the HTTP status for err: the mapped kind of a
// crm.Error, 500 for anything else.
func ErrorStatus(err error) int { return KindOf(err).HTTPStatus() }
