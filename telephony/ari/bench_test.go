package ari

import (
	"encoding/json"
	"testing"
	"time"
)

// benchLines are the recorded sip-* streams (plain and with-linkedid) with
// their types, loaded once.
func benchLines(b *testing.B) ([]transcriptLine, []string) {
	b.Helper()
	lines := loadTranscripts(b, "sip-*.jsonl")
	types := make([]string, len(lines))
	for i, l := range lines {
		t, err := PeekType(l.raw)
		if err != nil {
			b.Fatal(err)
		}
		types[i] = t
	}
	return lines, types
}

// decodeFloor is the floor: encoding/json decoding every event into its
// typed struct, with the type known in advance (the most favourable case
// for encoding/json).
func decodeFloor(b *testing.B, lines []transcriptLine, types []string) {
	for i, l := range lines {
		ev := newEvent(types[i])
		if err := json.Unmarshal(l.raw, ev); err != nil {
			b.Fatal(err)
		}
	}
}

// decodeHotline is Hotline's path: PeekType every frame, decode only the
// event types a call tracker uses (CallEventTypes).
func decodeHotline(b *testing.B, lines []transcriptLine) int {
	n := 0
	for _, l := range lines {
		t, err := PeekType(l.raw)
		if err != nil {
			b.Fatal(err)
		}
		if !IsCallEvent(t) {
			continue
		}
		if _, err := Decode(l.raw); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n
}

// floorRate is the floor's events/s from the last floor run in this process.
var floorRate float64

// BenchmarkDecodeSIP prints events/s for the recorded sip-* streams: the
// encoding/json floor, Hotline's filtered path, and Hotline's full decode,
// each with its speed-up over the floor measured in the same run.
func BenchmarkDecodeSIP(b *testing.B) {
	lines, types := benchLines(b)
	var bytes int64
	for _, l := range lines {
		bytes += int64(len(l.raw))
	}
	b.Run("floor=encoding-json-all", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		for b.Loop() {
			decodeFloor(b, lines, types)
		}
		floorRate = rate(b, len(lines))
		b.ReportMetric(floorRate, "events/s")
	})
	b.Run("hotline=peek+call-events", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		decoded := 0
		for b.Loop() {
			decoded = decodeHotline(b, lines)
		}
		r := rate(b, len(lines))
		b.ReportMetric(r, "events/s")
		b.ReportMetric(r/floorOf(b, lines, types), "x_floor")
		b.ReportMetric(float64(decoded)/float64(len(lines)), "decoded_share")
	})
	b.Run("hotline=decode-all", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				if _, err := Decode(l.raw); err != nil {
					b.Fatal(err)
				}
			}
		}
		r := rate(b, len(lines))
		b.ReportMetric(r, "events/s")
		b.ReportMetric(r/floorOf(b, lines, types), "x_floor")
	})
}

func BenchmarkPeekType(b *testing.B) {
	lines, _ := benchLines(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if _, err := PeekType(l.raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(rate(b, len(lines)), "events/s")
}

func rate(b *testing.B, perOp int) float64 {
	return float64(b.N) * float64(perOp) / b.Elapsed().Seconds()
}

// floorOf returns the floor measured by this run, measuring it now if the
// floor sub-benchmark was filtered out.
func floorOf(b *testing.B, lines []transcriptLine, types []string) float64 {
	if floorRate > 0 {
		return floorRate
	}
	start := time.Now()
	n := 0
	for time.Since(start) < 300*time.Millisecond {
		decodeFloor(b, lines, types)
		n++
	}
	floorRate = float64(n*len(lines)) / time.Since(start).Seconds()
	return floorRate
}
