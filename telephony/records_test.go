package telephony

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"hotline/telephony/ari/aritest/transcripts"
)

// decodeUpdates decodes journal records and keeps, per call, the timeline
// entries of every update and the record of the newest (the later one of
// equal versions): what a CallStore makes of a batch of records.
func decodeUpdates(recs [][]byte) ([]CallUpdate, error) {
	out := make([]CallUpdate, 0, len(recs))
	idx := make(map[callKey]int, len(recs))
	for _, b := range recs {
		var u CallUpdate
		if err := jsonv2.Unmarshal(b, &u, journalJSON); err != nil {
			return nil, fmt.Errorf("decode journaled call update: %w", err)
		}
		k := callKey{u.Call.Node, u.Call.LinkedID}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, u)
			continue
		}
		prev := &out[i]
		tl := append(prev.Timeline, u.Timeline...)
		if u.Version >= prev.Version {
			*prev = u
		}
		prev.Timeline = tl
	}
	return out, nil
}

// TestEndedCallsAreTheDecodedRecords: the calls handed to EndedSaved are
// the decoded records of the calls a batch ends, newest per call, as they
// were when the writer decoded every record (decodeUpdates); the check
// that skips open calls' records undecoded never skips an ended one.
func TestEndedCallsAreTheDecodedRecords(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(transcripts.Dir(t), "with-linkedid", "*.jsonl"))
	var all [][]byte
	for _, f := range files {
		j := newMemJournal(1 << 20)
		tr := NewTracker(TrackerOptions{Roster: goldenRoster, Journal: j, Rules: goldenRules, Normalize: normalizeRU})
		for _, raw := range readLines(t, f) {
			tr.HandleFrame("pbx1", "", raw)
		}
		if err := tr.Flush(); err != nil {
			t.Fatal(err)
		}
		recs, _, _ := j.Next(1 << 20)
		all = append(all, recs...)
	}
	ended, merged := 0, 0
	for _, r := range all {
		var u CallUpdate
		if err := jsonv2.Unmarshal(r, &u, journalJSON); err != nil {
			t.Fatal(err)
		}
		if open := bytes.Contains(r, stateKey); open != (u.Call.EndedAt == nil) {
			t.Fatalf("record read as open %v, ended at %v: %s", open, u.Call.EndedAt, r)
		}
		if u.Call.EndedAt != nil {
			ended++
			if u.Call.MergedInto != "" {
				merged++
			}
		}
	}
	if ended < 10 || merged == 0 || ended == len(all) {
		t.Fatalf("%d records, %d of ended calls (%d merged): the recordings show too little", len(all), ended, merged)
	}
	// every batch size, so that the updates of a call fall in one batch or several
	for _, size := range []int{1, 2, 3, 7, 50, len(all)} {
		for lo := 0; lo < len(all); lo += size {
			batch := all[lo:min(lo+size, len(all))]
			ups, err := decodeUpdates(batch)
			if err != nil {
				t.Fatal(err)
			}
			var want []Call
			for _, u := range ups {
				if u.Call.EndedAt != nil && u.Call.MergedInto == "" {
					want = append(want, u.Call)
				}
			}
			got, err := endedCalls(batch)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want) {
				t.Fatalf("batch of %d at %d: ended calls\n%+v\nwant\n%+v", size, lo, got, want)
			}
			// a record that does not decode costs only itself
			got, err = endedCalls(append([][]byte{[]byte(`{"version":1,"call":`)}, batch...))
			if err == nil || ((len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want)) {
				t.Fatalf("batch of %d at %d after a bad record: %d ended calls (%v), want %d", size, lo, len(got), err, len(want))
			}
		}
	}
}
