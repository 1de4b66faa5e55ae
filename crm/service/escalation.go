package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// TimerStore fires due escalation timers durably (crm/postgres.Store): each
// level fires once, whichever worker claims it, across restarts.
type TimerStore interface {
	FireDueTimers(ctx context.Context, now time.Time, worker string, limit int) ([]Fired, error)
}

// Fired is one escalation level that fired.
type Fired struct {
	TicketID int64
	Clock    ClockKind
	Level    int
	// Breach is true when the level recorded a new SLA breach.
	Breach bool
	// PriorityClass is the client's priority class code ("" when none).
	PriorityClass string
}

// BreachCounter counts SLA breaches as they are recorded (metrics.Metrics).
type BreachCounter interface {
	SLABreached(priorityClass, clock string)
}

// CallbackStore opens callback requests for missed calls of known clients
// and resolves those a later answered call handled (crm/postgres.Store).
type CallbackStore interface {
	SyncCallbacks(ctx context.Context, now time.Time, window time.Duration) (opened, resolved int, err error)
}

// EscalatorOptions configure an Escalator. Only Store is required.
type EscalatorOptions struct {
	Store    TimerStore
	Now      func() time.Time // time.Now when nil
	Interval time.Duration    // how often due timers are looked for; 5s when zero
	Batch    int              // timers fired per round at most; 100 when zero
	Worker   string           // recorded on fired timers (e.g. the host name); "escalator" when empty
	// Callbacks, when set, are synced every round before the timers fire,
	// looking back CallbackWindow (24 hours when zero) for missed calls.
	Callbacks      CallbackStore
	CallbackWindow time.Duration
	// Breaches, when set, counts each breach a fired level records.
	Breaches BreachCounter
	Logger   *slog.Logger
}

// Escalator runs the escalation timers: every Interval it fires the timers
// that are due (and, when configured, opens and resolves callback requests
// for missed calls). Several escalators may run against one database.
type Escalator struct{ o EscalatorOptions }

// NewEscalator returns an escalator; call Run to start it.
func NewEscalator(o EscalatorOptions) *Escalator {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Worker == "" {
		o.Worker = "escalator"
	}
	if o.CallbackWindow <= 0 {
		o.CallbackWindow = 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Escalator{o: o}
}

// Tick syncs callback requests, then fires every timer due now (in
// batches) and returns how many fired.
func (e *Escalator) Tick(ctx context.Context) (int, error) {
	if e.o.Callbacks != nil {
		opened, resolved, err := e.o.Callbacks.SyncCallbacks(ctx, e.o.Now(), e.o.CallbackWindow)
		if err != nil {
			return 0, fmt.Errorf("callback requests: %w", err)
		}
		if opened+resolved > 0 {
			e.o.Logger.Info("callback requests", slog.Int("opened", opened), slog.Int("resolved", resolved))
		}
	}
	total := 0
	for {
		fired, err := e.o.Store.FireDueTimers(ctx, e.o.Now(), e.o.Worker, e.o.Batch)
		n := len(fired)
		total += n
		for _, f := range fired {
			if f.Breach && e.o.Breaches != nil {
				e.o.Breaches.SLABreached(f.PriorityClass, string(f.Clock))
			}
		}
		if err != nil {
			return total, fmt.Errorf("escalation timers: %w", err)
		}
		if n < e.o.Batch {
			return total, nil
		}
	}
}

// Run fires due timers every Interval until ctx ends; failures are logged
// and retried on the next round. It returns ctx's error.
func (e *Escalator) Run(ctx context.Context) error {
	t := time.NewTicker(e.o.Interval)
	defer t.Stop()
	for {
		if n, err := e.Tick(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.o.Logger.Warn("escalation round failed", slog.Any("err", err))
		} else if n > 0 {
			e.o.Logger.Info("escalations fired", slog.Int("count", n))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
