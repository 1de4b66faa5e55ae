package aritest

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errStopped reports that a sleep ended because its stop channel closed.
var errStopped = errors.New("aritest: stopped")

// Clock is the emulator's virtual clock: simulated time runs Speed times
// faster than real time, so a 5 s ring with Speed 100 lasts 50 ms. Event
// timestamps, channel creation times and scenario delays all come from it.
type Clock struct {
	mu        sync.Mutex
	realStart time.Time
	virtStart time.Time
	speed     float64
}

// NewClock starts a clock at start running speed times faster than real
// time; speed <= 0 means 1.
func NewClock(start time.Time, speed float64) *Clock {
	if speed <= 0 {
		speed = 1
	}
	return &Clock{realStart: time.Now(), virtStart: start, speed: speed}
}

// Now returns the current virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := time.Since(c.realStart)
	return c.virtStart.Add(time.Duration(float64(el) * c.speed))
}

// Speed reports how much faster than real time the clock runs.
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// SetSpeed changes the speed factor from now on, keeping Now continuous.
func (c *Clock) SetSpeed(speed float64) {
	if speed <= 0 {
		speed = 1
	}
	now := c.Now()
	c.mu.Lock()
	c.virtStart, c.realStart, c.speed = now, time.Now(), speed
	c.mu.Unlock()
}

// Real converts a virtual duration into the real duration it takes.
func (c *Clock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.Speed())
}

// Sleep waits for the virtual duration d; it returns ctx.Err() if ctx ends
// first.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	return c.SleepOr(ctx, d, nil)
}

// SleepOr waits for the virtual duration d, or until stop is closed (returns
// errStopped) or ctx ends.
func (c *Clock) SleepOr(ctx context.Context, d time.Duration, stop <-chan struct{}) error {
	if d <= 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-stop:
			return errStopped
		default:
			return nil
		}
	}
	t := time.NewTimer(c.Real(d))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stop:
		return errStopped
	case <-t.C:
		return nil
	}
}

// AfterFunc runs f in its own goroutine after the virtual duration d.
func (c *Clock) AfterFunc(d time.Duration, f func()) *time.Timer {
	return time.AfterFunc(c.Real(d), f)
}
