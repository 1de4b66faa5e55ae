package voice

import (
	"math"
	"math/rand/v2"
	"testing"
)

// directResample is the resampler computed tap by tap, every weight from
// its window (how it was before the weights were tabled by fraction).
func directResample(in []float64, from, to int) []float64 {
	ratio := float64(to) / float64(from)
	cutoff := math.Min(1, ratio) * 0.95
	const taps = 16
	half := int(math.Ceil(taps / math.Min(1, ratio)))
	n := int(float64(len(in)) * ratio)
	out := make([]float64, n)
	for i := range n {
		center := float64(i) / ratio
		lo, hi := int(center)-half, int(center)+half
		var acc, norm float64
		for j := max(lo, 0); j <= hi && j < len(in); j++ {
			x := float64(j) - center
			w := cutoff * sinc(cutoff*x) * blackman(x/float64(half))
			acc += in[j] * w
			norm += w
		}
		if norm != 0 {
			out[i] = acc / norm
		}
	}
	return out
}

// TestResampleEqualsDirect: the tabled resampler gives the direct one's
// samples (to rounding far below a 16-bit step) for the rates synthesizers
// and uploads have, long and short (shorter than the table: computed
// directly), up and down.
func TestResampleEqualsDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ from, to, samples int }{
		{22050, 8000, 22050}, {44100, 8000, 9000}, {48000, 8000, 4800}, {16000, 8000, 3000},
		{11025, 8000, 5000}, {24000, 8000, 2400}, {8000, 22050, 800}, {22050, 8000, 50}, {44101, 8000, 3000},
	} {
		in := make([]float64, c.samples)
		for i := range in {
			in[i] = rng.Float64()*2 - 1
		}
		got, want := resample(in, c.from, c.to), directResample(in, c.from, c.to)
		if len(got) != len(want) {
			t.Fatalf("%d→%d: %d samples, want %d", c.from, c.to, len(got), len(want))
		}
		for i := range got {
			if d := math.Abs(got[i] - want[i]); d > 1e-9 {
				t.Fatalf("%d→%d: sample %d is %v, want %v", c.from, c.to, i, got[i], want[i])
			}
		}
	}
}

// BenchmarkResample: three seconds of espeak-ng's 22050 Hz to 8 kHz.
func BenchmarkResample(b *testing.B) {
	in := make([]float64, 3*22050)
	for i := range in {
		in[i] = math.Sin(float64(i) / 10)
	}
	b.Run("tabled", func(b *testing.B) {
		for range b.N {
			resample(in, 22050, 8000)
		}
	})
	b.Run("direct", func(b *testing.B) {
		for range b.N {
			directResample(in, 22050, 8000)
		}
	})
}
