package service

import (
	"context"
	"sync"
	"testing"
	"time"
)

// countingTimers counts rounds; its next timer is due at next (none when
// zero) and fires in the first round at or after that.
type countingTimers struct {
	mu     sync.Mutex
	rounds int
	syncs  int
	next   time.Time
}

func (c *countingTimers) FireDueTimers(_ context.Context, now time.Time, _ string, _ int) ([]Fired, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rounds++
	if !c.next.IsZero() && !c.next.After(now) {
		c.next = time.Time{} // fired
	}
	return nil, nil
}

func (c *countingTimers) NextTimerDue(context.Context) (time.Time, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next, !c.next.IsZero(), nil
}

func (c *countingTimers) SyncCallbacks(context.Context, time.Time, time.Duration) (int, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.syncs++
	return 0, 0, nil
}

func (c *countingTimers) counts() (rounds, syncs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rounds, c.syncs
}

func (c *countingTimers) setNext(t time.Time) { c.mu.Lock(); c.next = t; c.mu.Unlock() }

// waitRounds waits up to 5 s for at least n rounds.
func waitRounds(t *testing.T, c *countingTimers, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if r, _ := c.counts(); r >= n {
			return
		}
	}
	r, _ := c.counts()
	t.Fatalf("%d rounds, want %d", r, n)
}

// TestEscalatorSleepsUntilWork: with nothing due the escalator runs no
// round until woken; a changed call wakes it no sooner than Interval after
// its last round; scheduled timers wake it when the first is due.
func TestEscalatorSleepsUntilWork(t *testing.T) {
	st := &countingTimers{}
	e := NewEscalator(EscalatorOptions{Store: st, Next: st, Callbacks: st, Interval: 50 * time.Millisecond, Idle: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitRounds(t, st, 1)
	time.Sleep(200 * time.Millisecond)
	if r, _ := st.counts(); r != 1 {
		t.Fatalf("%d rounds with nothing due, want 1", r)
	}
	e.CallsChanged()
	waitRounds(t, st, 2)
	if _, s := st.counts(); s != 2 {
		t.Fatalf("%d callback syncs, want 2", s)
	}
	st.setNext(time.Now().Add(100 * time.Millisecond))
	e.TimersChanged()
	start := time.Now()
	waitRounds(t, st, 3)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("woke %v after the timers changed, before the next was due", d)
	}
	time.Sleep(200 * time.Millisecond)
	if r, _ := st.counts(); r != 3 {
		t.Fatalf("%d rounds, want 3", r)
	}
}

// TestEscalatorWithoutNextPollsEveryInterval keeps the old behaviour.
func TestEscalatorWithoutNextPollsEveryInterval(t *testing.T) {
	st := &countingTimers{}
	e := NewEscalator(EscalatorOptions{Store: st, Interval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	waitRounds(t, st, 4)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
}
