//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// slackChildEnv makes the test binary apply the timer slack it names and
// print what its threads then have (TestTimerSlackStartsAgain).
const slackChildEnv = "HOTLINE_TEST_SLACK_CHILD"

// slackChildMain runs slackChild when the test binary was started as one
// (HOTLINE_TEST_SLACK_CHILD) and reports whether it did.
func slackChildMain() bool {
	v := os.Getenv(slackChildEnv)
	if v != "" {
		slackChild(v)
	}
	return v != ""
}

// slackChild applies want, then prints the process id, whether it was
// started again, the slack of the main thread (/proc/self/timerslack_ns)
// and the smallest slack of eight threads the runtime made before.
func slackChild(v string) {
	want, err := time.ParseDuration(v)
	if err != nil {
		fmt.Println("bad duration", v)
		return
	}
	if err := applyTimerSlack(want); err != nil {
		fmt.Println("error", err)
		return
	}
	main, _ := os.ReadFile("/proc/self/timerslack_ns")
	fmt.Printf("pid %d again %q main %s least %d\n", os.Getpid(), os.Getenv(timerSlackEnv), strings.TrimSpace(string(main)), leastThreadSlack(8))
}

// leastThreadSlack reads the timer slack on n threads at once (each
// goroutine locked to a thread of its own) and returns the smallest.
func leastThreadSlack(n int) uintptr {
	var mu sync.Mutex
	var wg sync.WaitGroup
	least := ^uintptr(0)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			runtime.LockOSThread() // held to the end: no two goroutines share a thread
			<-start
			v, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerSlack, 0, 0)
			mu.Lock()
			least = min(least, v)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return least
}

// TestTimerSlackStartsAgain: a process whose threads have less slack than
// HOTLINE_TIMER_SLACK sets it and executes itself again, once, under the
// same process id; afterwards the main thread and every thread the runtime
// starts have it. One that already has it is not started again.
func TestTimerSlackStartsAgain(t *testing.T) {
	run := func(want string, slack time.Duration) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), slackChildEnv+"="+want)
		cmd.Env = removeEnv(cmd.Env, timerSlackEnv)
		out, err := startWithSlack(cmd, slack)
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		f := strings.Fields(out)
		if len(f) != 8 || f[0] != "pid" || f[1] != strconv.Itoa(cmd.Process.Pid) {
			t.Fatalf("child printed %q, want its own pid %d first", out, cmd.Process.Pid)
		}
		return out
	}
	// from the kernel's default (50 µs) to 3 ms: started again
	out := run("3ms", 50*time.Microsecond)
	if f := strings.Fields(out); f[3] != `"1"` || f[5] != "3000000" || f[7] != "3000000" {
		t.Fatalf("child printed %q, want started again with 3000000 ns on the main thread and on every thread", out)
	}
	// already 5 ms, asked for 2 ms: left alone, not started again
	out = run("2ms", 5*time.Millisecond)
	if f := strings.Fields(out); f[3] != `""` || f[5] != "5000000" || f[7] != "5000000" {
		t.Fatalf("child printed %q, want not started again, 5000000 ns kept", out)
	}
}

// startWithSlack runs cmd from a thread whose timer slack is slack (a child
// inherits its parent thread's) and returns its output.
func startWithSlack(cmd *exec.Cmd, slack time.Duration) (string, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerSlack, 0, 0)
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, uintptr(slack.Nanoseconds()), 0); errno != 0 {
		return "", errno
	}
	defer syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, old, 0)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func removeEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// TestTimerSlackSetting: HOTLINE_TIMER_SLACK takes a duration from 0 to
// 50 ms; anything else stops start-up with the variable named.
func TestTimerSlackSetting(t *testing.T) {
	for v, want := range map[string]time.Duration{"0": 0, "1ms": time.Millisecond, "250us": 250 * time.Microsecond, "50ms": 50 * time.Millisecond} {
		var c Config
		if err := checkTimerSlack(v, &c); err != nil || c.TimerSlack != want {
			t.Errorf("%q: %v, %v; want %v", v, c.TimerSlack, err, want)
		}
	}
	for _, v := range []string{"", "1", "-1ms", "51ms", "soon"} {
		if err := checkTimerSlack(v, &Config{}); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}
