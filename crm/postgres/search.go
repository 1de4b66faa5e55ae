package postgres

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
)

// ListClients returns one page of clients ordered by name (then id), with
// their contacts. f.Query matches a part of the name, the company or an
// email address (case-insensitive), or a part of a phone number's digits
// ("4567" finds +74951234567, "(495) 123" finds it too).
func (s *ClientService) ListClients(ctx context.Context, f crm.ClientFilter) (crm.Page[crm.Client], error) {
	var page crm.Page[crm.Client]
	cur, hasCur, err := decodeCursor(f.After)
	if err != nil {
		return page, err
	}
	if len(f.Query) > 200 {
		return page, crm.Invalid("q", "must be at most 200 characters")
	}
	if !utf8.ValidString(f.Query) || strings.ContainsRune(f.Query, 0) {
		return page, crm.Invalid("q", "is not valid UTF-8 text")
	}
	limit := clampLimit(f.Limit)

	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, queryCondition(q, arg))
	}
	if f.Priority != "" {
		where = append(where, "c.priority = "+arg(f.Priority))
	}
	if f.OwnerID != nil {
		where = append(where, "c.owner_id = "+arg(*f.OwnerID))
	}
	if f.Tag != "" {
		where = append(where, "c.tags @> ARRAY["+arg(f.Tag)+"]::text[]")
	}
	if hasCur {
		where = append(where, "(c.name, c.id) > ("+arg(cur.Name)+", "+arg(cur.ID)+")")
	}
	sql := `SELECT ` + clientColumns + ` FROM clients c`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY c.name, c.id LIMIT " + arg(limit+1)

	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return page, translate(err, "list clients")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.Client, error) { return scanClient(r) })
	if err != nil {
		return page, translate(err, "list clients")
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		page.Next = cursor{Name: last.Name, ID: last.ID}.encode()
	}
	if err := s.db.loadContacts(ctx, items); err != nil {
		return page, err
	}
	page.Items = items
	return page, nil
}

// queryCondition builds the search condition for q; arg adds a parameter.
// Every value travels as a parameter; LIKE wildcards in q are escaped. Each
// branch of the union can use its own trigram index.
func queryCondition(q string, arg func(any) string) string {
	pattern := arg("%" + escapeLike(q) + "%")
	branches := []string{
		"SELECT id FROM clients WHERE name ILIKE " + pattern,
		"SELECT id FROM clients WHERE company ILIKE " + pattern,
		// Phones' values are E.164: matching them too finds nothing new.
		"SELECT client_id FROM contacts WHERE value ILIKE " + pattern,
	}
	if d := phoneDigits(q); len(d) >= 3 {
		digits := "digits LIKE " + arg("%"+d+"%")
		// A full national number is written with a trunk prefix (8 in
		// Russia, 0 in most of Europe) that E.164 drops: 8 495 123-45-67
		// is +74951234567.
		if len(d) >= 10 && (d[0] == '8' || d[0] == '0') {
			digits += " OR digits LIKE " + arg("%"+d[1:]+"%")
		}
		branches = append(branches, "SELECT client_id FROM contacts WHERE "+digits)
	}
	return "c.id IN (" + strings.Join(branches, " UNION ") + ")"
}

// phoneDigits returns the digits of q when q looks like (a part of) a phone
// number: digits with +, spaces, dashes, dots or parentheses only.
func phoneDigits(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("+-() .", r):
		default:
			return ""
		}
	}
	return b.String()
}

// escapeLike escapes LIKE's wildcards so q matches literally.
func escapeLike(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}

// findByPhoneSQL finds the clients with phone number $1.
const findByPhoneSQL = `SELECT ` + clientColumns + ` FROM clients c
	LEFT JOIN priority_classes p ON p.code = c.priority
	WHERE c.id IN (SELECT client_id FROM contacts WHERE kind = 'phone' AND value = $1)
	ORDER BY p.rank NULLS LAST, c.name, c.id`

// FindClientsByPhone returns every client with this E.164 number (a number
// may be shared by a family or an office), highest priority first, with
// their contacts. It is an index lookup on contacts (kind, value).
func (s *ClientService) FindClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error) {
	return s.db.findClientsByPhone(ctx, e164)
}

// findClientsByPhone is FindClientsByPhone, shared with the funnel (calls
// of a deal's client).
func (s *DB) findClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error) {
	rows, err := s.pool.Query(ctx, findByPhoneSQL, e164)
	if err != nil {
		return nil, translate(err, "find clients by phone")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.Client, error) { return scanClient(r) })
	if err != nil {
		return nil, translate(err, "find clients by phone")
	}
	if err := s.loadContacts(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}
