//go:build linux

package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

const (
	prSetTimerSlack = 29 // PR_SET_TIMERSLACK
	prGetTimerSlack = 30 // PR_GET_TIMERSLACK
)

// applyTimerSlack makes want the timer slack of every thread of this
// process (see timerslack.go): when the threads have less, it sets want on
// this thread and executes the program again, which does not return. It
// returns nil when nothing needs doing (want 0, or the slack already at
// least want) and an error when the slack cannot be applied; the caller
// runs on with the host's slack then.
func applyTimerSlack(want time.Duration) error {
	if want <= 0 {
		return nil
	}
	cur, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerSlack, 0, 0)
	if errno != 0 {
		return fmt.Errorf("read the timer slack: %w", errno)
	}
	if time.Duration(cur) >= want {
		return nil
	}
	if os.Getenv(timerSlackEnv) != "" {
		return fmt.Errorf("the timer slack is %v after setting %v (a real-time scheduling policy keeps its own)", time.Duration(cur), want)
	}
	runtime.LockOSThread() // the prctl and the exec on one thread: the new image's only thread is this one
	defer runtime.UnlockOSThread()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, uintptr(want.Nanoseconds()), 0); errno != 0 {
		return fmt.Errorf("set the timer slack to %v: %w", want, errno)
	}
	// /proc/self/exe is this very binary even if a newer one replaced it on disk.
	err := syscall.Exec("/proc/self/exe", os.Args, append(os.Environ(), timerSlackEnv+"=1"))
	return fmt.Errorf("start again with the timer slack set: %w", err)
}
