package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/funnel"
)

// ownerCells are the cells of one salesperson (0: company).
type ownerCells map[int64][]funnel.Cell

// FunnelReport computes the report of a period. In the settings' time zone
// it reads the daily rollup; in any other zone it counts the stage entries
// themselves. Both are exact.
func (s *Store) FunnelReport(ctx context.Context, q funnel.ReportQuery) (funnel.Report, error) {
	set, err := s.FunnelSettings(ctx)
	if err != nil {
		return funnel.Report{}, err
	}
	tz := q.TimeZone
	if tz == "" {
		tz = set.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return funnel.Report{}, crm.Invalid("tz", "%q is not an IANA time zone such as Europe/Moscow", tz)
	}
	period, err := funnel.PeriodAt(q.Kind, q.Date, loc)
	if err != nil {
		return funnel.Report{}, err
	}
	f, err := s.GetFunnel(ctx, q.FunnelID)
	if err != nil {
		return funnel.Report{}, err
	}
	in := funnel.ReportInput{Funnel: f, Period: period, Target: q.Target}
	in.History = funnel.Period{Kind: period.Kind, Start: period.Shift(-funnel.HistoryPeriods(period.Kind)).Start, End: period.Start}
	coming, _ := funnel.PeriodOf(period.Kind, q.Now, loc)
	in.Coming = coming.Shift(1)
	rollup := tz == set.TimeZone

	var owners []int64 // nil: every salesperson
	if q.OwnerID != 0 {
		owners = []int64{0, q.OwnerID}
	}
	cells, err := s.periodCells(ctx, f.ID, period, owners, rollup)
	if err != nil {
		return funnel.Report{}, err
	}
	past, err := s.periodCells(ctx, f.ID, in.History, []int64{0, q.OwnerID}, rollup)
	if err != nil {
		return funnel.Report{}, err
	}
	plans, err := s.periodPlans(ctx, f.ID, period)
	if err != nil {
		return funnel.Report{}, err
	}
	in.Company, in.Past = cells[0], past[q.OwnerID]
	if q.OwnerID == 0 {
		if in.People, err = s.people(ctx, cells, plans); err != nil {
			return funnel.Report{}, err
		}
		in.Entered, in.Plan = cells[0], funnel.CompanyPlan(plans[0], in.People)
	} else {
		u, err := s.GetUser(ctx, q.OwnerID)
		if err != nil {
			return funnel.Report{}, crm.Invalid("salesperson_id", "user %d does not exist", q.OwnerID)
		}
		in.Salesperson = &funnel.Person{ID: u.ID, Name: displayName(u)}
		in.Entered, in.Plan = cells[q.OwnerID], plans[q.OwnerID]
	}
	if in.Open, in.Pipeline, err = s.openLoads(ctx, f.ID, q.OwnerID, in.Coming.EndDate()); err != nil {
		return funnel.Report{}, err
	}
	return funnel.Build(in, tz), nil
}

func displayName(u crm.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Login
}

// periodCells counts the stage entries of a period per salesperson and for
// the company (key 0), for the owners listed (nil: all).
func (s *Store) periodCells(ctx context.Context, funnelID int64, p funnel.Period, owners []int64, rollup bool) (ownerCells, error) {
	var rows pgx.Rows
	var err error
	switch {
	case rollup && owners == nil:
		rows, err = s.pool.Query(ctx, `SELECT owner_id, position, max_position, sum(n)::int FROM funnel_periods
			WHERE funnel_id = $1 AND kind = $2 AND period_start >= $3 AND period_start < $4
			GROUP BY 1, 2, 3 HAVING sum(n) <> 0`, funnelID, string(p.Kind), p.StartDate().String(), p.EndDate().String())
	case rollup:
		rows, err = s.pool.Query(ctx, `SELECT owner_id, position, max_position, sum(n)::int FROM funnel_periods
			WHERE funnel_id = $1 AND kind = $2 AND owner_id = ANY ($5) AND period_start >= $3 AND period_start < $4
			GROUP BY 1, 2, 3 HAVING sum(n) <> 0`, funnelID, string(p.Kind), p.StartDate().String(), p.EndDate().String(), owners)
	default:
		rows, err = s.pool.Query(ctx, `SELECT v.owner_id, e.position, e.max_position, count(*)::int
			FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
			WHERE e.funnel_id = $1 AND e.entered_at >= $2 AND e.entered_at < $3
			  AND ($4::bigint[] IS NULL OR v.owner_id = ANY ($4))
			GROUP BY 1, 2, 3`, funnelID, p.Start, p.End, owners)
	}
	if err != nil {
		return nil, funnelErr(err, "count stage entries")
	}
	out := ownerCells{}
	var owner int64
	var c funnel.Cell
	_, err = pgx.ForEachRow(rows, []any{&owner, &c.Position, &c.MaxPosition, &c.N}, func() error {
		out[owner] = append(out[owner], c)
		return nil
	})
	return out, funnelErr(err, "count stage entries")
}

// periodPlans returns the plans of a period per salesperson (0: company).
func (s *Store) periodPlans(ctx context.Context, funnelID int64, p funnel.Period) (map[int64]map[int64]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT owner_id, stage_id, target FROM funnel_plans
		WHERE funnel_id = $1 AND period = $2 AND period_start = $3`, funnelID, string(p.Kind), p.StartDate().String())
	if err != nil {
		return nil, funnelErr(err, "period plans")
	}
	out := map[int64]map[int64]int{}
	var owner, stage int64
	var target int
	_, err = pgx.ForEachRow(rows, []any{&owner, &stage, &target}, func() error {
		if out[owner] == nil {
			out[owner] = map[int64]int{}
		}
		out[owner][stage] = target
		return nil
	})
	return out, funnelErr(err, "period plans")
}

// people names the salespeople with entries or plans in the period.
func (s *Store) people(ctx context.Context, cells ownerCells, plans map[int64]map[int64]int) ([]funnel.PersonCells, error) {
	var ids []int64
	for id := range cells {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	for id := range plans {
		if _, ok := cells[id]; !ok && id != 0 {
			ids = append(ids, id)
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(nullif(name, ''), login) FROM users WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, funnelErr(err, "salespeople")
	}
	var out []funnel.PersonCells
	var p funnel.Person
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name}, func() error {
		out = append(out, funnel.PersonCells{Person: p, Cells: cells[p.ID], Plan: plans[p.ID]})
		return nil
	})
	return out, funnelErr(err, "salespeople")
}

// openLoads sums the open deals now per stage and currency, of one
// salesperson (0: all), and those expected to close before the date.
func (s *Store) openLoads(ctx context.Context, funnelID, owner int64, before funnel.Date) (open, pipeline []funnel.OpenLoad, err error) {
	rows, err := s.pool.Query(ctx, `SELECT stage_id, currency, sum(n)::int, (sum(amount) * 100)::bigint,
			coalesce(sum(n) FILTER (WHERE expected_close < $3), 0)::int,
			coalesce((sum(amount) FILTER (WHERE expected_close < $3) * 100)::bigint, 0)
		FROM funnel_open WHERE funnel_id = $1 AND owner_id = $2
		GROUP BY 1, 2 HAVING sum(n) <> 0`, funnelID, owner, before.String())
	if err != nil {
		return nil, nil, funnelErr(err, "open deals")
	}
	var o, p funnel.OpenLoad
	var amount, pAmount int64
	_, err = pgx.ForEachRow(rows, []any{&o.StageID, &o.Currency, &o.Deals, &amount, &p.Deals, &pAmount}, func() error {
		o.Amount = funnel.Money(amount)
		open = append(open, o)
		if p.Deals > 0 {
			p.StageID, p.Currency, p.Amount = o.StageID, o.Currency, funnel.Money(pAmount)
			pipeline = append(pipeline, p)
		}
		return nil
	})
	return open, pipeline, funnelErr(err, "open deals")
}
