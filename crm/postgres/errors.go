package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hotline/crm"
)

// SQLSTATE codes the store translates (PostgreSQL Appendix A).
const (
	codeUniqueViolation          = "23505"
	codeForeignKeyViolation      = "23503"
	codeCheckViolation           = "23514"
	codeNotNullViolation         = "23502"
	codeStringTooLong            = "22001"
	codeInvalidText              = "22P02"
	codeCharacterNotInRepertoire = "22021"
	codeNumericOutOfRange        = "22003"
)

// constraintFields names the input field behind each constraint, so that a
// violation becomes a field-level message.
var constraintFields = map[string]struct{ field, msg string }{
	"users_login_key":                 {"login", "is already taken"},
	"users_login_check":               {"login", "must be 2-64 lower-case characters"},
	"users_role_check":                {"role", "must be one of agent, supervisor, admin"},
	"user_endpoints_pkey":             {"endpoints", "endpoint already belongs to another user"},
	"api_tokens_token_hash_key":       {"token", "already exists"},
	"sessions_pkey":                   {"session", "already exists"},
	"priority_classes_pkey":           {"code", "already exists"},
	"priority_classes_code_check":     {"code", "must be 1-16 characters of A-Z, 0-9 or _"},
	"clients_priority_fkey":           {"priority", "is not a known priority class"},
	"clients_owner_id_fkey":           {"owner_id", "is not a known user"},
	"clients_kind_check":              {"kind", "must be person or company"},
	"clients_name_check":              {"name", "is required"},
	"contacts_client_kind_value_key":  {"contacts", "the client already has this contact"},
	"contacts_client_id_fkey":         {"client_id", "is not a known client"},
	"contacts_kind_check":             {"kind", "must be phone or email"},
	"contacts_value_check":            {"value", "is required"},
	"interactions_client_id_fkey":     {"client_id", "is not a known client"},
	"interactions_user_id_fkey":       {"user_id", "is not a known user"},
	"interactions_kind_check":         {"kind", "must be 1-32 characters of a-z or _"},
	"interactions_ref":                {"ref_id", "the client's timeline already has this entry"},
	"sessions_user_id_fkey":           {"user_id", "is not a known user"},
	"api_tokens_user_id_fkey":         {"user_id", "is not a known user"},
	"user_endpoints_user_id_fkey":     {"user_id", "is not a known user"},
	"priority_classes_name_not_empty": {"name", "is required"},
	"teams_name_key":                  {"name", "another team has this name"},
	"teams_name_check":                {"name", "is required"},
	"teams_lead_id_fkey":              {"lead_id", "is not a known user"},
	"sla_plans_name_key":              {"name", "another plan has this name"},
	"sla_plans_name_check":            {"name", "is required"},
	"team_members_user_id_fkey":       {"user_id", "is not a known user"},
	"users_language_check":            {"language", "must be ru, en or empty"},
	"clients_language_check":          {"language", "must be ru, en or empty"},
}

// translate turns a database error into a crm.Error with a kind (by SQLSTATE)
// and, when the constraint is known, the offending field. op says what failed.
func translate(err error, op string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &crm.Error{Kind: crm.KindNotFound, Message: op + ": not found"}
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return fmt.Errorf("%s: %w", op, err)
	}
	f, known := constraintFields[pgErr.ConstraintName]
	e := &crm.Error{Field: f.field, Message: f.msg, Err: err}
	if !known {
		e.Message = pgErr.Message
	}
	if pgErr.Code == codeNumericOutOfRange && !known {
		// A number beyond a column's range (an int4 version, a sum):
		// the request's fault, never the database's text.
		e.Message = "a number is out of range"
	}
	switch pgErr.Code {
	case codeUniqueViolation:
		e.Kind = crm.KindConflict
	case codeForeignKeyViolation, codeCheckViolation, codeNotNullViolation,
		codeStringTooLong, codeInvalidText, codeCharacterNotInRepertoire, codeNumericOutOfRange:
		e.Kind = crm.KindInvalid
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
	return e
}

// notFound is the KindNotFound error for a missing entity.
func notFound(what string, id any) error {
	return crm.Errorf(crm.KindNotFound, "%s %v not found", what, id)
}
