package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hotline/crm"
	"hotline/crm/funnel"
)

// funnelConstraints names the input field behind the funnel tables' constraints.
var funnelConstraints = map[string]struct{ field, msg string }{
	"funnels_name_key":                 {"name", "another funnel has this name"},
	"funnels_name_check":               {"name", "is required"},
	"funnel_stages_name_check":         {"stages", "a stage name is required"},
	"deals_client_id_fkey":             {"client_id", "is not a known client"},
	"deals_owner_id_fkey":              {"salesperson_id", "is not a known user"},
	"deals_stage_id_fkey":              {"stage_id", "is not a known stage"},
	"deals_currency_check":             {"currency", "must be a three-letter code"},
	"deals_amount_check":               {"amount", "must not be negative"},
	"stage_changes_to_stage_id_fkey":   {"stages", "a removed stage still has deals or history; move them first"},
	"stage_changes_from_stage_id_fkey": {"stages", "a removed stage still has deals or history; move them first"},
	"deal_activities_deal_id_fkey":     {"deal_id", "is not a known deal"},
}

// funnelErr translates a database error, naming the funnel field behind it.
func funnelErr(err error, op string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if f, ok := funnelConstraints[pgErr.ConstraintName]; ok {
			kind := crm.KindInvalid
			if pgErr.Code == codeUniqueViolation {
				kind = crm.KindConflict
			}
			return &crm.Error{Kind: kind, Field: f.field, Message: f.msg, Err: err}
		}
	}
	return translate(err, op)
}

var (
	_ funnel.FunnelService  = (*FunnelService)(nil)
	_ funnel.DealService    = (*FunnelService)(nil)
	_ funnel.SalesService   = (*FunnelService)(nil)
	_ funnel.FirstCallStore = (*FunnelService)(nil)
)

// ListFunnels returns every funnel with its stages, the default first.
func (s *FunnelService) ListFunnels(ctx context.Context) ([]funnel.Funnel, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT f.id, f.name, f.is_default, s.id, s.position, s.name
		FROM funnels f JOIN funnel_stages s ON s.funnel_id = f.id
		ORDER BY f.is_default DESC, f.name, f.id, s.position`)
	if err != nil {
		return nil, funnelErr(err, "list funnels")
	}
	defer rows.Close()
	var out []funnel.Funnel
	for rows.Next() {
		var f funnel.Funnel
		var st funnel.Stage
		if err := rows.Scan(&f.ID, &f.Name, &f.Default, &st.ID, &st.Position, &st.Name); err != nil {
			return nil, funnelErr(err, "list funnels")
		}
		if len(out) == 0 || out[len(out)-1].ID != f.ID {
			out = append(out, f)
		}
		last := &out[len(out)-1]
		last.Stages = append(last.Stages, st)
	}
	if err := rows.Err(); err != nil {
		return nil, funnelErr(err, "list funnels")
	}
	return out, nil
}

// GetFunnel returns one funnel; id 0 is the default funnel.
func (s *FunnelService) GetFunnel(ctx context.Context, id int64) (funnel.Funnel, error) {
	list, err := s.ListFunnels(ctx)
	if err != nil {
		return funnel.Funnel{}, err
	}
	for _, f := range list {
		if f.ID == id || (id == 0 && f.Default) {
			return f, nil
		}
	}
	return funnel.Funnel{}, notFound("funnel", id)
}

// CreateFunnel stores a new funnel with its stages (their ids are ignored).
func (s *FunnelService) CreateFunnel(ctx context.Context, f *funnel.Funnel) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if f.Default {
			if _, err := tx.Exec(ctx, `UPDATE funnels SET is_default = false WHERE is_default`); err != nil {
				return funnelErr(err, "create funnel")
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO funnels (name, is_default) VALUES ($1, $2) RETURNING id`,
			f.Name, f.Default).Scan(&f.ID); err != nil {
			return funnelErr(err, "create funnel")
		}
		for i := range f.Stages {
			st := &f.Stages[i]
			if err := tx.QueryRow(ctx, `INSERT INTO funnel_stages (funnel_id, position, name) VALUES ($1, $2, $3) RETURNING id`,
				f.ID, st.Position, st.Name).Scan(&st.ID); err != nil {
				return funnelErr(err, "create funnel stage")
			}
		}
		return nil
	})
}

// UpdateFunnel renames a funnel and sets its stages in the given order:
// stages with an id are kept (renamed, moved), without one are added, and
// stages left out are removed (refused while deals or history use them).
// When the order of kept stages changes, the stage entries are rebuilt.
func (s *FunnelService) UpdateFunnel(ctx context.Context, f *funnel.Funnel) error {
	if err := f.Validate(); err != nil {
		return err
	}
	old, err := s.GetFunnel(ctx, f.ID)
	if err != nil || f.ID == 0 {
		return notFound("funnel", f.ID)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if f.Default && !old.Default {
			if _, err := tx.Exec(ctx, `UPDATE funnels SET is_default = false WHERE is_default`); err != nil {
				return funnelErr(err, "update funnel")
			}
		}
		f.Default = f.Default || old.Default // the default moves only by making another funnel the default
		if _, err := tx.Exec(ctx, `UPDATE funnels SET name = $2, is_default = $3 WHERE id = $1`, f.ID, f.Name, f.Default); err != nil {
			return funnelErr(err, "update funnel")
		}
		reordered, err := saveStages(ctx, tx, old, f)
		if err != nil {
			return err
		}
		if reordered {
			if _, err := tx.Exec(ctx, `SELECT funnel_rebuild()`); err != nil {
				return funnelErr(err, "rebuild funnel counts")
			}
		}
		return nil
	})
}

// saveStages writes f's stages over old's and reports whether a kept
// stage changed its position.
func saveStages(ctx context.Context, tx pgx.Tx, old funnel.Funnel, f *funnel.Funnel) (bool, error) {
	keep := map[int64]bool{}
	reordered := false
	for i := range f.Stages {
		st := &f.Stages[i]
		if st.ID == 0 {
			continue
		}
		prev, ok := old.StageByID(st.ID)
		if !ok {
			return false, crm.Invalid(fmt.Sprintf("stages[%d].id", i), "stage %d is not in this funnel", st.ID)
		}
		keep[st.ID] = true
		if prev.Position != st.Position {
			reordered = true
		}
	}
	for _, st := range old.Stages {
		if !keep[st.ID] {
			var used bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deals WHERE stage_id = $1)
				OR EXISTS (SELECT 1 FROM stage_changes WHERE to_stage_id = $1 OR from_stage_id = $1)`, st.ID).Scan(&used); err != nil {
				return false, funnelErr(err, "remove stage")
			}
			if used {
				return false, crm.Errorf(crm.KindConflict, "stage %q has deals or history and cannot be removed; rename it instead", st.Name)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM funnel_stages WHERE id = $1`, st.ID); err != nil {
				return false, funnelErr(err, "remove stage")
			}
			reordered = true
		}
	}
	for i := range f.Stages {
		st := &f.Stages[i]
		var err error
		if st.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO funnel_stages (funnel_id, position, name) VALUES ($1, $2, $3) RETURNING id`,
				f.ID, st.Position, st.Name).Scan(&st.ID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE funnel_stages SET position = $2, name = $3 WHERE id = $1`, st.ID, st.Position, st.Name)
		}
		if err != nil {
			return false, funnelErr(err, "save stage")
		}
	}
	return reordered, nil
}

// FunnelSettings returns the company-wide funnel settings.
func (s *FunnelService) FunnelSettings(ctx context.Context) (funnel.Settings, error) {
	var set funnel.Settings
	err := s.db.pool.QueryRow(ctx, `SELECT time_zone, auto_open_deals FROM funnel_settings WHERE id = 1`).
		Scan(&set.TimeZone, &set.AutoOpenDeals)
	if err != nil {
		return set, funnelErr(err, "funnel settings")
	}
	return set, nil
}

// SaveFunnelSettings changes the settings; a new time zone recounts the
// daily rollup in it.
func (s *FunnelService) SaveFunnelSettings(ctx context.Context, set *funnel.Settings) error {
	if err := set.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)`, set.TimeZone).Scan(&known); err != nil {
			return funnelErr(err, "check time zone")
		}
		if !known {
			return crm.Invalid("time_zone", "PostgreSQL does not know the time zone %q", set.TimeZone)
		}
		var old string
		if err := tx.QueryRow(ctx, `SELECT time_zone FROM funnel_settings WHERE id = 1 FOR UPDATE`).Scan(&old); err != nil {
			return funnelErr(err, "save funnel settings")
		}
		if _, err := tx.Exec(ctx, `UPDATE funnel_settings SET time_zone = $1, auto_open_deals = $2, time_zone_chosen = true, updated_at = now() WHERE id = 1`,
			set.TimeZone, set.AutoOpenDeals); err != nil {
			return funnelErr(err, "save funnel settings")
		}
		if old != set.TimeZone {
			if _, err := tx.Exec(ctx, `SELECT funnel_rebuild()`); err != nil {
				return funnelErr(err, "recount funnel in the new time zone")
			}
		}
		return nil
	})
}

// FollowCentreZone makes the funnel's days those of the centre's zone
// (HOTLINE_TIME_ZONE) unless an admin has chosen the funnel's own zone;
// a changed zone recounts the daily rollup. It reports whether it changed.
func (s *FunnelService) FollowCentreZone(ctx context.Context, zone string) (bool, error) {
	set := funnel.Settings{TimeZone: zone}
	if err := set.Validate(); err != nil {
		return false, err
	}
	changed := false
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var old string
		var chosen bool
		if err := tx.QueryRow(ctx, `SELECT time_zone, time_zone_chosen FROM funnel_settings WHERE id = 1 FOR UPDATE`).Scan(&old, &chosen); err != nil {
			return funnelErr(err, "funnel settings")
		}
		if chosen || old == set.TimeZone {
			return nil
		}
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)`, set.TimeZone).Scan(&known); err != nil {
			return funnelErr(err, "check time zone")
		}
		if !known {
			return crm.Invalid("time_zone", "PostgreSQL does not know the time zone %q", set.TimeZone)
		}
		if _, err := tx.Exec(ctx, `UPDATE funnel_settings SET time_zone = $1, updated_at = now() WHERE id = 1`, set.TimeZone); err != nil {
			return funnelErr(err, "follow the centre's zone")
		}
		if _, err := tx.Exec(ctx, `SELECT funnel_rebuild()`); err != nil {
			return funnelErr(err, "recount funnel in the centre's zone")
		}
		changed = true
		return nil
	})
	return changed, err
}

// GetPlan returns the targets per stage id of one plan (empty when none).
func (s *FunnelService) GetPlan(ctx context.Context, k funnel.PlanKey) (map[int64]int, error) {
	p, err := funnel.PeriodAt(k.Kind, k.Start, time.UTC)
	if err != nil {
		return nil, err
	}
	k.Start = p.StartDate()
	rows, err := s.db.pool.Query(ctx, `SELECT stage_id, target FROM funnel_plans
		WHERE funnel_id = $1 AND period = $2 AND period_start = $3 AND owner_id = $4`,
		k.FunnelID, string(k.Kind), k.Start.String(), k.OwnerID)
	if err != nil {
		return nil, funnelErr(err, "get plan")
	}
	out := map[int64]int{}
	var stage int64
	var target int
	_, err = pgx.ForEachRow(rows, []any{&stage, &target}, func() error { out[stage] = target; return nil })
	if err != nil {
		return nil, funnelErr(err, "get plan")
	}
	return out, nil
}

// SavePlan replaces one plan's targets (stage id -> target, at least 0).
// Stages must belong to the funnel; an empty map removes the plan.
func (s *FunnelService) SavePlan(ctx context.Context, k funnel.PlanKey, targets map[int64]int) error {
	p, err := funnel.PeriodAt(k.Kind, k.Start, time.UTC)
	if err != nil {
		return err
	}
	k.Start = p.StartDate()
	f, err := s.GetFunnel(ctx, k.FunnelID)
	if err != nil {
		return err
	}
	for stage, v := range targets {
		if _, ok := f.StageByID(stage); !ok {
			return crm.Invalid("targets", "stage %d is not in funnel %d", stage, f.ID)
		}
		if v < 0 || v > 1_000_000 {
			return crm.Invalid("targets", "targets must be 0 to 1000000")
		}
	}
	if k.OwnerID != 0 {
		if _, err := s.db.userByID(ctx, k.OwnerID); err != nil {
			return crm.Invalid("salesperson_id", "user %d does not exist", k.OwnerID)
		}
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM funnel_plans WHERE funnel_id = $1 AND period = $2 AND period_start = $3 AND owner_id = $4`,
			f.ID, string(k.Kind), k.Start.String(), k.OwnerID); err != nil {
			return funnelErr(err, "save plan")
		}
		for stage, v := range targets {
			if _, err := tx.Exec(ctx, `INSERT INTO funnel_plans (funnel_id, period, period_start, owner_id, stage_id, target)
				VALUES ($1, $2, $3, $4, $5, $6)`, f.ID, string(k.Kind), k.Start.String(), k.OwnerID, stage, v); err != nil {
				return funnelErr(err, "save plan")
			}
		}
		return nil
	})
}
