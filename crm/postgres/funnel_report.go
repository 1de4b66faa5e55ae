package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/funnel"
)

// ownerCells are the cells of each salesperson (0: company).
type ownerCells map[int64][]funnel.Cell

// reportData is what one batch of report queries fills in.
type reportData struct {
	cells, past ownerCells
	plans       map[int64]map[int64]int
	names       map[int64]string
	open, pipe  []funnel.OpenLoad
}

// FunnelReport computes the report of a period. In the settings' time zone
// it reads the per-period rollup; in any other zone it counts the stage
// entries themselves. Both are exact. It makes two round trips: settings
// and funnels, then one batch of the counting queries.
func (s *FunnelService) FunnelReport(ctx context.Context, q funnel.ReportQuery) (funnel.Report, error) {
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

	var owners []int64 // nil: every salesperson
	if q.OwnerID != 0 {
		owners = []int64{0, q.OwnerID}
	}
	d := reportData{cells: ownerCells{}, past: ownerCells{}, plans: map[int64]map[int64]int{}, names: map[int64]string{}}
	b := &pgx.Batch{}
	rollup := tz == set.TimeZone
	queueCells(b, f.ID, period, owners, rollup, d.cells, d.names)
	queueCells(b, f.ID, in.History, []int64{0, q.OwnerID}, rollup, d.past, d.names)
	queuePlans(b, f.ID, period, d.plans, d.names)
	queueOpen(b, f.ID, q.OwnerID, in.Coming.EndDate(), &d.open, &d.pipe)
	if q.OwnerID != 0 {
		b.Queue(`SELECT coalesce(nullif(name, ''), login) FROM users WHERE id = $1`, q.OwnerID).QueryRow(func(r pgx.Row) error {
			var name string
			err := r.Scan(&name)
			d.names[q.OwnerID] = name
			return err
		})
	}
	if err := s.db.pool.SendBatch(ctx, b).Close(); err != nil {
		if q.OwnerID != 0 && d.names[q.OwnerID] == "" {
			return funnel.Report{}, crm.Invalid("salesperson_id", "user %d does not exist", q.OwnerID)
		}
		return funnel.Report{}, funnelErr(err, "funnel report")
	}
	in.Company, in.Past, in.Open, in.Pipeline = d.cells[0], d.past[q.OwnerID], d.open, d.pipe
	if q.OwnerID == 0 {
		in.People = people(d)
		in.Entered, in.Plan = d.cells[0], funnel.CompanyPlan(d.plans[0], in.People)
	} else {
		in.Salesperson = &funnel.Person{ID: q.OwnerID, Name: d.names[q.OwnerID]}
		in.Entered, in.Plan = d.cells[q.OwnerID], d.plans[q.OwnerID]
	}
	return funnel.Build(in, tz), nil
}

// queueCells counts the stage entries of a period per salesperson and for
// the company (key 0), for the owners listed (nil: all), with their names.
func queueCells(b *pgx.Batch, funnelID int64, p funnel.Period, owners []int64, rollup bool, out ownerCells, names map[int64]string) {
	const named = `SELECT c.owner_id, coalesce(nullif(u.name, ''), u.login, ''), c.position, c.max_position, c.n FROM (%s) c
		LEFT JOIN users u ON u.id = c.owner_id AND c.owner_id <> 0`
	var qq *pgx.QueuedQuery
	switch {
	case rollup && owners == nil:
		qq = b.Queue(strings.Replace(named, "%s", `SELECT owner_id, position, max_position, sum(n)::int AS n FROM funnel_periods
			WHERE funnel_id = $1 AND kind = $2 AND period_start >= $3 AND period_start < $4
			GROUP BY 1, 2, 3 HAVING sum(n) <> 0`, 1), funnelID, string(p.Kind), p.StartDate().String(), p.EndDate().String())
	case rollup:
		qq = b.Queue(strings.Replace(named, "%s", `SELECT owner_id, position, max_position, sum(n)::int AS n FROM funnel_periods
			WHERE funnel_id = $1 AND kind = $2 AND owner_id = ANY ($5) AND period_start >= $3 AND period_start < $4
			GROUP BY 1, 2, 3 HAVING sum(n) <> 0`, 1), funnelID, string(p.Kind), p.StartDate().String(), p.EndDate().String(), owners)
	default:
		qq = b.Queue(strings.Replace(named, "%s", `SELECT v.owner_id, e.position, e.max_position, count(*)::int AS n
			FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
			WHERE e.funnel_id = $1 AND e.entered_at >= $2 AND e.entered_at < $3
			  AND ($4::bigint[] IS NULL OR v.owner_id = ANY ($4))
			GROUP BY 1, 2, 3`, 1), funnelID, p.Start, p.End, owners)
	}
	qq.Query(func(rows pgx.Rows) error {
		var owner int64
		var name string
		var c funnel.Cell
		_, err := pgx.ForEachRow(rows, []any{&owner, &name, &c.Position, &c.MaxPosition, &c.N}, func() error {
			out[owner] = append(out[owner], c)
			if owner != 0 {
				names[owner] = name
			}
			return nil
		})
		return err
	})
}

// queuePlans reads the plans of a period per salesperson (0: company).
func queuePlans(b *pgx.Batch, funnelID int64, p funnel.Period, out map[int64]map[int64]int, names map[int64]string) {
	b.Queue(`SELECT p.owner_id, coalesce(nullif(u.name, ''), u.login, ''), p.stage_id, p.target FROM funnel_plans p
		LEFT JOIN users u ON u.id = p.owner_id AND p.owner_id <> 0
		WHERE p.funnel_id = $1 AND p.period = $2 AND p.period_start = $3`, funnelID, string(p.Kind), p.StartDate().String()).
		Query(func(rows pgx.Rows) error {
			var owner, stage int64
			var name string
			var target int
			_, err := pgx.ForEachRow(rows, []any{&owner, &name, &stage, &target}, func() error {
				if out[owner] == nil {
					out[owner] = map[int64]int{}
				}
				out[owner][stage] = target
				if owner != 0 {
					names[owner] = name
				}
				return nil
			})
			return err
		})
}

// people are the salespeople with entries or plans in the period.
func people(d reportData) []funnel.PersonCells {
	var out []funnel.PersonCells
	for id, name := range d.names {
		_, hasCells := d.cells[id]
		_, hasPlan := d.plans[id]
		if hasCells || hasPlan {
			out = append(out, funnel.PersonCells{Person: funnel.Person{ID: id, Name: name}, Cells: d.cells[id], Plan: d.plans[id]})
		}
	}
	return out
}

// queueOpen sums the open deals now per stage and currency, of one
// salesperson (0: all), and those expected to close before the date.
func queueOpen(b *pgx.Batch, funnelID, owner int64, before funnel.Date, open, pipeline *[]funnel.OpenLoad) {
	b.Queue(`SELECT stage_id, currency, sum(n)::int, (sum(amount) * 100)::bigint,
			coalesce(sum(n) FILTER (WHERE expected_close < $3), 0)::int,
			coalesce((sum(amount) FILTER (WHERE expected_close < $3) * 100)::bigint, 0)
		FROM funnel_open WHERE funnel_id = $1 AND owner_id = $2
		GROUP BY 1, 2 HAVING sum(n) <> 0`, funnelID, owner, before.String()).
		Query(func(rows pgx.Rows) error {
			var o, p funnel.OpenLoad
			var amount, pAmount int64
			_, err := pgx.ForEachRow(rows, []any{&o.StageID, &o.Currency, &o.Deals, &amount, &p.Deals, &pAmount}, func() error {
				o.Amount = funnel.Money(amount)
				*open = append(*open, o)
				if p.Deals > 0 {
					p.StageID, p.Currency, p.Amount = o.StageID, o.Currency, funnel.Money(pAmount)
					*pipeline = append(*pipeline, p)
				}
				return nil
			})
			return err
		})
}
