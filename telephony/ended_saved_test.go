package telephony

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"hotline/telephony/ari/aritest/transcripts"
)

// TestEndedSavedHook: the EndedSaved hook gets the final records of the
// calls that a saved batch ended, once each, when the store already holds
// them; never a call in progress, nor a consultation call merged into
// another (an attended transfer). Every event is written at once, so that
// the batches end the calls one by one while others are in progress.
func TestEndedSavedHook(t *testing.T) {
	dir := transcripts.Dir(t)
	for _, name := range []string{"with-linkedid/sip-attended-transfer", "with-linkedid/sip-blind-transfer",
		"with-linkedid/sip-inbound-direct", "with-linkedid/sip-inbound-noanswer"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			ctx := context.Background()
			frames := readLines(t, filepath.Join(dir, name+".jsonl"))
			md, _ := os.ReadFile(filepath.Join(dir, name+".md"))
			store := &endingStore{memStore: newMemStore()}
			got := map[string]Call{}
			hooked := 0
			now := time.Now()
			tr := NewTracker(TrackerOptions{Store: store, Roster: goldenRoster, Channels: newFakeChannels(md, frames),
				Rules: goldenRules, Normalize: normalizeRU, Now: func() time.Time { return now },
				EndedSaved: func(_ context.Context, ended []Call) {
					hooked++
					saved := store.records()
					for _, c := range ended {
						if c.EndedAt == nil || c.MergedInto != "" {
							t.Errorf("hook got call %s: ended %v, merged into %q", c.LinkedID, c.EndedAt, c.MergedInto)
						}
						if s, ok := saved[c.LinkedID]; !ok || !reflect.DeepEqual(s, c) {
							t.Errorf("hook got call %s before the store held it as given", c.LinkedID)
						}
						if _, twice := got[c.LinkedID]; twice {
							t.Errorf("hook got call %s twice", c.LinkedID)
						}
						got[c.LinkedID] = c
					}
				}})
			for _, raw := range frames {
				tr.HandleFrame("pbx1", "", raw)
				if err := tr.drain(ctx); err != nil {
					t.Fatal(err)
				}
			}
			want := map[string]Call{}
			merged := 0
			for id, c := range store.records() {
				switch {
				case c.MergedInto != "":
					merged++
				case c.EndedAt != nil:
					want[id] = c
				}
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("hook got %d calls %v, want the %d ended ones %v", len(got), linkedids(got), len(want), linkedids(want))
			}
			if name == "with-linkedid/sip-attended-transfer" && merged == 0 {
				t.Error("no merged call in the attended transfer: the case is not tested")
			}
			if hooked != store.ending || store.saves <= hooked {
				t.Errorf("hook called %d times; of %d batches saved, %d ended calls", hooked, store.saves, store.ending)
			}
		})
	}
}

// endingStore counts the batches saved and those that end calls.
type endingStore struct {
	*memStore
	saves, ending int
}

func (s *endingStore) SaveCalls(ctx context.Context, recs [][]byte) error {
	s.saves++
	ups, err := decodeUpdates(recs)
	if err != nil {
		return err
	}
	for _, u := range ups {
		if u.Call.EndedAt != nil && u.Call.MergedInto == "" {
			s.ending++
			break
		}
	}
	return s.memStore.SaveCalls(ctx, recs)
}

func linkedids(m map[string]Call) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
