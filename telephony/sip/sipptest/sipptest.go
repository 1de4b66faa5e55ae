// Package sipptest runs SIPp (Debian's sip-tester package) as an
// independent SIP peer for interoperability tests of telephony/sip: the
// scenarios it embeds behave like an Asterisk trunk answering, rejecting or
// ignoring a call, and like a phone answering SIP OPTIONS. RTPSink receives
// the media that a scenario's SDP points at and decodes RFC 4733 events.
package sipptest

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hotline/internal/testneed"
)

//go:embed scenarios/*.xml
var scenarios embed.FS

// Options say which scenario SIPp runs and how.
type Options struct {
	// Scenario names an embedded scenario (scenarios/NAME.xml): answer,
	// reject, noanswer or options.
	Scenario string
	// Calls is how many calls (or OPTIONS transactions) SIPp handles before
	// it exits (-m, default 1).
	Calls int
	// Status replaces [status] in the scenario before SIPp loads it (SIPp
	// checks the status lines it sends at load time, so -key cannot set
	// them), e.g. "486 Busy Here" for reject, "200 OK" for options.
	Status string
	// Keys set the scenario's other [keyword]s (-key), e.g. rtp_ip and
	// rtp_port of answer.
	Keys map[string]string
	// Timeout ends SIPp with a failure (-timeout, default 15 s).
	Timeout time.Duration
}

// SIPp is a running SIPp user agent server on 127.0.0.1.
type SIPp struct {
	// Port is the UDP port SIPp listens on for SIP.
	Port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // the exit error, valid once done is closed
}

// Start runs SIPp as a UAS with opts on a free loopback port, waits until
// it listens, and kills it when the test ends. A missing sipp binary fails
// the test under `make test` (testneed), and skips it when run alone.
func Start(tb testing.TB, opts Options) *SIPp {
	tb.Helper()
	bin := testneed.Tool(tb, "sipp", "sip-tester")
	xml, err := scenarios.ReadFile("scenarios/" + opts.Scenario + ".xml")
	if err != nil {
		tb.Fatalf("sipptest: scenario %q: %v", opts.Scenario, err)
	}
	if bytes.Contains(xml, []byte("[status]")) {
		if opts.Status == "" {
			tb.Fatalf("sipptest: scenario %q needs Options.Status", opts.Scenario)
		}
		xml = bytes.ReplaceAll(xml, []byte("[status]"), []byte(opts.Status))
	}
	dir := tb.TempDir()
	sf := filepath.Join(dir, opts.Scenario+".xml")
	if err := os.WriteFile(sf, xml, 0o600); err != nil {
		tb.Fatal(err)
	}
	if opts.Calls <= 0 {
		opts.Calls = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	s := &SIPp{Port: FreeUDPPort(tb), dir: dir, done: make(chan struct{})}
	args := []string{
		"-sf", sf, "-i", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-bind_local",
		"-m", strconv.Itoa(opts.Calls), "-nostdin",
		"-timeout", fmt.Sprintf("%dms", opts.Timeout.Milliseconds()), "-timeout_error",
		// The control and media ports SIPp opens besides SIP.
		"-cp", strconv.Itoa(FreeUDPPort(tb)), "-mp", strconv.Itoa(freeMediaPort(tb)),
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
		"-trace_logs", "-log_file", filepath.Join(dir, "logs.log"),
		"-trace_screen", "-screen_file", filepath.Join(dir, "screen.log"),
	}
	keys := make([]string, 0, len(opts.Keys))
	for k := range opts.Keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-key", k, opts.Keys[k])
	}
	out, err := os.Create(filepath.Join(dir, "output.log"))
	if err != nil {
		tb.Fatal(err)
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir, s.cmd.Stdout, s.cmd.Stderr = dir, out, out
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("sipptest: start sipp: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		_ = out.Close()
		close(s.done)
	}()
	tb.Cleanup(func() {
		_ = s.cmd.Process.Kill() // by its own pid; harmless once it exited
		<-s.done
	})
	if err := s.waitListening(5 * time.Second); err != nil {
		tb.Fatalf("sipptest: %v\n%s", err, s.Logs())
	}
	return s
}

// URI is the SIP URI of user at this SIPp, e.g. sip:7001@127.0.0.1:PORT.
func (s *SIPp) URI(user string) string {
	if user == "" {
		return "sip:127.0.0.1:" + strconv.Itoa(s.Port)
	}
	return "sip:" + user + "@127.0.0.1:" + strconv.Itoa(s.Port)
}

// Wait waits at most d for SIPp to exit after its calls and returns an
// error carrying SIPp's logs unless every call passed the scenario
// (exit status 0).
func (s *SIPp) Wait(d time.Duration) error {
	select {
	case <-s.done:
	case <-time.After(d):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("sipp still running after %v (killed)\n%s", d, s.Logs())
	}
	if s.err != nil {
		var ee *exec.ExitError
		if errors.As(s.err, &ee) {
			return fmt.Errorf("sipp exited with status %d (%s)\n%s", ee.ExitCode(), exitMeaning(ee.ExitCode()), s.Logs())
		}
		return fmt.Errorf("sipp: %w\n%s", s.err, s.Logs())
	}
	return nil
}

// exitMeaning explains SIPp's exit statuses (sipp(1)).
func exitMeaning(code int) string {
	switch code {
	case 1:
		return "at least one call failed the scenario"
	case 97:
		return "exit on internal command"
	case 99:
		return "normal exit without calls processed"
	case 253, 255:
		return "fatal error"
	case 254:
		return "fatal error binding a socket"
	}
	return "unknown"
}

// Log returns the lines SIPp's <log> actions wrote so far.
func (s *SIPp) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "logs.log"))
	return string(b)
}

// Logs returns SIPp's error, message, log-action and screen traces, for a
// failure message.
func (s *SIPp) Logs() string {
	var b strings.Builder
	for _, name := range []string{"output.log", "errors.log", "logs.log", "messages.log", "screen.log"} {
		data, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil || len(strings.TrimSpace(string(data))) == 0 {
			continue
		}
		const most = 12000
		if len(data) > most {
			data = append([]byte("…"), data[len(data)-most:]...)
		}
		fmt.Fprintf(&b, "--- sipp %s ---\n%s\n", name, data)
	}
	return b.String()
}

// waitListening waits until SIPp's SIP socket is bound, read from
// /proc/net/udp so that probing does not take the port from SIPp.
func (s *SIPp) waitListening(d time.Duration) error {
	want := fmt.Sprintf("0100007F:%04X", s.Port)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("sipp exited at start: %v", s.err)
		default:
		}
		f, err := os.Open("/proc/net/udp")
		if err != nil {
			return fmt.Errorf("read /proc/net/udp: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) > 1 && fields[1] == want {
				_ = f.Close()
				return nil
			}
		}
		_ = f.Close()
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("sipp did not listen on 127.0.0.1:%d within %v", s.Port, d)
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(tb testing.TB) int {
	tb.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// freeMediaPort returns a port P such that P and P+2 (SIPp's audio and
// video echo sockets) are free.
func freeMediaPort(tb testing.TB) int {
	tb.Helper()
	for range 20 {
		p := FreeUDPPort(tb)
		c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p+2))
		if err == nil {
			_ = c.Close()
			return p
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			tb.Fatal(err)
		}
	}
	tb.Fatal("sipptest: no free media port pair")
	return 0
}
