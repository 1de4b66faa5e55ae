package telephony

import (
	"bytes"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest/transcripts"
)

// fnvEventKey is eventKey as hash/fnv computes it: the keys journaled in
// the state of open calls must not change.
func fnvEventKey(node string, ev *wireEvent) uint64 {
	h := fnv.New64a()
	h.Write([]byte(node))
	parts := []string{ev.Type, ev.Timestamp.Format(ari.TimeLayout), ev.DialStatus, ev.Digit, strconv.Itoa(ev.Cause), strconv.FormatBool(ev.Soft)}
	if ch := primaryChannel(ev); ch != nil {
		parts = append(parts, ch.ID, ch.State)
	}
	if ev.Bridge != nil {
		parts = append(parts, ev.Bridge.ID)
	}
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return h.Sum64()
}

// TestEventKeyIsFNV: every folded event of the recorded calls keeps the
// key hash/fnv gave it, and allocates nothing.
func TestEventKeyIsFNV(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(transcripts.Dir(t), "*.jsonl"))
	var checked int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range bytes.Lines(raw) {
			typ, _ := ari.PeekType(line)
			if !handledTypes[typ] {
				continue
			}
			ev, _, err := decodeWire(bytes.TrimSpace(line))
			if err != nil {
				continue // frames of the transcripts' other kinds (REST responses)
			}
			if got, want := eventKey("pbx1", ev), fnvEventKey("pbx1", ev); got != want {
				t.Fatalf("%s: %s key %d, hash/fnv gives %d", filepath.Base(f), typ, got, want)
			}
			if n := testing.AllocsPerRun(10, func() { eventKey("pbx1", ev) }); n != 0 {
				t.Fatalf("eventKey allocates %v times", n)
			}
			checked++
		}
	}
	if checked < 400 {
		t.Fatalf("only %d events checked", checked)
	}
}
