package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
)

// AddInteraction validates i and appends it to its client's timeline,
// setting i.ID and i.CreatedAt (and i.At to now when zero). An entry with
// the same RefType and RefID as an existing one of the client is KindConflict.
func (s *ClientService) AddInteraction(ctx context.Context, i *crm.Interaction) error {
	if err := i.Validate(); err != nil {
		return err
	}
	if i.At.IsZero() {
		i.At = s.db.now()
	}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO interactions (client_id, kind, at, user_id, summary, body, ref_type, ref_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, at, created_at`,
		i.ClientID, i.Kind, i.At, i.UserID, i.Summary, i.Body, i.RefType, i.RefID, s.db.now()).
		Scan(&i.ID, &i.At, &i.CreatedAt)
	err = translate(err, "add interaction")
	var ce *crm.Error
	if errors.As(err, &ce) && ce.Field == "client_id" {
		return notFound("client", i.ClientID)
	}
	return err
}

// Timeline returns one page of a client's timeline, newest first. after is
// the Next cursor of the previous page ("" for the first). An unknown client
// is KindNotFound.
func (s *ClientService) Timeline(ctx context.Context, clientID int64, after string, limit int) (crm.Page[crm.Interaction], error) {
	var page crm.Page[crm.Interaction]
	cur, hasCur, err := decodeCursor(after)
	if err != nil {
		return page, err
	}
	limit = clampLimit(limit)
	const cols = `SELECT id, client_id, kind, at, user_id, summary, body, ref_type, ref_id, created_at FROM interactions`
	var rows pgx.Rows
	if hasCur {
		rows, err = s.db.pool.Query(ctx, cols+` WHERE client_id = $1 AND (at, id) < ($2, $3)
			ORDER BY at DESC, id DESC LIMIT $4`, clientID, cur.At, cur.ID, limit+1)
	} else {
		rows, err = s.db.pool.Query(ctx, cols+` WHERE client_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, clientID, limit+1)
	}
	if err != nil {
		return page, translate(err, "timeline")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.Interaction, error) {
		var i crm.Interaction
		err := r.Scan(&i.ID, &i.ClientID, &i.Kind, &i.At, &i.UserID, &i.Summary, &i.Body, &i.RefType, &i.RefID, &i.CreatedAt)
		return i, err
	})
	if err != nil {
		return page, translate(err, "timeline")
	}
	if len(items) == 0 && !hasCur {
		var exists bool
		if err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM clients WHERE id = $1)`, clientID).Scan(&exists); err != nil {
			return page, translate(err, "timeline")
		}
		if !exists {
			return page, notFound("client", clientID)
		}
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		page.Next = cursor{At: last.At, ID: last.ID}.encode()
	}
	page.Items = items
	return page, nil
}
