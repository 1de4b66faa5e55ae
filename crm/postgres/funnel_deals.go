package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/funnel"
)

const dealColumns = `d.id, d.client_id, c.name, d.owner_id, coalesce(nullif(u.name, ''), u.login), d.funnel_id,
	d.stage_id, s.name, d.title, (d.amount * 100)::bigint, d.currency, d.expected_close::text, d.status,
	d.lost_reason, d.source, d.created_at, d.updated_at, d.closed_at`

const dealFrom = ` FROM deals d JOIN clients c ON c.id = d.client_id JOIN users u ON u.id = d.owner_id
	JOIN funnel_stages s ON s.id = d.stage_id`

func scanDeal(row pgx.Row) (funnel.Deal, error) {
	var d funnel.Deal
	var amount int64
	var expected *string
	var closed *time.Time
	err := row.Scan(&d.ID, &d.ClientID, &d.ClientName, &d.OwnerID, &d.OwnerName, &d.FunnelID, &d.StageID, &d.StageName,
		&d.Title, &amount, &d.Currency, &expected, &d.Status, &d.LostReason, &d.Source, &d.CreatedAt, &d.UpdatedAt, &closed)
	if err != nil {
		return d, err
	}
	d.Amount = funnel.Money(amount)
	if expected != nil {
		v, err := funnel.ParseDate(*expected)
		if err != nil {
			return d, err
		}
		d.ExpectedClose = &v
	}
	if closed != nil {
		d.ClosedAt = *closed
	}
	return d, nil
}

func expectedArg(d *funnel.Deal) any {
	if d.ExpectedClose == nil {
		return nil
	}
	return d.ExpectedClose.String()
}

// GetDeal returns one deal with its client, salesperson and stage names.
func (s *FunnelService) GetDeal(ctx context.Context, id int64) (funnel.Deal, error) {
	d, err := scanDeal(s.db.pool.QueryRow(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, notFound("deal", id)
	}
	if err != nil {
		return d, funnelErr(err, "get deal")
	}
	return d, nil
}

// ListDeals returns deals, the most recently changed first.
func (s *FunnelService) ListDeals(ctx context.Context, f funnel.DealFilter) ([]funnel.Deal, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+dealColumns+dealFrom+`
		WHERE ($1 = 0 OR d.owner_id = $1) AND ($2 = 0 OR d.client_id = $2) AND ($3 = 0 OR d.funnel_id = $3)
		  AND ($4 = 0 OR d.stage_id = $4) AND ($5 = '' OR d.status = $5)
		  AND ($8 = '' OR d.title ILIKE '%' || $8 || '%')
		ORDER BY d.updated_at DESC, d.id DESC LIMIT $6 OFFSET $7`,
		f.OwnerID, f.ClientID, f.FunnelID, f.StageID, string(f.Status), f.Limit, max(f.Offset, 0), escapeLike(strings.TrimSpace(f.Query)))
	if err != nil {
		return nil, funnelErr(err, "list deals")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (funnel.Deal, error) { return scanDeal(r) })
	if err != nil {
		return nil, funnelErr(err, "list deals")
	}
	return out, nil
}

// CreateDeal stores a deal and its first stage change at time at, made by
// user by (nil: the system). FunnelID 0 is the default funnel, StageID 0
// its first stage; a won deal starts in the last stage.
func (s *FunnelService) CreateDeal(ctx context.Context, d *funnel.Deal, by *int64, at time.Time) error {
	if err := d.Validate(); err != nil {
		return err
	}
	f, err := s.GetFunnel(ctx, d.FunnelID)
	if err != nil {
		return crm.Invalid("funnel_id", "funnel %d does not exist", d.FunnelID)
	}
	d.FunnelID = f.ID
	if d.StageID == 0 {
		d.StageID = f.Stages[0].ID
	}
	if d.Status == funnel.StatusWon {
		d.StageID = f.Last().ID
	}
	if _, ok := f.StageByID(d.StageID); !ok {
		return crm.Invalid("stage_id", "stage %d is not in funnel %q", d.StageID, f.Name)
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO deals (client_id, owner_id, funnel_id, stage_id, title, amount, currency,
				expected_close, status, lost_reason, source, created_at, updated_at, closed_at)
			VALUES ($1, $2, $3, $4, $5, $6::bigint / 100.0, $7, $8, $9, $10, $11, $12, $12,
				CASE WHEN $9 = 'open' THEN NULL ELSE $12::timestamptz END) RETURNING id`,
			d.ClientID, d.OwnerID, d.FunnelID, d.StageID, d.Title, int64(d.Amount), d.Currency, expectedArg(d),
			string(d.Status), d.LostReason, d.Source, at).Scan(&d.ID)
		if err != nil {
			return funnelErr(err, "create deal")
		}
		return recordChange(ctx, tx, d.ID, nil, d.StageID, by, at)
	})
	if err != nil {
		return err
	}
	*d, err = s.GetDeal(ctx, d.ID)
	return err
}

// recordChange adds a stage change (the trigger recounts the deal).
func recordChange(ctx context.Context, tx pgx.Tx, dealID int64, from *int64, to int64, by *int64, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO stage_changes (deal_id, funnel_id, from_stage_id, to_stage_id, owner_id, user_id, at)
		SELECT d.id, d.funnel_id, $2, $3, d.owner_id, $4, $5 FROM deals d WHERE d.id = $1`, dealID, from, to, by, at)
	return funnelErr(err, "record stage change")
}

// MoveDeal moves an open deal to another stage of its funnel (forward,
// back or skipping stages) at time at, which may not precede its last change.
func (s *FunnelService) MoveDeal(ctx context.Context, id, stageID int64, by *int64, at time.Time) (funnel.Deal, error) {
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var cur, funnelID int64
		var status string
		var last time.Time
		err := tx.QueryRow(ctx, `SELECT d.stage_id, d.funnel_id, d.status,
				(SELECT max(c.at) FROM stage_changes c WHERE c.deal_id = d.id)
			FROM deals d WHERE d.id = $1 FOR UPDATE`, id).Scan(&cur, &funnelID, &status, &last)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("deal", id)
		}
		if err != nil {
			return funnelErr(err, "move deal")
		}
		if status != string(funnel.StatusOpen) {
			return crm.Errorf(crm.KindConflict, "the deal is %s; reopen it before moving it", status)
		}
		if cur == stageID {
			return crm.Invalid("stage_id", "the deal is already in this stage")
		}
		if at.Before(last) {
			return crm.Invalid("at", "must not be before the deal's last stage change (%s)", last.Format(time.RFC3339))
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM funnel_stages WHERE id = $1 AND funnel_id = $2)`,
			stageID, funnelID).Scan(&ok); err != nil {
			return funnelErr(err, "move deal")
		}
		if !ok {
			return crm.Invalid("stage_id", "stage %d is not in the deal's funnel", stageID)
		}
		if _, err := tx.Exec(ctx, `UPDATE deals SET stage_id = $2, updated_at = $3 WHERE id = $1`, id, stageID, at); err != nil {
			return funnelErr(err, "move deal")
		}
		return recordChange(ctx, tx, id, &cur, stageID, by, at)
	})
	if err != nil {
		return funnel.Deal{}, err
	}
	return s.GetDeal(ctx, id)
}

// UpdateDeal changes a deal's title, amount, currency, expected close,
// salesperson and status. Winning moves it to the last stage (recorded as a
// stage change); losing needs a reason; reopening keeps its stage.
func (s *FunnelService) UpdateDeal(ctx context.Context, d *funnel.Deal, by *int64, at time.Time) error {
	if err := d.Validate(); err != nil {
		return err
	}
	old, err := s.GetDeal(ctx, d.ID)
	if err != nil {
		return err
	}
	f, err := s.GetFunnel(ctx, old.FunnelID)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		stage := old.StageID
		if d.Status == funnel.StatusWon && old.Status != funnel.StatusWon && stage != f.Last().ID {
			stage = f.Last().ID
			if err := recordChangeAfterOwner(ctx, tx, d, &old.StageID, stage, by, at); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE deals SET title = $2, amount = $3::bigint / 100.0, currency = $4, expected_close = $5,
				owner_id = $6, status = $7, lost_reason = $8, stage_id = $9, updated_at = $10,
				closed_at = CASE WHEN $7 = 'open' THEN NULL WHEN status = $7 THEN closed_at ELSE $10::timestamptz END
			WHERE id = $1`, d.ID, d.Title, int64(d.Amount), d.Currency, expectedArg(d), d.OwnerID, string(d.Status),
			d.LostReason, stage, at)
		return funnelErr(err, "update deal")
	})
	if err != nil {
		return err
	}
	*d, err = s.GetDeal(ctx, d.ID)
	return err
}

// recordChangeAfterOwner records a change credited to the deal's new salesperson.
func recordChangeAfterOwner(ctx context.Context, tx pgx.Tx, d *funnel.Deal, from *int64, to int64, by *int64, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO stage_changes (deal_id, funnel_id, from_stage_id, to_stage_id, owner_id, user_id, at)
		SELECT id, funnel_id, $2, $3, $4, $5, greatest($6::timestamptz,
			(SELECT max(c.at) FROM stage_changes c WHERE c.deal_id = $1)) FROM deals WHERE id = $1`,
		d.ID, from, to, d.OwnerID, by, at)
	return funnelErr(err, "record stage change")
}

// StageHistory returns a deal's stage changes, oldest first.
func (s *FunnelService) StageHistory(ctx context.Context, dealID int64) ([]funnel.StageChange, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT c.id, c.deal_id, c.from_stage_id, c.to_stage_id, s.name, c.owner_id, c.user_id, c.at
		FROM stage_changes c JOIN funnel_stages s ON s.id = c.to_stage_id WHERE c.deal_id = $1 ORDER BY c.at, c.id`, dealID)
	if err != nil {
		return nil, funnelErr(err, "stage history")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (funnel.StageChange, error) {
		var c funnel.StageChange
		err := r.Scan(&c.ID, &c.DealID, &c.FromStage, &c.ToStage, &c.ToName, &c.OwnerID, &c.UserID, &c.At)
		return c, err
	})
	return out, funnelErr(err, "stage history")
}

// AddActivity logs a meeting, offer or note for a deal.
func (s *FunnelService) AddActivity(ctx context.Context, a *funnel.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO deal_activities (deal_id, kind, at, user_id, note) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.DealID, string(a.Kind), a.At, a.UserID, a.Note).Scan(&a.ID)
	return funnelErr(err, "add activity")
}

// Activities returns a deal's activities, newest first: the ones logged by
// hand and every call in the call log with the deal's client since the day
// before the deal was opened.
func (s *FunnelService) Activities(ctx context.Context, dealID int64, limit int) ([]funnel.Activity, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT a.id, a.kind, a.at, a.user_id, a.note, 0::bigint FROM deal_activities a WHERE a.deal_id = $1
		UNION ALL
		SELECT 0, 'call', c.started_at, (SELECT u.id FROM users u WHERE u.login = c.agent AND c.agent <> ''),
		       concat_ws(' ', c.direction, c.outcome, c.customer), c.id
		FROM deals d JOIN call_log c ON c.client_id = d.client_id AND c.started_at >= d.created_at - interval '1 day'
		WHERE d.id = $1
		ORDER BY 3 DESC LIMIT $2`, dealID, limit)
	if err != nil {
		return nil, funnelErr(err, "deal activities")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (funnel.Activity, error) {
		a := funnel.Activity{DealID: dealID}
		err := r.Scan(&a.ID, &a.Kind, &a.At, &a.UserID, &a.Note, &a.CallID)
		return a, err
	})
	return out, funnelErr(err, "deal activities")
}
