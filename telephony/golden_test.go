package telephony

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hotline/crm/phone"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest/transcripts"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// testRoster is the agents of the recording Asterisk and of the Local
// simulation dialplan.
type testRoster map[string]string

func (r testRoster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

var _ Roster = testRoster(nil)

var goldenRoster = testRoster{
	"PJSIP/1001": "1001", "PJSIP/1002": "1002", "PJSIP/1003": "1003",
	"Local/agent@sim-agent": "agent", "Local/agent-slow@sim-agent": "agent-slow",
}

var goldenRules = DirectionRules{
	InboundContexts:  []string{"from-trunk", "inbound"},
	OutboundContexts: []string{"sim-customer"},
	TrunkEndpoints:   []string{"PJSIP/customers", "PJSIP/pstn"},
}

// fakeChannels answers linkedid reads from the transcript's .md (the
// recorder's REST probes right after ChannelCreated) or, for Local channel
// pairs, with the ;1 half's id as Asterisk does.
type fakeChannels struct {
	linked map[string]string // channel id -> linkedid at creation
	names  map[string]string // Local ";1" name -> id
	reads  int
	live   []LiveChannel
}

var _ Channels = (*fakeChannels)(nil)

func (f *fakeChannels) LinkedID(_ context.Context, _ string, id string) (string, error) {
	f.reads++
	if l, ok := f.linked[id]; ok {
		return l, nil
	}
	return "", errors.New("404 Channel not found")
}

func (f *fakeChannels) List(context.Context, string) ([]LiveChannel, error) { return f.live, nil }

var mdChannelRow = regexp.MustCompile(`(?m)^\| [^|]+ \| ([0-9.]+) \| ([0-9.]+)`)

func newFakeChannels(md []byte, lines [][]byte) *fakeChannels {
	f := &fakeChannels{linked: map[string]string{}, names: map[string]string{}}
	for _, m := range mdChannelRow.FindAllSubmatch(md, -1) {
		f.linked[string(m[1])] = string(m[2])
	}
	for _, line := range lines {
		ev, _, err := decodeWire(line)
		if err != nil || ev.Type != ari.TypeChannelCreated {
			continue
		}
		name, id := ev.Channel.Name, ev.Channel.ID
		if !strings.HasPrefix(name, "Local/") {
			continue
		}
		if strings.HasSuffix(name, ";1") {
			f.names[strings.TrimSuffix(name, ";1")] = id
			f.linked[id] = id
		} else if first, ok := f.names[strings.TrimSuffix(name, ";2")]; ok {
			f.linked[id] = first
		}
	}
	return f
}

func readLines(tb testing.TB, path string) [][]byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			out = append(out, slices.Clone(sc.Bytes()))
		}
	}
	return out
}

func normalizeRU(s string) string {
	v, _ := phone.Normalizer{Region: "RU"}.Lookup(s)
	return v
}

// runTranscript feeds a transcript through a tracker and returns the last
// update of every call, oldest call first.
func runTranscript(tb testing.TB, dir, name string) ([]Call, *fakeChannels) {
	tb.Helper()
	lines := readLines(tb, filepath.Join(dir, name+".jsonl"))
	md, _ := os.ReadFile(filepath.Join(dir, name+".md"))
	fc := newFakeChannels(md, lines)
	j := newMemJournal(1 << 20)
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Channels: fc, Journal: j, Rules: goldenRules, Normalize: normalizeRU})
	for _, line := range lines {
		tr.HandleFrame("pbx1", "", line)
	}
	if err := tr.Flush(); err != nil {
		tb.Fatal(err)
	}
	recs, _, _ := j.Next(1 << 20)
	ups, err := decodeUpdates(recs)
	if err != nil {
		tb.Fatal(err)
	}
	calls := make([]Call, 0, len(ups))
	for _, u := range ups {
		calls = append(calls, u.Call)
	}
	slices.SortFunc(calls, func(a, b Call) int { return a.StartedAt.Compare(b.StartedAt) })
	return calls, fc
}

func goldenNames(tb testing.TB, dir string) []string {
	var names []string
	for _, pattern := range []string{"sip-*.jsonl", "with-linkedid/sip-*.jsonl", "inbound-*.jsonl", "outbound-*.jsonl", "ws-reconnect.jsonl"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range m {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, strings.TrimSuffix(rel, ".jsonl"))
		}
	}
	if len(names) == 0 {
		tb.Skip("no transcripts found")
	}
	return names
}

func TestGoldenTranscripts(t *testing.T) {
	dir := transcripts.Dir(t)
	for _, name := range goldenNames(t, dir) {
		t.Run(name, func(t *testing.T) {
			calls, _ := runTranscript(t, dir, name)
			got, err := json.MarshalIndent(calls, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", strings.ReplaceAll(name, "/", "_")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden file (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("call records differ from %s:\n%s", golden, got)
			}
		})
	}
}
