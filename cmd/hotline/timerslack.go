package main

import (
	"fmt"
	"time"
)

// The timer slack is how late the kernel may wake a thread that sleeps,
// so that it can wake several together. Go's runtime has a monitor thread
// (sysmon) that sleeps 20 µs at a time whenever a goroutine has run lately:
// with the kernel's default slack (50 µs) a service that wakes for every
// burst of call events pays thousands of these short sleeps a second, a
// fifth of Hotline's CPU per call (BENCHMARKS.md, fifth round). A slack of
// 1 ms lets each such sleep last up to a millisecond; nothing in Hotline
// needs its timers to the tenth of a millisecond (pops, SIP probes, SLA
// timers and the call log are measured in milliseconds and seconds).
//
// A thread's slack is set by prctl(PR_SET_TIMERSLACK) for that thread
// only, and threads inherit it when they are created; Go's monitor thread
// is created before any of Hotline's code runs. So serve sets the slack on
// its own thread and executes itself again (the same binary, arguments,
// environment and process id): every thread of the new image starts with
// it. systemd's TimerSlackNSec= does the same from outside, and then no
// second start is needed.

// defaultTimerSlack is HOTLINE_TIMER_SLACK's default.
const defaultTimerSlack = time.Millisecond

// maxTimerSlack bounds the setting: beyond it, timers people notice (the
// console's ticks, the SLA timers' rounds) would start to slip.
const maxTimerSlack = 50 * time.Millisecond

// timerSlackEnv marks the process that executed itself with the slack set,
// so that it never does so twice (a kernel that keeps its own slack for
// real-time threads would otherwise loop).
const timerSlackEnv = "HOTLINE_TIMER_SLACK_SET"

func checkTimerSlack(v string, c *Config) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxTimerSlack {
		return fmt.Errorf("%q: want a duration from 0 (keep the host's) to %v, such as 1ms", v, maxTimerSlack)
	}
	c.TimerSlack = d
	return nil
}
