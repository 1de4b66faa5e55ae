package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/demo"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// benchPBXEnv makes TestBenchPBXChild run: the simulated PBX of
// BenchmarkServeFullStack, in a process of its own so that its CPU is not
// counted as Hotline's.
const benchPBXEnv = "HOTLINE_BENCH_PBX_CHILD"

// benchAgents are the demo data's agents (demo.Seed puts them on PJSIP/1001..1005).
var benchAgents = []string{"1001", "1002", "1003", "1004", "1005"}

// TestBenchPBXChild is the PBX process of BenchmarkServeFullStack: it prints
// its URL, then for each line "calls N RATE SPEED NUMBER..." on stdin places
// N calls at RATE per second (real time) from the given numbers and prints
// "DONE <linkedids> <cpu µs>" (its own CPU over the run).
func TestBenchPBXChild(t *testing.T) {
	if os.Getenv(benchPBXEnv) != "1" {
		t.Skip("the PBX process of BenchmarkServeFullStack")
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var sim *aritest.Server
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[0] != "calls" {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		rate, _ := strconv.ParseFloat(f[2], 64)
		speed, _ := strconv.ParseFloat(f[3], 64)
		if sim == nil {
			sim = aritest.New(aritest.Options{Speed: speed, ChannelVarsLinkedID: true, Agents: benchAgents, Seed: 1})
			defer sim.Close()
			fmt.Printf("PBX %s\n", sim.URL())
			continue // the first line only starts the PBX
		}
		for deadline := time.Now().Add(30 * time.Second); !sim.Connected("hotline") && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond) // Hotline's event stream (after its lease) is open
		}
		before := cpuTime()
		ids := placeBenchCalls(sim, n, rate, f[4:])
		fmt.Printf("DONE %s %d\n", strings.Join(ids, ","), (cpuTime() - before).Microseconds())
	}
}

// placeBenchCalls places n calls, one every 1/rate s, cycling through the
// recorded SIP scenarios (shared/ari/transcripts/sip-*): direct with the
// post-call survey, ring-all queue, abandoned (a missed-call request),
// busy agent, outbound, internal, hold, blind and attended transfer.
func placeBenchCalls(sim *aritest.Server, n int, rate float64, numbers []string) []string {
	ctx := context.Background()
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	gap := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := benchCall(ctx, sim, i, numbers[i%len(numbers)])
			if err == nil && id != "" {
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ids
}

func benchCall(ctx context.Context, sim *aritest.Server, i int, from string) (string, error) {
	s := time.Second
	a, b := benchAgents[i%len(benchAgents)], benchAgents[(i+1)%len(benchAgents)]
	switch i % 9 {
	case 0: // sip-inbound-direct: answers after 2 s, talks 5 s, survey digit 4
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7001", From: from, Agent: a,
			Phones:      map[string]aritest.Phone{a: {AnswerAfter: 2 * s, HangupAfter: 5 * s}},
			SurveyDigit: "4", SurveyDigitAfter: 2 * s, SurveyHangupAfter: 6 * s})
	case 1: // sip-inbound-queue
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7000", From: from, QueueMembers: []string{a, b}, HangupAfter: 4 * s,
			Phones: map[string]aritest.Phone{a: {AnswerAfter: 3 * s}, b: {AnswerAfter: 9 * s}}})
	case 2: // sip-inbound-noanswer: the customer gives up after 6 s
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7002", From: from, Agent: a, AbandonAfter: 6 * s,
			Phones: map[string]aritest.Phone{a: {NeverAnswer: true}}})
	case 3: // sip-inbound-busy
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7001", From: from, Agent: a,
			Phones: map[string]aritest.Phone{a: {Busy: true}}})
	case 4: // sip-outbound
		return sim.OutboundCall(ctx, aritest.Outbound{Agent: a, To: from, HangupAfter: 4 * s, Callee: aritest.Phone{AnswerAfter: s}})
	case 5: // sip-internal
		return sim.InternalCall(ctx, aritest.Internal{From: a, To: b, HangupAfter: 3 * s,
			Phones: map[string]aritest.Phone{b: {AnswerAfter: s}}})
	case 6: // sip-hold
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7001", From: from, Agent: a, HangupAfter: 7 * s,
			Phones: map[string]aritest.Phone{a: {AnswerAfter: 2 * s, HoldAfter: 2 * s, HoldFor: 3 * s}}})
	case 7: // sip-blind-transfer
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7001", From: from, Agent: a, Phones: map[string]aritest.Phone{
			a: {AnswerAfter: 2 * s, BlindTransferTo: b, TransferAfter: 3 * s}, b: {AnswerAfter: 2 * s, HangupAfter: 3 * s}}})
	default: // sip-attended-transfer, then the survey
		return sim.InboundCall(ctx, aritest.Inbound{Exten: "7001", From: from, Agent: a, SurveyHangupAfter: 5 * s,
			Phones: map[string]aritest.Phone{a: {AnswerAfter: s, AttendedTransferTo: b, TransferAfter: 3 * s, ConsultFor: 2 * s},
				b: {AnswerAfter: s, HangupAfter: 3 * s}}})
	}
}

// mallocs is the number of heap allocations this process has made.
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// switches is the number of times this process's threads were switched
// out, voluntarily (to sleep: each wake-up) or not (getrusage).
func switches() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Nvcsw + ru.Nivcsw
}

// cpuTime is this process's CPU time, user + system (getrusage).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envNumber(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil && v > 0 {
		return v
	}
	return def
}

// benchPBX is the PBX child process.
type benchPBX struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func startBenchPBX(b *testing.B, speed float64) (*benchPBX, string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchPBXChild$", "-test.count=1", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), benchPBXEnv+"=1")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &benchPBX{cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 16<<20), 16<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	b.Cleanup(func() { in.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	fmt.Fprintf(in, "calls 0 1 %g x\n", speed)
	url := p.expect(b, "PBX ")
	return p, url
}

// expect returns the rest of the next line that starts with prefix.
func (p *benchPBX) expect(b *testing.B, prefix string) string {
	b.Helper()
	for line := range p.lines {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return rest
		}
	}
	b.Fatalf("the PBX process ended before printing %q", prefix)
	return ""
}

// BenchmarkServeFullStack measures Hotline's whole CPU cost of real calls:
// the service wired exactly as `hotline serve` builds it (tracker, screen
// pop lookup, client timelines, metrics, missed-call requests, deals opened
// from first calls, post-call surveys) on the demo data, fed by the
// simulated PBX in a process of its own, whose events follow the recorded
// SIP streams. It reports Hotline's CPU (getrusage, user + system) per call
// over the run, the PBX process's for comparison, and Hotline's CPU per
// second while idle afterwards. HOTLINE_BENCH_CALLS (default 180),
// HOTLINE_BENCH_RATE (calls/s, default 10), HOTLINE_BENCH_SPEED (virtual
// clock, default 5: the 5 s conversations take 1 s) and
// HOTLINE_BENCH_IDLE (seconds, default 10) change the run;
// HOTLINE_BENCH_WARMUP calls (default 9, one per scenario) run before the
// measurement, and HOTLINE_BENCH_WRITE_DELAY (ms) replaces serve's call-log
// write delay; HOTLINE_BENCH_WITHOUT (a comma list of component names, as
// serve logs them) leaves components out, to tell what each costs.
// PostgreSQL's side is reported beside Hotline's: the CPU of
// its backends, its transactions and the rows written per call and per idle
// second.
func BenchmarkServeFullStack(b *testing.B) {
	calls := int(envNumber("HOTLINE_BENCH_CALLS", 180))
	rate := envNumber("HOTLINE_BENCH_RATE", 10)
	speed := envNumber("HOTLINE_BENCH_SPEED", 5)
	idle := time.Duration(envNumber("HOTLINE_BENCH_IDLE", 10) * float64(time.Second))
	ctx := context.Background()
	dsn := pgtest.NewDSN(b)
	seedBench(ctx, b, dsn)
	st := pgtest.Open(b, dsn, postgres.Options{})
	numbers, _ := demoCallers(ctx, st)
	pbx, url := startBenchPBX(b, speed)

	if v := os.Getenv("HOTLINE_BENCH_WRITE_DELAY"); v != "" {
		ms, _ := strconv.Atoi(v)
		defer func(d time.Duration) { callLogDelay = d }(callLogDelay)
		callLogDelay = time.Duration(ms) * time.Millisecond
	}
	cfg := Config{DatabaseURL: dsn, ARIURL: url, ARIUser: "hotline", ARIPassword: "hotline-secret", ARIApp: "hotline",
		PhoneRegion: "RU", SpoolDir: b.TempDir(), LogLevel: slog.LevelWarn}
	_, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), st)
	defer svc.close()
	if err != nil {
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	without := strings.Split(os.Getenv("HOTLINE_BENCH_WITHOUT"), ",")
	for _, c := range svc.components {
		if slices.Contains(without, c.Name) {
			b.Logf("without %s", c.Name)
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(runCtx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	waitServicesReady(b, svc)
	// Warm-up: one call of each scenario first, so that what happens once
	// in a service's life is not counted per call: the first synthesis of
	// each survey prompt (stored in PostgreSQL, never made again), the
	// statement caches of the pool's connections, the number memo.
	if warm := int(envNumber("HOTLINE_BENCH_WARMUP", 9)); warm > 0 {
		fmt.Fprintf(pbx.in, "calls %d %g %g %s\n", warm, rate, speed, strings.Join(numbers, " "))
		waitLogged(b, st, strings.Split(strings.Fields(pbx.expect(b, "DONE "))[0], ","))
		time.Sleep(time.Second) // the surveys of the warm-up end
	}
	prepareSurveyPrompts(ctx, b, st, svc)

	b.ResetTimer()
	{ // one run of `calls` calls, whatever b.N is
		stopProfile := profile(b, "run")
		stopTrace := traceRun(b, "run")
		statements := resetStatements(b, st)
		pg0 := readPGCounters(b, st)
		start, cpu0, mallocs0, switches0 := time.Now(), cpuTime(), mallocs(), switches()
		fmt.Fprintf(pbx.in, "calls %d %g %g %s\n", calls, rate, speed, strings.Join(numbers, " "))
		done := strings.Fields(pbx.expect(b, "DONE "))
		if len(done) != 2 {
			b.Fatalf("PBX answered %q", done)
		}
		ids := strings.Split(done[0], ",")
		waitLogged(b, st, ids)
		stopTrace()
		cpu, wall, allocs, switched := cpuTime()-cpu0, time.Since(start), mallocs()-mallocs0, switches()-switches0
		pg := readPGCounters(b, st).since(pg0)
		stopProfile()
		pbxCPU, _ := strconv.ParseFloat(done[1], 64)
		n := float64(len(ids))
		b.ReportMetric(float64(cpu.Microseconds())/1000/n, "ms-cpu/call")
		b.ReportMetric(float64(allocs)/n, "allocs/call")
		b.ReportMetric(float64(switched)/n, "switches/call")
		b.ReportMetric(float64(pg.cpu.Microseconds())/1000/n, "pg-ms-cpu/call")
		b.ReportMetric(float64(pg.xacts)/n, "pg-xacts/call")
		b.ReportMetric(float64(pg.rows)/n, "pg-rows-written/call")
		logTableWrites(b, st, pg0, n)
		if statements {
			logStatements(b, st, n)
		}
		b.ReportMetric(pbxCPU/1000/n, "pbx-ms-cpu/call")
		b.ReportMetric(n/wall.Seconds(), "calls/s")
		time.Sleep(time.Second) // the last subscribers settle
		stopProfile = profile(b, "idle")
		stopTrace = traceRun(b, "idle")
		pg0 = readPGCounters(b, st)
		cpu0 = cpuTime()
		time.Sleep(idle)
		stopTrace()
		cpu = cpuTime() - cpu0
		pg = readPGCounters(b, st).since(pg0)
		stopProfile()
		b.ReportMetric(float64(cpu.Microseconds())/1000/idle.Seconds(), "ms-cpu/s-idle")
		b.ReportMetric(float64(pg.cpu.Microseconds())/1000/idle.Seconds(), "pg-ms-cpu/s-idle")
		b.ReportMetric(float64(pg.xacts)/idle.Seconds(), "pg-xacts/s-idle")
	}
}

// prepareSurveyPrompts waits until the audio of every survey text in each
// of its languages is made (serve's "survey prompts" makes it at start;
// Ensure waits for it or makes it): it is made once in a service's life
// (kept in PostgreSQL), not per call. Before serve made the prompts at
// start, a survey call from an English-speaking client in the measured run
// paid the English prompts' synthesis (espeak-ng and the resampling to
// 8 kHz, about 0.1 s of CPU each).
func prepareSurveyPrompts(ctx context.Context, b *testing.B, st *postgres.Services, svc *services) {
	b.Helper()
	if svc.voice == nil {
		return
	}
	surveys, err := st.Surveys.ListSurveys(ctx)
	if err != nil {
		b.Fatal(err)
	}
	made := 0
	for _, sv := range surveys {
		for lang, t := range sv.Texts {
			for _, text := range t.Spoken() {
				if _, err := svc.voice.Ensure(ctx, lang, text); err != nil {
					b.Fatalf("survey %q prompt in %s: %v", sv.Name, lang, err)
				}
				made++
			}
		}
	}
	b.Logf("%d survey prompts ready before the run", made)
}

// seedBench writes the demo data through a pool of its own, closed before
// the run: a backend reports its transactions and rows to pg_stat only
// every few seconds while it idles, so the seed's writes would otherwise
// be counted in the measured run; a backend that exits reports them at once.
func seedBench(ctx context.Context, b *testing.B, dsn string) {
	db, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st := postgres.NewServices(db)
	if _, err := demo.Seed(ctx, st.Clients, demo.Staff{Users: st.Users, Teams: st.Teams}, demo.Options{}); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.SeedFunnel(ctx, demo.FunnelSeedDeps{Users: st.Users, Clients: st.Clients, Funnels: st.Funnel, Deals: st.Funnel}, demo.FunnelOptions{AutoOpenDeals: true}); err != nil {
		b.Fatal(err)
	}
}

// pgCounters are PostgreSQL's work for the benchmark's database: the CPU
// of the backends serving it (/proc/<pid>/stat of every backend connected
// to it at either reading; a backend that both starts and ends between two
// readings is missed), its transactions (pg_stat_database: each statement
// outside a transaction is one) and the rows it inserted, updated or
// deleted. The readings' own queries are a few transactions each.
type pgCounters struct {
	backends map[int]time.Duration
	tables   map[string]int64 // rows written per table
	cpu      time.Duration
	xacts    int64
	rows     int64
}

func readPGCounters(b *testing.B, st *postgres.Services) pgCounters {
	b.Helper()
	ctx := context.Background()
	c := pgCounters{backends: map[int]time.Duration{}, tables: map[string]int64{}}
	// pg_stat_database lags by the stats flush (up to 1 s at commit, less when idle).
	if _, err := st.DB.Pool().Exec(ctx, `SELECT pg_stat_force_next_flush()`); err != nil {
		b.Fatal(err)
	}
	err := st.DB.Pool().QueryRow(ctx, `SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&c.xacts, &c.rows)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := st.DB.Pool().Query(ctx, `SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			b.Fatal(err)
		}
		c.tables[t] = n
	}
	rows, err = st.DB.Pool().Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		b.Fatal(err)
	}
	for _, pid := range pids {
		c.backends[pid] = procCPU(pid)
	}
	return c
}

// logTableWrites logs the rows written per call in each table since old.
func logTableWrites(b *testing.B, st *postgres.Services, old pgCounters, calls float64) {
	now := readPGCounters(b, st)
	var out []string
	for t, n := range now.tables {
		if d := n - old.tables[t]; d > 0 {
			out = append(out, fmt.Sprintf("%s %.2f", t, float64(d)/calls))
		}
	}
	slices.Sort(out)
	b.Logf("rows written per call, by table: %s", strings.Join(out, "; "))
}

// since is c minus an earlier reading: CPU of the backends alive now
// (those born since counted whole), transactions and rows.
func (c pgCounters) since(old pgCounters) pgCounters {
	d := pgCounters{xacts: c.xacts - old.xacts, rows: c.rows - old.rows}
	for pid, cpu := range c.backends {
		d.cpu += cpu - old.backends[pid]
	}
	return d
}

// procCPU is a process's CPU time, user + system, from /proc/<pid>/stat (0
// when it is gone).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)        // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)        // stime, field 15
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// waitReady waits until every readiness check of the service passes (the
// ARI check: the event stream is open).
func waitServicesReady(b *testing.B, svc *services) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range svc.checks {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := c.Func(ctx)
			cancel()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("check %s never passed: %v", c.Name, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// waitLogged waits until every call of ids is in the call log, ended.
func waitLogged(b *testing.B, st *postgres.Services, ids []string) {
	b.Helper()
	deadline := time.Now().Add(time.Duration(envNumber("HOTLINE_BENCH_WAIT", 60)) * time.Second)
	for {
		var n int
		err := st.DB.Pool().QueryRow(context.Background(),
			`select count(*) from calls where linkedid = any($1) and ended_at is not null`, ids).Scan(&n)
		if err == nil && n >= len(ids) {
			return
		}
		if time.Now().After(deadline) {
			rows, _ := st.DB.Pool().Query(context.Background(),
				`select linkedid, coalesce(ended_at::text, 'open'), outcome from calls where linkedid = any($1) and ended_at is null`, ids)
			var open []string
			for rows != nil && rows.Next() {
				var l, e, o string
				_ = rows.Scan(&l, &e, &o)
				open = append(open, l+" "+e+" "+o)
			}
			var logged []string
			_ = st.DB.Pool().QueryRow(context.Background(), `select array_agg(linkedid) from calls where linkedid = any($1)`, ids).Scan(&logged)
			var missing []string
			for _, id := range ids {
				if !slices.Contains(logged, id) {
					missing = append(missing, id)
				}
			}
			var all []string
			_ = st.DB.Pool().QueryRow(context.Background(), `select array_agg(linkedid || ' ' || direction || ' ' || outcome || ' ' || caller || ' ' || callee order by started_at) from calls`).Scan(&all)
			b.Fatalf("%d of %d calls logged (%v); open: %v; missing: %v\nall: %q", n, len(ids), err, open, missing, all)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// profile writes a CPU profile of one phase to $HOTLINE_BENCH_PROFILE-<phase>.pprof
// when HOTLINE_BENCH_PROFILE is set; the returned func stops it.
func profile(b *testing.B, phase string) func() {
	base := os.Getenv("HOTLINE_BENCH_PROFILE")
	if base == "" {
		return func() {}
	}
	f, err := os.Create(base + "-" + phase + ".pprof")
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// resetStatements empties pg_stat_statements when PostgreSQL has it loaded
// (shared_preload_libraries), so that logStatements can say which
// statements the measured calls ran; it reports whether it did.
func resetStatements(b *testing.B, st *postgres.Services) bool {
	ctx := context.Background()
	if _, err := st.DB.Pool().Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return false
	}
	_, err := st.DB.Pool().Exec(ctx, `SELECT pg_stat_statements_reset()`)
	return err == nil
}

// logStatements logs the statements this database ran since
// resetStatements, most frequent first, as runs per call.
func logStatements(b *testing.B, st *postgres.Services, calls float64) {
	rows, err := st.DB.Pool().Query(context.Background(), `SELECT calls, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY calls DESC LIMIT 40`)
	if err != nil {
		b.Logf("pg_stat_statements: %v", err)
		return
	}
	var out []string
	for rows.Next() {
		var n int64
		var ms float64
		var q string
		if err := rows.Scan(&n, &ms, &q); err != nil {
			b.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%6.2f/call %6.3f ms/call  %s", float64(n)/calls, ms/float64(n)*float64(n)/calls, q))
	}
	b.Logf("statements per call (pg_stat_statements):\n%s", strings.Join(out, "\n"))
}

// BenchmarkARIStreamFloor is the floor of BenchmarkServeFullStack: the same
// PBX process places the same calls, and this process only receives their
// events (the same event filter as serve) and throws them away. Its CPU per
// call is what merely waking up for each event costs on this machine, so
// that the full stack's figure can be read as a ratio to it.
func BenchmarkARIStreamFloor(b *testing.B) {
	calls := int(envNumber("HOTLINE_BENCH_CALLS", 180))
	rate := envNumber("HOTLINE_BENCH_RATE", 10)
	speed := envNumber("HOTLINE_BENCH_SPEED", 5)
	pbx, url := startBenchPBX(b, speed)
	c, err := ari.NewClient(ari.Config{URL: url, User: "hotline", Password: "hotline-secret", App: "hotline", EventFilter: eventFilter()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var frames atomic.Int64
	wg.Add(1)
	go func() { defer wg.Done(); _ = c.Run(ctx, func(ari.Message) { frames.Add(1) }) }()
	defer func() { cancel(); wg.Wait() }()
	numbers := []string{"+74951234567", "+79161234567", "+78121234567"}
	if warm := int(envNumber("HOTLINE_BENCH_WARMUP", 9)); warm > 0 {
		fmt.Fprintf(pbx.in, "calls %d %g %g %s\n", warm, rate, speed, strings.Join(numbers, " "))
		pbx.expect(b, "DONE ")
		time.Sleep(2 * time.Second) // the surveys of the warm-up end
	}
	b.ResetTimer()
	frames0, cpu0, switches0 := frames.Load(), cpuTime(), switches()
	fmt.Fprintf(pbx.in, "calls %d %g %g %s\n", calls, rate, speed, strings.Join(numbers, " "))
	done := strings.Fields(pbx.expect(b, "DONE "))
	time.Sleep(2 * time.Second) // the last surveys end, as the full stack waits for the log
	n := float64(len(strings.Split(done[0], ",")))
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/n, "ms-cpu/call")
	b.ReportMetric(float64(frames.Load()-frames0)/n, "events/call")
	b.ReportMetric(float64(switches()-switches0)/n, "switches/call")
	// Idle: the event socket open, nothing else (as the full stack measures it).
	idle := time.Duration(envNumber("HOTLINE_BENCH_IDLE", 10) * float64(time.Second))
	time.Sleep(time.Second)
	cpu0 = cpuTime()
	time.Sleep(idle)
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/idle.Seconds(), "ms-cpu/s-idle")
}

// traceRun writes an execution trace of one phase to
// $HOTLINE_BENCH_TRACE-<phase>.trace when HOTLINE_BENCH_TRACE is set (go
// tool trace): which goroutines wake up, how often; the returned func
// stops it.
func traceRun(b *testing.B, phase string) func() {
	base := os.Getenv("HOTLINE_BENCH_TRACE")
	if base == "" {
		return func() {}
	}
	f, err := os.Create(base + "-" + phase + ".trace")
	if err != nil {
		b.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		b.Fatal(err)
	}
	return func() { trace.Stop(); f.Close() }
}
