package main

import (
	"context"
	"log/slog"
	"time"

	"hotline/crm"
)

// reclassifyHour is when, in the centre's zone, the nightly run applies the
// priority rules to every client (money recorded during the day already
// reclassified its client; the night catches what the 12-month window let
// go and rules an admin changed without reclassifying).
const reclassifyHour = 3

// nightlyOptions tune the nightly reclassification; zero values are the
// real clock and timers.
type nightlyOptions struct {
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
}

// nightlyReclassify is the component that reclassifies every client not
// chosen by hand at 03:00 in zone each night.
func nightlyReclassify(svc crm.PriorityService, zone *time.Location, log *slog.Logger, o nightlyOptions) component {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if zone == nil {
		zone = time.UTC
	}
	return component{Name: "priority reclassification", Run: func(ctx context.Context) error {
		for {
			now := o.Now()
			select {
			case <-ctx.Done():
				return nil
			case <-o.After(nextReclassify(now, zone).Sub(now)):
			}
			n, err := svc.Reclassify(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				log.Warn("nightly priority reclassification", slog.Any("err", err))
				continue
			}
			log.Info("clients reclassified by the priority rules", slog.Int("moved", n))
		}
	}}
}

// nextReclassify is the first 03:00 in zone after now (on a day when 03:00
// does not exist, Go's normalisation picks the hour after the gap).
func nextReclassify(now time.Time, zone *time.Location) time.Time {
	local := now.In(zone)
	next := time.Date(local.Year(), local.Month(), local.Day(), reclassifyHour, 0, 0, 0, zone)
	if !next.After(now) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, reclassifyHour, 0, 0, 0, zone)
	}
	return next
}
