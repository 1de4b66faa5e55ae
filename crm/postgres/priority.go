package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
)

// Priority classes and their rules (migration 00320): the standing of a
// client is computed in SQL (priority_standings: income of the last 12
// months converted to the base currency, and the number of sales); the
// rules are applied by crm.Classify for the nightly batch and by the
// plpgsql twin priority_reclassify_client when money is recorded.

var _ crm.PriorityService = (*PriorityService)(nil)

// List returns the priority classes, most important first.
func (s *PriorityService) List(ctx context.Context) ([]crm.PriorityClass, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT code, name, rank, description, min_revenue_minor, min_purchases
		FROM priority_classes ORDER BY rank, code`)
	if err != nil {
		return nil, translate(err, "list priority classes")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.PriorityClass, error) {
		var p crm.PriorityClass
		err := r.Scan(&p.Code, &p.Name, &p.Rank, &p.Description, &p.MinRevenue, &p.MinPurchases)
		return p, err
	})
	return list, translate(err, "list priority classes")
}

// Save creates the class or replaces the one with its code. Clients are
// not reclassified: call Reclassify when the rules should apply at once.
func (s *PriorityService) Save(ctx context.Context, p crm.PriorityClass) error {
	if err := p.Validate(); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO priority_classes (code, name, rank, description, min_revenue_minor, min_purchases)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, rank = excluded.rank, description = excluded.description,
			min_revenue_minor = excluded.min_revenue_minor, min_purchases = excluded.min_purchases`,
		p.Code, p.Name, p.Rank, p.Description, p.MinRevenue, p.MinPurchases)
	return translate(err, "save priority class")
}

// Delete removes a class. Its clients, by hand or not, go back to the
// rules and are classified at once. The last class cannot go.
func (s *PriorityService) Delete(ctx context.Context, code string) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM priority_classes`).Scan(&n); err != nil {
			return translate(err, "delete priority class")
		}
		var ids []int64
		rows, err := tx.Query(ctx, `UPDATE clients SET priority = NULL, priority_manual = false WHERE priority = $1 RETURNING id`, code)
		if err == nil {
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			return translate(err, "delete priority class")
		}
		tag, err := tx.Exec(ctx, `DELETE FROM priority_classes WHERE code = $1`, code)
		if err := rowsOrNotFound(tag, err, "priority class", code); err != nil {
			return err
		}
		if n == 1 {
			return crm.Invalid("code", "the last class cannot be deleted")
		}
		_, err = tx.Exec(ctx, `SELECT priority_reclassify_client(id, $2, $3) FROM unnest($1::bigint[]) AS id`,
			ids, s.db.now(), s.db.base)
		return translate(err, "delete priority class")
	})
}

// ClassSizes counts the clients of each class, by code.
func (s *PriorityService) ClassSizes(ctx context.Context) (map[string]crm.ClassSize, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT priority, count(*), count(*) FILTER (WHERE priority_manual)
		FROM clients WHERE priority IS NOT NULL GROUP BY priority`)
	if err != nil {
		return nil, translate(err, "class sizes")
	}
	defer rows.Close()
	out := map[string]crm.ClassSize{}
	for rows.Next() {
		var code string
		var n crm.ClassSize
		if err := rows.Scan(&code, &n.Clients, &n.Manual); err != nil {
			return nil, translate(err, "class sizes")
		}
		out[code] = n
	}
	return out, translate(rows.Err(), "class sizes")
}

// ClientPriority returns a client's class, whether it was chosen by hand,
// and its standing now.
func (s *PriorityService) ClientPriority(ctx context.Context, clientID int64) (crm.ClientPriority, error) {
	out := crm.ClientPriority{ClientID: clientID}
	err := s.db.pool.QueryRow(ctx, `SELECT coalesce(c.priority, ''), c.priority_manual,
			coalesce(st.revenue, 0), coalesce(st.purchases, 0)
		FROM clients c LEFT JOIN priority_standings($2, $3, ARRAY[c.id]) st ON true
		WHERE c.id = $1`, clientID, s.db.now(), s.db.base).
		Scan(&out.Code, &out.Manual, &out.Standing.Revenue, &out.Standing.Purchases)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, notFound("client", clientID)
	}
	return out, translate(err, "client priority")
}

// SetClientPriority puts the client in class code by hand (manual), or
// hands it back to the rules and classifies it now (code is ignored).
func (s *PriorityService) SetClientPriority(ctx context.Context, clientID int64, code string, manual bool) (crm.ClientPriority, error) {
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if manual {
			var known bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM priority_classes WHERE code = $1)`, code).Scan(&known); err != nil {
				return translate(err, "set client priority")
			}
			if !known {
				return crm.Invalid("priority", "no priority class %q", code)
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE clients SET priority = CASE WHEN $3 THEN $2 ELSE priority END, priority_manual = $3
			WHERE id = $1`, clientID, code, manual)
		if err := rowsOrNotFound(tag, err, "client", clientID); err != nil || manual {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT priority_reclassify_client($1, $2, $3)`, clientID, s.db.now(), s.db.base)
		return translate(err, "set client priority")
	})
	if err != nil {
		return crm.ClientPriority{}, err
	}
	return s.ClientPriority(ctx, clientID)
}

// Reclassify applies the rules to every client not chosen by hand, at the
// store's clock, and returns how many changed class.
func (s *PriorityService) Reclassify(ctx context.Context) (int, error) {
	classes, err := s.List(ctx)
	if err != nil || len(classes) == 0 {
		return 0, err
	}
	rows, err := s.db.pool.Query(ctx, `SELECT c.id, coalesce(c.priority, ''), coalesce(st.revenue, 0), coalesce(st.purchases, 0)
		FROM clients c LEFT JOIN priority_standings($1, $2, NULL) st ON st.client_id = c.id
		WHERE NOT c.priority_manual`, s.db.now(), s.db.base)
	if err != nil {
		return 0, translate(err, "reclassify")
	}
	var ids []int64
	var codes []string
	for rows.Next() {
		var id int64
		var code string
		var st crm.Standing
		if err := rows.Scan(&id, &code, &st.Revenue, &st.Purchases); err != nil {
			rows.Close()
			return 0, translate(err, "reclassify")
		}
		if want := crm.Classify(classes, st); want != code {
			ids, codes = append(ids, id), append(codes, want)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, translate(err, "reclassify")
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE clients c SET priority = u.code
		FROM unnest($1::bigint[], $2::text[]) AS u(id, code)
		WHERE c.id = u.id AND NOT c.priority_manual AND c.priority IS DISTINCT FROM u.code`, ids, codes)
	if err != nil {
		return 0, translate(err, "reclassify")
	}
	return int(tag.RowsAffected()), nil
}
