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

// BenchmarkDecodeSIP prints events/s for the recorded sip-* streams: the
// encoding/json floor, Hotline's filtered path, and Hotline's full decode,
// each with its speed-up over the floor (x_floor) measured in the same run.
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
		b.ReportMetric(rate(b, len(lines)), "events/s")
	})
	b.Run("hotline=peek+call-events", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		decoded := 0
		for b.Loop() {
			decoded = decodeHotline(b, lines)
		}
		b.ReportMetric(rate(b, len(lines)), "events/s")
		b.ReportMetric(pairedRatio(b, lines, types, func() { decodeHotline(b, lines) }), "x_floor")
		b.ReportMetric(float64(decoded)/float64(len(lines)), "decoded_share")
	})
	b.Run("hotline=decode-all", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		for b.Loop() {
			decodeAll(b, lines)
		}
		b.ReportMetric(rate(b, len(lines)), "events/s")
		b.ReportMetric(pairedRatio(b, lines, types, func() { decodeAll(b, lines) }), "x_floor")
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

// pairedRatio is how many times faster run is than the floor, measured by
// alternating the two (after the benchmark loop, with its timer stopped) so
// that both see the same load on a shared machine.
func pairedRatio(b *testing.B, lines []transcriptLine, types []string, run func()) float64 {
	var floor, ours time.Duration
	for range 5 {
		start := time.Now()
		decodeFloor(b, lines, types)
		floor += time.Since(start)
		start = time.Now()
		for range 4 {
			run()
		}
		ours += time.Since(start) / 4
	}
	return float64(floor) / float64(ours)
}

// decodeAll decodes every frame with Decode.
func decodeAll(b *testing.B, lines []transcriptLine) {
	for _, l := range lines {
		if _, err := Decode(l.raw); err != nil {
			b.Fatal(err)
		}
	}
}
