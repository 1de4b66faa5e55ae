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
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/spool"
)

// benchStream is the recorded sip-* calls (with channelvars), one frame
// per event, with the offsets of every channel id's 10-digit epoch so that
// each replay gets fresh ids by patching digits in place.
type benchStream struct {
	frames  [][]byte
	patches [][]int // per frame: offsets of epoch digits
	calls   int
}

var epochRe = regexp.MustCompile(`"1795\d{6}\.\d+`)

func loadBenchStream(tb testing.TB) *benchStream {
	tb.Helper()
	dir := os.Getenv("HOTLINE_SHARED_DIR")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "shared", "ari", "transcripts")); err == nil {
				dir = filepath.Join(d, "shared")
				break
			}
			if filepath.Dir(d) == d {
				tb.Skip("shared/ari/transcripts not found")
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ari", "transcripts", "with-linkedid", "sip-*.jsonl"))
	s := &benchStream{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
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
// to the commit that made its final record durable.
type latencyStore struct {
	*postgres.Store
	mu      sync.Mutex
	handled map[string]time.Time // linkedid -> when its last event was handled
	lat     []time.Duration
}

func (l *latencyStore) SaveCalls(ctx context.Context, ups []telephony.CallUpdate) error {
	if err := l.Store.SaveCalls(ctx, ups); err != nil {
		return err
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range ups {
		if u.Call.EndedAt == nil || u.Call.MergedInto != "" {
			continue
		}
		if t0, ok := l.handled[u.Call.LinkedID]; ok {
			l.lat = append(l.lat, now.Sub(t0))
			delete(l.handled, u.Call.LinkedID)
		}
	}
	return nil
}

// BenchmarkTrackerToPostgres replays the recorded sip-* calls with fresh ids
// through PeekType, the tracker, the file spool and PostgreSQL as fast as
// they go; one iteration is one replay of every recorded call. Latency here
// includes the backlog of an overloaded pipeline.
func BenchmarkTrackerToPostgres(b *testing.B) { runPipeline(b, 0) }

// BenchmarkTrackerToPostgresAt1000 offers the same calls at 1,000 calls/s:
// its p50/p99 are the event-to-durable latency at that load.
func BenchmarkTrackerToPostgresAt1000(b *testing.B) { runPipeline(b, 1000) }

func runPipeline(b *testing.B, callsPerSecond float64) {
	s := loadBenchStream(b)
	frames := s.copyN(0)
	store, err := postgres.Open(context.Background(), pgtest.NewDSN(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sp, err := spool.Open(b.TempDir(), spool.Options{Sync: spool.SyncInterval, SyncEvery: 10 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	ls := &latencyStore{Store: store, handled: map[string]time.Time{}}
	tr := telephony.NewTracker(telephony.TrackerOptions{Store: ls, Roster: agents, Journal: sp, Rules: rules,
		FlushInterval: 5 * time.Millisecond, WriteBatch: 2000})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); tr.Run(ctx) }()
	lastOf := lastEventIndex(s)
	b.ResetTimer()
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
	cancel()
	<-done
	calls := s.calls * b.N
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	sort.Slice(ls.lat, func(i, j int) bool { return ls.lat[i] < ls.lat[j] })
	if n := len(ls.lat); n > 0 {
		b.ReportMetric(float64(ls.lat[n/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(ls.lat[n*99/100].Microseconds())/1000, "p99_ms")
	}
	var stored int
	store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM call_log`).Scan(&stored)
	if stored != calls {
		b.Fatalf("%d calls stored, want %d", stored, calls)
	}
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
		if json.Unmarshal(f, &ev) != nil || ev.Type != "ChannelDestroyed" {
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
	start := time.Now()
	for range b.N {
		for _, raw := range s.frames {
			if _, err := ari.Decode(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	elapsed := time.Since(start)
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
	start := time.Now()
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
	b.ReportMetric(float64(s.calls*b.N)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(len(s.frames)*b.N)/elapsed.Seconds(), "events/s")
}
