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

// NextTimer tells when the next escalation timer is due
// (crm/postgres.TicketService): the escalator sleeps until then.
type NextTimer interface {
	// NextTimerDue returns the earliest due time of a timer not fired
	// yet; false when there is none.
	NextTimerDue(ctx context.Context) (time.Time, bool, error)
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
// and resolves those a later answered call handled (crm/postgres.Store,
// which reads only the calls written since its last round, and the whole
// window now and then).
type CallbackStore interface {
	SyncCallbacks(ctx context.Context, now time.Time, window time.Duration) (opened, resolved int, err error)
}

// EscalatorOptions configure an Escalator. Only Store is required.
type EscalatorOptions struct {
	Store TimerStore
	Now   func() time.Time // time.Now when nil
	// Interval is how often due timers are looked for when Next is nil,
	// and the shortest gap between two rounds woken by CallsChanged; 5s
	// when zero.
	Interval time.Duration
	// Next, when set, tells when the next timer is due: Run sleeps until
	// then (at most Idle, 60s when zero), or until TimersChanged or
	// CallsChanged wakes it, instead of looking every Interval.
	Next   NextTimer
	Idle   time.Duration
	Batch  int    // timers fired per round at most; 100 when zero
	Worker string // recorded on fired timers (e.g. the host name); "escalator" when empty
	// Callbacks, when set, are synced every round before the timers fire,
	// looking back CallbackWindow (24 hours when zero) for missed calls.
	Callbacks      CallbackStore
	CallbackWindow time.Duration
	// Breaches, when set, counts each breach a fired level records.
	Breaches BreachCounter
	Logger   *slog.Logger
}

// Escalator runs the escalation timers: it fires the timers that are due
// (and, when configured, opens and resolves callback requests for missed
// calls) when they are due, when woken, or every Interval. Several
// escalators may run against one database.
type Escalator struct {
	o      EscalatorOptions
	timers chan struct{} // TimersChanged
	calls  chan struct{} // CallsChanged
}

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
	if o.Idle <= 0 {
		o.Idle = time.Minute
	}
	return &Escalator{o: o, timers: make(chan struct{}, 1), calls: make(chan struct{}, 1)}
}

// TimersChanged tells a running escalator that timers were scheduled (on
// any replica): it re-reads when the next one is due. It never blocks.
func (e *Escalator) TimersChanged() { signal(e.timers) }

// CallsChanged tells a running escalator that calls were written (on any
// replica): it syncs the callback requests within
// Interval of its last round. It never blocks.
func (e *Escalator) CallsChanged() { signal(e.calls) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
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

// Run fires due timers until ctx ends: when they are due (Next), when
// woken, at the latest every Idle; without Next every Interval. Failures
// are logged and retried on the next round. It returns ctx's error.
func (e *Escalator) Run(ctx context.Context) error {
	for {
		last := time.Now()
		if n, err := e.Tick(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.o.Logger.Warn("escalation round failed", slog.Any("err", err))
		} else if n > 0 {
			e.o.Logger.Info("escalations fired", slog.Int("count", n))
		}
		if err := e.wait(ctx, last); err != nil {
			return err
		}
	}
}

// wait sleeps until the next round: the next due timer, Interval after
// the last round when calls changed, or Idle.
func (e *Escalator) wait(ctx context.Context, last time.Time) error {
	deadline := time.Now().Add(e.sleep(ctx))
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	// Once calls changed, more changes cannot bring the round closer:
	// they are no longer read (each would wake the escalator for nothing)
	// and wait, folded into one signal, for the round after this one.
	calls := e.calls
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		case <-e.timers:
			deadline = earlier(deadline, time.Now().Add(e.sleep(ctx)))
		case <-calls:
			deadline = earlier(deadline, last.Add(e.o.Interval))
			calls = nil
		}
		t.Reset(max(time.Until(deadline), 0))
	}
}

// sleep is how long to wait for the next due timer: Interval without Next
// or when it fails, Idle at most. A timer already due after a round is held
// by another escalator: it is looked at again after Interval.
func (e *Escalator) sleep(ctx context.Context) time.Duration {
	if e.o.Next == nil {
		return e.o.Interval
	}
	due, ok, err := e.o.Next.NextTimerDue(ctx)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			e.o.Logger.Warn("next escalation timer", slog.Any("err", err))
		}
		return e.o.Interval
	case !ok:
		return e.o.Idle
	}
	d := due.Sub(e.o.Now())
	if d <= 0 {
		return e.o.Interval
	}
	return min(d, e.o.Idle)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
