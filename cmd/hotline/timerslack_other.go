//go:build !linux

package main

import "time"

// applyTimerSlack does nothing where the timer slack is Linux's alone.
func applyTimerSlack(time.Duration) error { return nil }
