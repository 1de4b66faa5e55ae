package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// problem turns an error from the domain or the store into a huma problem
// (application/problem+json). Invalid input names the field in errors[];
// internal errors are logged and answered without their details.
func (s *Server) problem(ctx context.Context, err error) error { return problemFor(ctx, s.log, err) }

// problemFor maps err to the problem answer every operation gives: huma
// errors as they are, domain errors with their status and (only) their own
// message and field, anything else logged with the request id and answered
// 500 (503 when a dependency is down) without its text.
func problemFor(ctx context.Context, log *slog.Logger, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	status := crm.ErrorStatus(err)
	var ce *crm.Error
	if !errors.As(err, &ce) || status >= 500 {
		log.ErrorContext(ctx, "request failed", slog.String("request_id", RequestID(ctx)), slog.Any("err", err))
		if status == http.StatusServiceUnavailable {
			return huma.Error503ServiceUnavailable("a dependency is unavailable, try again")
		}
		return huma.Error500InternalServerError("internal error (request id " + RequestID(ctx) + ")")
	}
	msg := ce.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	if ce.Field != "" {
		return huma.NewError(status, ce.Field+": "+msg, &huma.ErrorDetail{
			Message:  msg,
			Location: "body." + ce.Field,
		})
	}
	return huma.NewError(status, msg)
}

// fieldError is a 422 problem naming one input field, e.g. "body.contacts[0].value".
func fieldError(location, msg string, value any) error {
	return huma.Error422UnprocessableEntity(location+": "+msg, &huma.ErrorDetail{
		Message: msg, Location: location, Value: value,
	})
}

// hideValues wraps huma's error constructor so that no problem answer echoes
// the input it refuses: huma puts the offending value (for a body that does
// not parse, the whole body, passwords included) in errors[].value. The
// location and message say enough to fix the request.
func hideValues(next func(int, string, ...error) huma.StatusError) func(int, string, ...error) huma.StatusError {
	return func(status int, msg string, errs ...error) huma.StatusError {
		se := next(status, msg, errs...)
		if m, ok := se.(*huma.ErrorModel); ok {
			for _, d := range m.Errors {
				if d != nil {
					d.Value = nil
				}
			}
		}
		return se
	}
}

func init() { huma.NewError = hideValues(huma.NewError) }
