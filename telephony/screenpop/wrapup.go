package screenpop

import (
	"context"
	"time"
)

// DefaultWrapUp is how long wrap-up lasts unless the agent ends it sooner.
const DefaultWrapUp = 60 * time.Second

// MaxWrapUp bounds the wrap-up time a centre may configure.
const MaxWrapUp = time.Hour

// WrapUpEnds returns a board on which an agent's wrap-up ends by itself
// after d: an entry in wrap-up for d or longer reads as available since the
// moment wrap-up ended, and one still in wrap-up says Until when. The
// stored entry is left as it is, so every replica reads the same without a
// timer that a restart would lose. d <= 0 returns b unchanged (wrap-up lasts
// until the agent ends it).
func WrapUpEnds(b StatusBoard, d time.Duration, now func() time.Time) StatusBoard {
	if d <= 0 {
		return b
	}
	if now == nil {
		now = time.Now
	}
	return &wrapUpBoard{StatusBoard: b, d: d, now: now}
}

type wrapUpBoard struct {
	StatusBoard
	d   time.Duration
	now func() time.Time
}

var _ StatusBoard = (*wrapUpBoard)(nil)

// Get returns an agent's status with wrap-up ended when due.
func (w *wrapUpBoard) Get(ctx context.Context, agent string) (StatusEntry, error) {
	e, err := w.StatusBoard.Get(ctx, agent)
	if err != nil {
		return e, err
	}
	return w.expire(e), nil
}

// All returns every agent's status with wrap-up ended when due.
func (w *wrapUpBoard) All(ctx context.Context) ([]StatusEntry, error) {
	all, err := w.StatusBoard.All(ctx)
	for i := range all {
		all[i] = w.expire(all[i])
	}
	return all, err
}

func (w *wrapUpBoard) expire(e StatusEntry) StatusEntry {
	if e.Status != StatusWrapUp {
		return e
	}
	end := e.Since.Add(w.d)
	if w.now().Before(end) {
		e.Until = &end
		return e
	}
	e.Status, e.Since = StatusAvailable, end
	return e
}
