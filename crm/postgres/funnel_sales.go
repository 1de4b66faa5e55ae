package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/funnel"
)

// SetRate stores (or replaces) a currency's rate from a day on.
func (s *FunnelService) SetRate(ctx context.Context, r funnel.Rate, base string, by int64) error {
	if err := r.Validate(base); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO currency_rates (currency, day, rate_micros, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (currency, day) DO UPDATE SET rate_micros = EXCLUDED.rate_micros, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		r.Currency, r.Day.String(), r.Micros, nullID(by))
	return funnelErr(err, "set rate")
}

// DeleteRate removes a currency's rate of a day.
func (s *FunnelService) DeleteRate(ctx context.Context, currency string, day funnel.Date) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM currency_rates WHERE currency = $1 AND day = $2`, currency, day.String())
	if err != nil {
		return funnelErr(err, "delete rate")
	}
	if tag.RowsAffected() == 0 {
		return notFound("rate", currency+" "+day.String())
	}
	return nil
}

// ListRates lists the rates, newest day first (at most 500).
func (s *FunnelService) ListRates(ctx context.Context) ([]funnel.Rate, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT currency, day, rate_micros FROM currency_rates ORDER BY day DESC, currency LIMIT 500`)
	if err != nil {
		return nil, funnelErr(err, "list rates")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (funnel.Rate, error) {
		var x funnel.Rate
		var day time.Time
		err := r.Scan(&x.Currency, &day, &x.Micros)
		x.Day = funnel.DateOf(day)
		return x, err
	})
	return out, funnelErr(err, "list rates")
}

// wonConverted is the won deals of a period with their amounts converted
// at the rate of the day each was won ($5 is the base currency; a deal in
// a currency without a rate by then is counted as unconverted).
const wonConverted = `SELECT d.owner_id, d.currency = $5 OR r.rate_micros IS NOT NULL AS converted,
		CASE WHEN d.currency = $5 THEN round(d.amount * 100)
			ELSE round(d.amount * 100 * r.rate_micros / 1000000.0) END AS minor
	FROM deals d
	LEFT JOIN LATERAL (SELECT rate_micros FROM currency_rates x WHERE x.currency = d.currency AND x.day <= (d.closed_at AT TIME ZONE $6)::date
		ORDER BY x.day DESC LIMIT 1) r ON true
	WHERE d.status = 'won' AND d.funnel_id = $1 AND d.closed_at >= $2 AND d.closed_at < $3 AND ($4 = 0 OR d.owner_id = $4)`

// SalesSeries counts won deals and their converted amounts per period and
// per salesperson over the query's range, with the plan of contracts (the
// funnel's last stage) of each period.
func (s *FunnelService) SalesSeries(ctx context.Context, q funnel.SalesQuery) (funnel.Sales, error) {
	out := funnel.Sales{Base: q.Base}
	if q.Kind != funnel.Week && q.Kind != funnel.Month {
		return out, crm.Invalid("period", "must be week or month")
	}
	if q.Periods <= 0 || q.Periods > 60 {
		return out, crm.Invalid("periods", "must be 1 to 60")
	}
	f, err := s.GetFunnel(ctx, q.FunnelID)
	if err != nil {
		return out, err
	}
	if q.TimeZone == "" {
		set, err := s.FunnelSettings(ctx)
		if err != nil {
			return out, err
		}
		q.TimeZone = set.TimeZone
	}
	loc, err := time.LoadLocation(q.TimeZone)
	if err != nil {
		return out, crm.Invalid("time_zone", "%q is not an IANA time zone such as Europe/Moscow", q.TimeZone)
	}
	last, err := funnel.PeriodAt(q.Kind, q.Last, loc)
	if err != nil {
		return out, err
	}
	first := last.Shift(1 - q.Periods)
	for i := range q.Periods {
		p := first.Shift(i)
		pt := funnel.SalesPoint{Label: p.Label(), Start: p.StartDate()}
		rows, err := s.db.pool.Query(ctx, `SELECT count(*) FILTER (WHERE converted), coalesce(sum(minor) FILTER (WHERE converted), 0)::bigint,
				count(*) FILTER (WHERE NOT converted) FROM (`+wonConverted+`) w`,
			f.ID, p.Start, p.End, q.OwnerID, q.Base, q.TimeZone)
		if err != nil {
			return out, funnelErr(err, "sales series")
		}
		var won, unconv int
		var minor int64
		if rows.Next() {
			err = rows.Scan(&won, &minor, &unconv)
		}
		rows.Close()
		if err != nil {
			return out, funnelErr(err, "sales series")
		}
		pt.Won, pt.Amount, pt.Unconverted = won+unconv, funnel.Money(minor), unconv
		var target int
		err = s.db.pool.QueryRow(ctx, `SELECT target FROM funnel_plans WHERE funnel_id = $1 AND period = $2 AND period_start = $3
			AND owner_id = $4 AND stage_id = $5`, f.ID, string(q.Kind), pt.Start.String(), q.OwnerID, f.Last().ID).Scan(&target)
		if err == nil {
			pt.Plan = &target
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return out, funnelErr(err, "sales plan")
		}
		out.Points = append(out.Points, pt)
	}
	rows, err := s.db.pool.Query(ctx, `SELECT w.owner_id, coalesce(nullif(u.name, ''), u.login),
			count(*)::int, coalesce(sum(w.minor) FILTER (WHERE w.converted), 0)::bigint, (count(*) FILTER (WHERE NOT w.converted))::int
		FROM (`+wonConverted+`) w JOIN users u ON u.id = w.owner_id GROUP BY 1, 2 ORDER BY 4 DESC, 1`,
		f.ID, first.Start, last.End, q.OwnerID, q.Base, q.TimeZone)
	if err != nil {
		return out, funnelErr(err, "sales per person")
	}
	out.People, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (funnel.SalesPerson, error) {
		var p funnel.SalesPerson
		var minor int64
		err := r.Scan(&p.ID, &p.Name, &p.Won, &minor, &p.Unconverted)
		p.Amount = funnel.Money(minor)
		return p, err
	})
	return out, funnelErr(err, "sales per person")
}
