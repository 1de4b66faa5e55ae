package telephony

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"hotline/telephony/ari/aritest/transcripts"
)

type countJournal struct{ n, bytes int }

func (j *countJournal) Append(recs ...[]byte) error {
	j.n += len(recs)
	for _, r := range recs {
		j.bytes += len(r)
	}
	return nil
}
func (j *countJournal) Next(int) ([][]byte, uint64, error) { return nil, 0, nil }
func (j *countJournal) Commit(uint64) error                { return nil }

// BenchmarkFoldAndJournal folds the recorded sip-* calls event by event,
// journaling after every event (FlushInterval 0): the tracker's CPU per
// call without the network, the timers or the store.
func BenchmarkFoldAndJournal(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(transcripts.Dir(b), "with-linkedid", "sip-*.jsonl"))
	var frames [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			frames = append(frames, bytes.Clone(sc.Bytes()))
		}
	}
	j := &countJournal{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		tr := NewTracker(TrackerOptions{Store: nopStore{}, Journal: j})
		for _, f := range frames {
			tr.HandleFrame("pbx1", "", f)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(files)), "µs/call")
	b.ReportMetric(float64(j.n)/float64(b.N*len(files)), "records/call")
	b.ReportMetric(float64(j.bytes)/float64(j.n), "bytes/record")
}

// TestJournalRecordIsCallUpdate: the one-pass journal encoding writes the
// bytes the CallUpdate encoding (state encoded apart, copied in raw)
// wrote, for every update of the recorded calls, so that journals and
// call rows written before read back the same.
func TestJournalRecordIsCallUpdate(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(transcripts.Dir(t), "with-linkedid", "sip-*.jsonl"))
	defer func(o jsonv2.Options) { journalJSON = o }(journalJSON)
	journalJSON = jsonv2.JoinOptions(journalJSON, jsonv2.Deterministic(true)) // maps in one order both ways
	var checked int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := NewTracker(TrackerOptions{Store: nopStore{}, Journal: &countJournal{}, FlushInterval: time.Hour})
		for line := range bytes.Lines(raw) {
			tr.HandleFrame("pbx1", "", bytes.TrimSpace(line))
			tr.mu.Lock()
			for c := range tr.dirty {
				got, err := tr.encodeUpdate(c)
				if err != nil {
					t.Fatal(err)
				}
				u := CallUpdate{Version: c.st.Version, Call: c.rec, Timeline: c.pending}
				if c.rec.EndedAt == nil {
					if u.State, err = jsonv2.Marshal(&c.st, journalJSON); err != nil {
						t.Fatal(err)
					}
				}
				want, err := jsonv2.Marshal(&u, journalJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: journal record\n%s\nwant\n%s", filepath.Base(f), got, want)
				}
				checked++
			}
			tr.mu.Unlock()
		}
	}
	if checked < 100 {
		t.Fatalf("only %d updates checked", checked)
	}
}
