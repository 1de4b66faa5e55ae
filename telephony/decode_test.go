package telephony

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest/transcripts"
)

// foldedFrames are the frames of the recorded sip-* streams (plain and
// with channelvars) that the tracker folds.
func foldedFrames(tb testing.TB) [][]byte {
	tb.Helper()
	dir := transcripts.Dir(tb)
	var out [][]byte
	for _, glob := range []string{"sip-*.jsonl", filepath.Join("with-linkedid", "sip-*.jsonl")} {
		files, _ := filepath.Glob(filepath.Join(dir, glob))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				if typ, _ := ari.PeekType(sc.Bytes()); handledTypes[typ] {
					out = append(out, bytes.Clone(sc.Bytes()))
				}
			}
		}
	}
	if len(out) == 0 {
		tb.Skip("no recorded sip-* streams")
	}
	return out
}

// TestDecodeWireEveryFoldedFrame: every folded frame of the recordings
// decodes, with its primary channel and a timestamp.
func TestDecodeWireEveryFoldedFrame(t *testing.T) {
	for _, raw := range foldedFrames(t) {
		ev, at, err := decodeWire(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if at.IsZero() || primaryChannel(ev) == nil || primaryChannel(ev).ID == "" {
			t.Fatalf("%s: decoded %+v at %v", raw, ev, at)
		}
	}
}

// BenchmarkDecodeTracker is the tracker's decoding of the frames it folds:
// ari.Decode (the generated reader) and the view fold reads. Before issue
// 22 the tracker decoded with go-json-experiment into a union struct of its
// own: 1.4x slower on these frames (BENCHMARKS.md).
func BenchmarkDecodeTracker(b *testing.B) {
	frames := foldedFrames(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range frames {
			if _, _, err := decodeWire(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(frames))/b.Elapsed().Seconds(), "events/s")
}
