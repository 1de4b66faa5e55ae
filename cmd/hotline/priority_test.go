package main

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"hotline/crm"
)

func TestNextReclassify(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"before three: today", time.Date(2026, 12, 7, 1, 0, 0, 0, msk), time.Date(2026, 12, 7, 3, 0, 0, 0, msk)},
		{"at three: tomorrow", time.Date(2026, 12, 7, 3, 0, 0, 0, msk), time.Date(2026, 12, 8, 3, 0, 0, 0, msk)},
		{"evening: tomorrow", time.Date(2026, 12, 31, 22, 0, 0, 0, msk), time.Date(2027, 1, 1, 3, 0, 0, 0, msk)},
		{"UTC clock, centre's zone", time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 8, 3, 0, 0, 0, msk)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextReclassify(tc.now, msk); !got.Equal(tc.want) {
				t.Errorf("next after %v = %v, want %v", tc.now, got, tc.want)
			}
		})
	}
}

// countingPriority counts reclassifications.
type countingPriority struct {
	crm.PriorityService
	runs atomic.Int32
}

func (c *countingPriority) Reclassify(context.Context) (int, error) { c.runs.Add(1); return 2, nil }

func TestNightlyReclassifyWaitsForThree(t *testing.T) {
	now := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	waits := make(chan time.Duration, 4)
	svc := &countingPriority{}
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	comp := nightlyReclassify(svc, time.UTC, slog.New(slog.NewTextHandler(io.Discard, nil)), nightlyOptions{
		Now: func() time.Time { return now },
		After: func(d time.Duration) <-chan time.Time {
			waits <- d
			ch := make(chan time.Time, 1)
			if calls.Add(1) == 1 {
				ch <- now.Add(d) // the first night comes at once
			}
			return ch
		},
	})
	done := make(chan error)
	go func() { done <- comp.Run(ctx) }()
	if d := <-waits; d != 7*time.Hour {
		t.Fatalf("first wait %v, want 7h until 03:00", d)
	}
	<-waits // the second night: runs once before it
	cancel()
	if err := <-done; err != nil || svc.runs.Load() != 1 {
		t.Fatalf("run: %v, reclassified %d times", err, svc.runs.Load())
	}
}
