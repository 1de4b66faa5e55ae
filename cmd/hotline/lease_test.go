package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres/pgtest"
	"hotline/telephony/ari/aritest"
)

// childEnv makes the test binary run `hotline <args>` instead of the tests,
// so that the HA test can start real serve processes and SIGKILL them.
const childEnv = "HOTLINE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	if slackChildMain() {
		os.Exit(0)
	}
	// The tests and benchmarks run serve's wiring in this process: with
	// the timer slack serve gives itself (it may start the binary again).
	if err := applyTimerSlack(defaultTimerSlack); err != nil {
		fmt.Fprintln(os.Stderr, "tests run with the host's timer slack:", err)
	}
	os.Exit(m.Run())
}

// replica is one `hotline serve` process.
type replica struct {
	cmd *exec.Cmd
	log *syncBuffer
}

func startReplica(t *testing.T, name string, vars map[string]string) *replica {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "HOTLINE_SPOOL_DIR="+filepath.Join(t.TempDir(), name), "HOTLINE_METRICS_ADDR=127.0.0.1:0")
	return runReplica(t, cmd)
}

func runReplica(t *testing.T, cmd *exec.Cmd) *replica {
	t.Helper()
	r := &replica{cmd: cmd, log: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return r
}

// restart starts the replica again, killed, with the same settings and
// spool directory, as Kubernetes restarts a StatefulSet's pod on its
// volume.
func (r *replica) restart(t *testing.T) *replica {
	t.Helper()
	_ = r.cmd.Wait()
	cmd := exec.Command(r.cmd.Path, r.cmd.Args[1:]...)
	cmd.Env = r.cmd.Env
	return runReplica(t, cmd)
}

// url is the base URL the replica printed when it started listening.
func (r *replica) url(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`running on (http://\S+)`).FindStringSubmatch(r.log.String())
	if m == nil {
		t.Fatalf("replica printed no URL:\n%s", r.log)
	}
	return m[1]
}

// readyz returns the status of the replica's /readyz.
func (r *replica) readyz(t *testing.T) int {
	t.Helper()
	res, err := http.Get(r.url(t) + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func (r *replica) owns() bool { return strings.Contains(r.log.String(), `"msg":"lease: acquired"`) }

// streams reports whether the replica holds the lease and has connected
// the node's event stream (it waits Settle after taking the lock first).
func (r *replica) streams() bool {
	return r.owns() && strings.Contains(r.log.String(), `"msg":"ARI event socket connected"`)
}

// TestTwoReplicasFailOver runs two serve processes against one database,
// one Redis and one simulated Asterisk, SIGKILLs the one that owns the
// event stream while calls are in progress, and checks that the other
// takes over within five seconds, that every call is logged exactly once,
// ended, and that pops keep arriving: on the console of an agent signed in
// on the survivor (published by the owner through Redis before the kill,
// by the survivor after), and on the console of an agent signed in on the
// replica that dies, which reconnects to the survivor, gets its live pops
// replayed and the new ones after. No watched call is lost: calls in
// progress at the kill reach "ended" on the console, calls placed while no
// replica had the stream pop when the survivor adopts them. The killed
// replica is then restarted on its own spool directory, as Kubernetes
// restarts a StatefulSet's pod on its volume: it replays what it had not
// written (calls that existed only in its spool, over before the survivor
// connected), the survivor adopts the ones it leaves open, and every call
// is logged exactly once, ended.
func TestTwoReplicasFailOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two serve processes")
	}
	dsn := pgtest.NewDSN(t)
	agents := []string{"2001", "2002", "2003", "2004", "2005", "2006"}
	watched := newHAAgents(t, dsn, "2001", "2002") // on the survivor; on the replica killed
	sim := aritest.New(aritest.Options{ChannelVarsLinkedID: true, Agents: agents, Speed: 1})
	defer sim.Close()
	vars := map[string]string{
		"HOTLINE_DATABASE_URL": dsn, "HOTLINE_HTTP_ADDR": "127.0.0.1:0", "HOTLINE_LOG_LEVEL": "info",
		"HOTLINE_ARI_URL": sim.URL(), "HOTLINE_ARI_USER": "hotline", "HOTLINE_ARI_PASSWORD": "hotline-secret",
		"HOTLINE_REDIS_URL": haRedisURL,
	}
	reps := []*replica{startReplica(t, "a", vars), startReplica(t, "b", vars)}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica a:\n%s\nreplica b:\n%s", reps[0].log, reps[1].log)
		}
	})
	waitFor(t, 30*time.Second, "a replica to own the node", func() bool { return reps[0].owns() || reps[1].owns() })
	owner, standby := reps[0], reps[1]
	if standby.owns() {
		owner, standby = standby, owner
	}
	time.Sleep(time.Second)
	if standby.owns() {
		t.Fatal("both replicas acquired the lease")
	}
	// the owner connects the event stream Settle after taking the lock,
	// which may be later than the second waited above
	waitFor(t, 10*time.Second, "the owner to connect the event stream", owner.streams)
	for name, r := range map[string]*replica{"owner": owner, "standby": standby} {
		if code := r.readyz(t); code != http.StatusOK {
			t.Fatalf("%s /readyz: %d, want 200 (a standby serves HTTP)", name, code)
		}
	}
	onSurvivor := openConsole(t, standby.url(t), watched[0])
	onVictim := openConsole(t, owner.url(t), watched[1])

	// Traffic: each agent takes a stream of customer calls that last
	// longer than a take-over, so every call is seen by one owner or the
	// other; the two watched agents take shorter calls, for more pops.
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	var placed []string
	var calls []haCall
	var wg sync.WaitGroup
	// place makes a customer call to resource and records it (as a watched
	// call of login, if set) once it is over.
	place := func(from, resource, login string, phone aritest.Phone) error {
		start := time.Now()
		id, err := sim.InboundCall(context.Background(), aritest.Inbound{
			From: from, Name: "Load", Exten: "7002", Agent: resource,
			Phones: map[string]aritest.Phone{resource: phone},
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		placed = append(placed, id)
		if login != "" {
			calls = append(calls, haCall{id: id, agent: login, start: start, end: time.Now()})
		}
		return nil
	}
	for i, a := range agents {
		phone := aritest.Phone{AnswerAfter: 300 * time.Millisecond, HangupAfter: 6 * time.Second}
		login := ""
		if i < len(watched) {
			phone.HangupAfter, login = 1500*time.Millisecond, watched[i].login
		}
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				if err := place(fmt.Sprintf("+7495%07d", i*1000+n), a, login, phone); err != nil {
					t.Errorf("call: %v", err)
					return
				}
			}
		})
	}
	time.Sleep(3 * time.Second) // calls in progress
	// One call per watched agent that is talking at the kill and ends after
	// any take-over within 5 s: the survivor resumes it from the call log
	// and must end the card the killed owner popped.
	for i := range watched {
		wg.Go(func() {
			p := aritest.Phone{AnswerAfter: 300 * time.Millisecond, HangupAfter: 5 * time.Second}
			if err := place(fmt.Sprintf("+7495%07d", i*1000+998), watched[i].resource, watched[i].login, p); err != nil {
				t.Errorf("call over the kill: %v", err)
			}
		})
	}
	time.Sleep(time.Second)
	killed := time.Now()
	if err := owner.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// While no replica has the stream (the survivor takes the lease, then
	// waits a second), each watched agent gets one more call: the first
	// agent's phone still rings when the survivor connects, the second's
	// has answered; both last past any take-over within 5 s, so they are
	// adopted at reconciliation and must pop.
	time.Sleep(300 * time.Millisecond)
	for i, p := range []aritest.Phone{
		{AnswerAfter: 3 * time.Second, HangupAfter: 3 * time.Second},
		{AnswerAfter: 300 * time.Millisecond, HangupAfter: 6 * time.Second},
	} {
		wg.Go(func() {
			if err := place(fmt.Sprintf("+7495%07d", i*1000+999), watched[i].resource, watched[i].login, p); err != nil {
				t.Errorf("call during the take-over: %v", err)
			}
		})
	}
	waitFor(t, 5*time.Second, "the standby to take over within 5 s", standby.owns)
	leased := time.Now()
	waitFor(t, 5*time.Second-leased.Sub(killed), "the standby's event stream within 5 s", standby.streams)
	tookOver := time.Now()
	t.Logf("take-over after SIGKILL: lease %v, event stream connected %v", leased.Sub(killed), tookOver.Sub(killed))
	reconnected := onVictim.reconnect(standby.url(t))
	t.Logf("the killed replica's console reconnected to the survivor %v after SIGKILL", reconnected.Sub(killed))
	// The killed replica comes back on its spool: what it had not written
	// yet (calls over before the survivor connected) is replayed, and the
	// owner adopts the calls it leaves open.
	restarted := owner.restart(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica restarted on the killed one's spool:\n%s", restarted.log)
		}
	})
	time.Sleep(8 * time.Second) // more calls under the new owner
	if restarted.owns() {
		t.Error("the restarted replica took the lease the survivor holds")
	}
	stop()
	wg.Wait()
	if !sim.WaitIdle(30 * time.Second) {
		t.Fatal("the simulated PBX did not go idle")
	}
	if len(placed) < len(agents)*2 {
		t.Fatalf("only %d calls placed", len(placed))
	}
	checkLoggedOnce(t, dsn, placed)
	checkPopsAcrossFailOver(t, calls, killed, tookOver, onSurvivor, onVictim)
}

// Phases of a watched call relative to the fail-over.
const (
	endedBeforeKill = "ended before the kill"
	liveAtKill      = "in progress at the kill"
	duringTakeOver  = "placed during the take-over"
	afterTakeOver   = "placed after the take-over"
)

func (c haCall) phase(killed, tookOver time.Time) string {
	switch {
	case c.end.Before(killed):
		return endedBeforeKill
	case c.start.Before(killed):
		return liveAtKill
	case c.start.Before(tookOver):
		return duringTakeOver
	}
	return afterTakeOver
}

// checkPopsAcrossFailOver checks the watched agents' consoles: every call
// popped on its agent's console and reached "ended" there, whether it ended
// before the kill, was in progress at the kill (the survivor takes its pops
// over from Redis), was placed while no replica had the stream (adopted at
// reconciliation) or after the take-over; and the console on the killed
// replica got, after reconnecting to the survivor, every pop it had seen
// replayed at its latest state or newer. It logs how soon the calls of the
// take-over popped and ended, and the gap in pops.
func checkPopsAcrossFailOver(t *testing.T, calls []haCall, killed, tookOver time.Time, consoles ...*haConsole) {
	t.Helper()
	byAgent := map[string]*haConsole{}
	for _, c := range consoles {
		byAgent[c.agent.login] = c
	}
	var problems []string
	count := map[string]int{}
	deadline := time.Now().Add(5 * time.Second)
	for {
		problems = problems[:0]
		clear(count)
		for _, call := range calls {
			phase := call.phase(killed, tookOver)
			count[phase]++
			f, ok := latest(byAgent[call.agent].snapshot(), -1)[call.id]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("call %s (%s: dialled %v after the kill, hung up %v after) never popped on %s's console",
					call.id, phase, call.start.Sub(killed).Round(time.Millisecond), call.end.Sub(killed).Round(time.Millisecond), call.agent))
			case f.State != "ended":
				problems = append(problems, fmt.Sprintf("call %s (%s) is %q on %s's console, want ended", call.id, phase, f.State, call.agent))
			}
		}
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if count[endedBeforeKill] == 0 || count[liveAtKill] < len(consoles) || count[duringTakeOver] < len(consoles) || count[afterTakeOver] < 2*len(consoles) {
		t.Fatalf("too few watched calls to judge: %v", count)
	}
	if len(problems) > 0 {
		t.Fatalf("pops lost across the fail-over:\n%s", strings.Join(problems, "\n"))
	}
	t.Logf("every watched call popped and ended on its agent's console: %v", count)
	for _, call := range calls {
		phase := call.phase(killed, tookOver)
		if phase != liveAtKill && phase != duringTakeOver {
			continue
		}
		var first, ended time.Time
		for _, f := range byAgent[call.agent].snapshot() {
			if f.CallID != call.id {
				continue
			}
			if first.IsZero() {
				first = f.at
			}
			if f.State == "ended" && ended.IsZero() {
				ended = f.at
			}
		}
		t.Logf("%s: call %s dialled %v after the kill, hung up %v after the take-over: first pop %v after the kill (%v after the take-over), ended on the console %v after the hang-up",
			phase, call.id, call.start.Sub(killed).Round(time.Millisecond), call.end.Sub(tookOver).Round(time.Millisecond),
			first.Sub(killed).Round(time.Millisecond), first.Sub(tookOver).Round(time.Millisecond), ended.Sub(call.end).Round(time.Millisecond))
	}
	newCalls := map[string]bool{}
	for _, call := range calls {
		if call.start.After(killed) {
			newCalls[call.id] = true
		}
	}
	for _, c := range consoles {
		frames := c.snapshot()
		if c.conns > 1 {
			replayed := latest(frames, 1)
			for id, f := range latest(frames, 0) {
				if r, ok := replayed[id]; !ok || r.Seq < f.Seq {
					t.Errorf("%s reconnected: the pop of call %s (seq %d, %s) was not replayed", c.agent.login, id, f.Seq, f.State)
				}
			}
			t.Logf("%s: %d pops seen on the killed replica, all replayed on the survivor", c.agent.login, len(latest(frames, 0)))
		}
		var last, next time.Time
		for _, f := range frames {
			if f.at.Before(killed) {
				last = f.at
			} else if next.IsZero() && newCalls[f.CallID] {
				next = f.at
			}
		}
		t.Logf("%s: pop gap %v (last pop before the SIGKILL to the first pop of a call placed after it; %v of it after the kill)",
			c.agent.login, next.Sub(last).Round(time.Millisecond), next.Sub(killed).Round(time.Millisecond))
	}
}

// checkLoggedOnce waits until every placed call (by its first channel's id,
// the linkedid) has exactly one ended row in calls, and no other row exists.
func checkLoggedOnce(t *testing.T, dsn string, placed []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var problems []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		problems = problems[:0]
		got := map[string]int{}
		ended := map[string]bool{}
		rows, err := conn.Query(ctx, `SELECT linkedid, ended_at IS NOT NULL FROM calls WHERE merged_into IS NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var done bool
			if err := rows.Scan(&id, &done); err != nil {
				t.Fatal(err)
			}
			got[id]++
			ended[id] = done
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, id := range placed {
			switch {
			case got[id] != 1:
				problems = append(problems, fmt.Sprintf("call %s logged %d times", id, got[id]))
			case !ended[id]:
				problems = append(problems, fmt.Sprintf("call %s not ended", id))
			}
			delete(got, id)
		}
		for id := range got {
			problems = append(problems, fmt.Sprintf("unexpected call row %s", id))
		}
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(problems) > 0 {
		t.Fatalf("%d of %d calls wrong:\n%s", len(problems), len(placed), strings.Join(problems, "\n"))
	}
	t.Logf("%d calls, each logged exactly once", len(placed))
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
