package telephony_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest/transcripts"
	"hotline/telephony/spool"
)

// benchStream is the recorded sip-* calls (with channelvars), one frame
// per event, with the offsets of every channel id's 10-digit epoch so that
// each replay gets fresh ids by patching digits in place.
type benchStream struct {
	frames  [][]byte
	patches [][]int // per frame: offsets of epoch digits
	starts  []int   // index of each transcript's (call's) first frame
	calls   int
}

var epochRe = regexp.MustCompile(`"1795\d{6}\.\d+`)

func loadBenchStream(tb testing.TB) *benchStream {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(transcripts.Dir(tb), "with-linkedid", "sip-*.jsonl"))
	s := &benchStream{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		s.starts = append(s.starts, len(s.frames))
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := slices.Clone(sc.Bytes())
			var offs []int
			for _, m := range epochRe.FindAllIndex(line, -1) {
				offs = append(offs, m[0]+1)
			}
			s.frames = append(s.frames, line)
			s.patches = append(s.patches, offs)
		}
		s.calls++ // every sip-* transcript is one call (attended transfer: one after folding)
	}
	return s
}

// copyN returns the stream with every channel id's epoch replaced by 10
// digits unique to copy n.
func (s *benchStream) copyN(n int) [][]byte {
	out := make([][]byte, len(s.frames))
	for i, f := range s.frames {
		out[i] = slices.Clone(f)
	}
	s.restamp(out, n)
	return out
}

// restamp gives frames (a copy of the stream) the ids of copy n, in place:
// a few 10-byte copies per frame, so replays need no per-copy memory (the
// tracker keeps nothing of a frame after Handle).
func (s *benchStream) restamp(frames [][]byte, n int) {
	st := stamp(n)
	for i, f := range frames {
		for _, off := range s.patches[i] {
			copy(f[off:off+10], st)
		}
	}
}

func stamp(n int) string { return fmt.Sprintf("%010d", 1000000000+n) }

// latencyStore records, for each call's last event, the time from Handle
// to the commit that made its final record durable (seen by the tracker's
// EndedSaved hook, after the store saved the batch and the journal
// committed it).
type latencyStore struct {
	*postgres.CallService
	mu      sync.Mutex
	handled map[string]time.Time // linkedid -> when its last event was handled
	lat     []time.Duration
	records int // call updates saved
	batches int // SaveCalls calls
}

func (l *latencyStore) SaveCalls(ctx context.Context, recs [][]byte) error {
	if err := l.CallService.SaveCalls(ctx, recs); err != nil {
		return err
	}
	l.mu.Lock()
	l.records += len(recs)
	l.batches++
	l.mu.Unlock()
	return nil
}

// ended is the tracker's EndedSaved hook.
func (l *latencyStore) ended(_ context.Context, calls []telephony.Call) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range calls {
		if t0, ok := l.handled[c.LinkedID]; ok {
			l.lat = append(l.lat, now.Sub(t0))
			delete(l.handled, c.LinkedID)
		}
	}
}

// BenchmarkTrackerToPostgres replays the recorded sip-* calls with fresh ids
// through PeekType, the tracker, the file spool and PostgreSQL as fast as
// they go; one iteration is one replay of every recorded call. Latency here
// includes the backlog of an overloaded pipeline.
func BenchmarkTrackerToPostgres(b *testing.B) { runPipeline(b, 0) }

// BenchmarkTrackerToPostgresAt1000 offers the same calls at 1,000 calls/s:
// its p50/p99 are the event-to-durable latency at that load.
func BenchmarkTrackerToPostgresAt1000(b *testing.B) { runPipeline(b, 1000) }

// BenchmarkTrackerToPostgresAt200 offers 200 calls/s, under what a loaded
// shared machine sustains: its p50/p99 are the pipeline's own latency
// (flush interval, spool fsync, batch commit) without a backlog.
func BenchmarkTrackerToPostgresAt200(b *testing.B) { runPipeline(b, 200) }

func runPipeline(b *testing.B, callsPerSecond float64) {
	s := loadBenchStream(b)
	frames := s.copyN(0)
	store := pgtest.Open(b, pgtest.NewDSN(b), postgres.Options{})
	sp, err := spool.Open(b.TempDir(), spool.Options{Sync: spool.SyncInterval, SyncEvery: 10 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	ls := &latencyStore{CallService: store.Calls, handled: map[string]time.Time{}}
	tr := telephony.NewTracker(telephony.TrackerOptions{Store: ls, Roster: agents, Journal: sp, Rules: rules,
		FlushInterval: 5 * time.Millisecond, WriteBatch: 2000, EndedSaved: ls.ended})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); tr.Run(ctx) }()
	lastOf := lastEventIndex(s)
	pgPIDs := backendPIDs(b, store)
	b.ResetTimer()
	goCPU0, pgCPU0 := processCPU(b, os.Getpid()), pidsCPU(b, pgPIDs)
	start := time.Now()
	events := 0
	var interval time.Duration
	if callsPerSecond > 0 {
		interval = time.Duration(float64(s.calls) / callsPerSecond * float64(time.Second))
	}
	for n := range b.N {
		s.restamp(frames, n)
		if interval > 0 {
			if d := time.Until(start.Add(time.Duration(n) * interval)); d > 0 {
				time.Sleep(d)
			}
		}
		for i, raw := range frames {
			typ, _ := ari.PeekType(raw)
			if linked, ok := lastOf[i]; ok {
				ls.mu.Lock()
				ls.handled[stamp(n)+linked[10:]] = time.Now()
				ls.mu.Unlock()
			}
			tr.Handle(ari.Message{Node: "pbx1", Type: typ, Raw: raw})
			events++
		}
	}
	if err := tr.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	goCPU, pgCPU := processCPU(b, os.Getpid())-goCPU0, pidsCPU(b, pgPIDs)-pgCPU0
	cancel()
	<-done
	calls := s.calls * b.N
	// CPU per call is steadier than wall time on a shared machine
	b.ReportMetric(float64(goCPU.Microseconds())/float64(calls), "go_cpu_us/call")
	b.ReportMetric(float64(pgCPU.Microseconds())/float64(calls), "pg_cpu_us/call")
	b.ReportMetric(float64(ls.records)/float64(calls), "records/call")
	b.ReportMetric(float64(ls.records)/float64(max(ls.batches, 1)), "records/batch")
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	sort.Slice(ls.lat, func(i, j int) bool { return ls.lat[i] < ls.lat[j] })
	if n := len(ls.lat); n > 0 {
		b.ReportMetric(float64(ls.lat[n/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(ls.lat[n*99/100].Microseconds())/1000, "p99_ms")
	}
	var stored int
	var rowBytes float64
	err = store.DB.Pool().QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM call_log), (SELECT avg(pg_column_size(c.*)) FROM calls c)`).Scan(&stored, &rowBytes)
	if err != nil {
		b.Fatal(err)
	}
	if stored != calls {
		b.Fatalf("%d calls stored, want %d", stored, calls)
	}
	b.ReportMetric(rowBytes, "row_bytes")
}

// lastEventIndex maps the index of each call's final ChannelDestroyed frame
// to the linkedid it ends (as in the recording).
func lastEventIndex(s *benchStream) map[int]string {
	last := map[string]int{}
	for i, f := range s.frames {
		var ev struct {
			Type    string
			Channel struct {
				ChannelVars map[string]string `json:"channelvars"`
			}
		}
		if json.Unmarshal(f, &ev) != nil || ev.Type != ari.TypeChannelDestroyed {
			continue
		}
		last[ev.Channel.ChannelVars[telephony.LinkedIDVar]] = i
	}
	out := map[int]string{}
	for l, i := range last {
		out[i] = l
	}
	return out
}

// BenchmarkFloorTypedDecode is the floor for the tracker's input side:
// encoding/json decoding every event of the same stream into ari's typed
// structs (what the tracker avoids for the 60% it does not use).
func BenchmarkFloorTypedDecode(b *testing.B) {
	s := loadBenchStream(b)
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU(b, os.Getpid())
	for range b.N {
		for _, raw := range s.frames {
			if _, err := ari.Decode(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64((processCPU(b, os.Getpid())-cpu0).Microseconds())/float64(s.calls*b.N), "go_cpu_us/call")
	b.ReportMetric(float64(s.calls*b.N)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(len(s.frames)*b.N)/elapsed.Seconds(), "events/s")
}

// BenchmarkFloorCopyCalls is the floor for the output side: a PostgreSQL
// COPY of the same call rows (every column of the calls table) into a
// table without indexes.
func BenchmarkFloorCopyCalls(b *testing.B) {
	s := loadBenchStream(b)
	tr := telephony.NewTracker(telephony.TrackerOptions{Roster: agents, Rules: rules})
	evs, cancelSub := tr.Subscribe(1024)
	defer cancelSub()
	var calls []telephony.Call
	for _, raw := range s.frames {
		tr.HandleFrame("pbx1", "", raw)
		for len(evs) > 0 {
			if e := <-evs; e.Kind == telephony.EventCallEnded && e.Call.MergedInto == "" {
				calls = append(calls, e.Call)
			}
		}
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDSN(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE copy_floor AS SELECT * FROM calls WITH NO DATA; ALTER TABLE copy_floor DROP COLUMN id`); err != nil {
		b.Fatal(err)
	}
	cols := []string{"node", "linkedid", "version", "direction", "outcome", "caller", "callee", "customer", "agent",
		"agents", "started_at", "answered_at", "ended_at", "wait_seconds", "ring_seconds", "talk_seconds",
		"hold_seconds", "hangup_cause", "hangup_by", "transfers", "legs"}
	b.ResetTimer()
	start := time.Now()
	rows := 0
	for n := range b.N {
		src := make([][]any, 0, len(calls))
		for _, c := range calls {
			tj, _ := json.Marshal(c.Transfers)
			lj, _ := json.Marshal(c.Legs)
			src = append(src, []any{c.Node, fmt.Sprintf("%d-%s", n, c.LinkedID), 1, string(c.Direction), string(c.Outcome),
				c.Caller, c.Callee, c.Customer, c.Agent, c.Agents, c.StartedAt, c.AnsweredAt, c.EndedAt, c.WaitSeconds,
				c.RingSeconds, c.TalkSeconds, c.HoldSeconds, c.HangupCause, string(c.HangupBy), tj, lj})
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"copy_floor"}, cols, pgx.CopyFromRows(src)); err != nil {
			b.Fatal(err)
		}
		rows += len(src)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "calls/s")
}

// BenchmarkTrackerIngest is the tracker alone: PeekType, the partial
// decode of the events it uses, folding, and encoding the call updates
// into an in-memory journal.
func BenchmarkTrackerIngest(b *testing.B) {
	s := loadBenchStream(b)
	frames := s.copyN(0)
	tr := telephony.NewTracker(telephony.TrackerOptions{Roster: agents, Rules: rules, FlushInterval: time.Hour})
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU(b, os.Getpid())
	for n := range b.N {
		s.restamp(frames, n)
		for _, raw := range frames {
			typ, _ := ari.PeekType(raw)
			tr.Handle(ari.Message{Node: "pbx1", Type: typ, Raw: raw})
		}
		if err := tr.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64((processCPU(b, os.Getpid())-cpu0).Microseconds())/float64(s.calls*b.N), "go_cpu_us/call")
	b.ReportMetric(float64(s.calls*b.N)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(len(s.frames)*b.N)/elapsed.Seconds(), "events/s")
}

// BenchmarkTrackerCallsInProgress measures memory with 1,000 calls in
// progress: every recorded call is replayed with fresh ids up to (not
// including) its first hangup, until 1,000 calls are open, and the heap in
// use and the process RSS are reported after a GC. One iteration is one
// such fill of a fresh tracker with a journal-only (spool) pipeline.
func BenchmarkTrackerCallsInProgress(b *testing.B) {
	const open = 1000
	s := loadBenchStream(b)
	prefix := s.openPrefix()
	frames := s.copyN(0)
	var heap, rss float64
	for range b.N {
		sp, err := spool.Open(b.TempDir(), spool.Options{Sync: spool.SyncNever})
		if err != nil {
			b.Fatal(err)
		}
		tr := telephony.NewTracker(telephony.TrackerOptions{Roster: agents, Rules: rules, Journal: sp,
			FlushInterval: time.Hour})
		for n := 0; tr.Stats().Open < open; n++ {
			s.restamp(frames, n)
			for _, i := range prefix {
				typ, _ := ari.PeekType(frames[i])
				tr.Handle(ari.Message{Node: "pbx1", Type: typ, Raw: frames[i]})
			}
			if err := tr.Flush(); err != nil {
				b.Fatal(err)
			}
		}
		if got := tr.Stats().Open; got < open {
			b.Fatalf("%d calls in progress, want %d", got, open)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap, rss = float64(ms.HeapInuse), float64(processRSS(b))
		runtime.KeepAlive(tr)
		sp.Close()
	}
	b.ReportMetric(heap/(1<<20), "heap_MB")
	b.ReportMetric(rss/(1<<20), "rss_MB")
}

// openPrefix returns the indexes of every frame before its call's first
// hangup (ChannelHangupRequest or ChannelDestroyed of any of its channels):
// replaying them leaves every recorded call in progress.
func (s *benchStream) openPrefix() []int {
	var out []int
	for k, start := range s.starts {
		end := len(s.frames)
		if k+1 < len(s.starts) {
			end = s.starts[k+1]
		}
		for i := start; i < end; i++ {
			typ, _ := ari.PeekType(s.frames[i])
			if typ == ari.TypeChannelHangupRequest || typ == ari.TypeChannelDestroyed {
				break
			}
			out = append(out, i)
		}
	}
	return out
}

// processRSS reads this process's resident set size from /proc.
func processRSS(tb testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatalf("parse VmRSS %q: %v", v, err)
			}
			return kb << 10
		}
	}
	tb.Skip("no VmRSS in /proc/self/status")
	return 0
}

// backendPIDs are the PostgreSQL backends of the store's database, after
// the pool has opened its connections.
func backendPIDs(tb testing.TB, store *postgres.Services) []int {
	ctx := context.Background()
	var conns []*pgxpool.Conn
	for range 4 { // make the pool open the connections the writer will use
		c, err := store.DB.Pool().Acquire(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	rows, err := store.DB.Pool().Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		tb.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		tb.Fatal(err)
	}
	return pids
}

// pidsCPU sums the CPU time (user + system) of processes.
func pidsCPU(tb testing.TB, pids []int) time.Duration {
	var d time.Duration
	for _, p := range pids {
		d += processCPU(tb, p)
	}
	return d
}

// processCPU reads a process's CPU time (user + system) from /proc; a
// process that is gone counts 0.
func processCPU(tb testing.TB, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// fields after the parenthesised command: state is field 3, utime 14, stime 15
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		tb.Fatalf("short /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}
