package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/hajimehoshi/go-mp3"
)

// The format every prompt is stored and served in: what Asterisk plays on
// an 8 kHz telephone channel (ulaw/alaw/g729 are 8 kHz codecs) without
// resampling. slin (signed linear 16-bit) transcodes to any of them cheaply.
const (
	SampleRate = 8000
	// MaxAudio bounds one prompt's length: longer input is refused, so a
	// stray upload cannot fill the database or hold a caller for minutes.
	MaxAudio = 5 * time.Minute
	// MaxUpload bounds an uploaded file.
	MaxUpload = 10 << 20
)

// ErrFormat is returned for input that is neither a PCM WAV nor an MP3.
var ErrFormat = errors.New("voice: not a PCM WAV or MP3 file")

// ToPhone converts a WAV (PCM 8/16/24/32-bit integer or 32-bit float, any
// rate and channel count) or an MP3 file to 8 kHz mono 16-bit WAV.
func ToPhone(data []byte) ([]byte, error) {
	if len(data) > MaxUpload {
		return nil, fmt.Errorf("voice: the file is over %d MiB", MaxUpload>>20)
	}
	var (
		samples []float64
		rate    int
		err     error
	)
	switch {
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WAVE":
		samples, rate, err = decodeWAV(data)
	case looksLikeMP3(data):
		samples, rate, err = decodeMP3(data)
	default:
		return nil, ErrFormat
	}
	if err != nil {
		return nil, err
	}
	if len(samples) == 0 {
		return nil, errors.New("voice: the audio is empty")
	}
	return EncodeWAV(resample(samples, rate, SampleRate)), nil
}

// looksLikeMP3: an ID3v2 tag or an MPEG audio frame sync.
func looksLikeMP3(b []byte) bool {
	return len(b) >= 3 && string(b[:3]) == "ID3" || len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0
}

// decodeWAV reads the fmt and data chunks of a RIFF WAVE file and mixes
// its channels down to mono samples in [-1, 1].
func decodeWAV(b []byte) ([]float64, int, error) {
	var (
		format, channels, bits uint16
		rate                   uint32
		haveFmt                bool
	)
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		body := b[off+8:]
		if size < 0 || size > len(body) {
			size = len(body) // writers streaming to a pipe leave sizes at 0 or 0xFFFFFFFF
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, fmt.Errorf("%w: short fmt chunk", ErrFormat)
			}
			format = binary.LittleEndian.Uint16(body[0:])
			channels = binary.LittleEndian.Uint16(body[2:])
			rate = binary.LittleEndian.Uint32(body[4:])
			bits = binary.LittleEndian.Uint16(body[14:])
			if format == 0xFFFE && len(body) >= 26 { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
				format = binary.LittleEndian.Uint16(body[24:])
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, fmt.Errorf("%w: data before fmt", ErrFormat)
			}
			s, err := pcmSamples(body, format, int(channels), int(bits), int(rate))
			return s, int(rate), err
		}
		off += 8 + size + size&1
	}
	return nil, 0, fmt.Errorf("%w: no data chunk", ErrFormat)
}

func pcmSamples(body []byte, format uint16, channels, bits, rate int) ([]float64, error) {
	if channels < 1 || channels > 8 || rate < 4000 || rate > 192000 {
		return nil, fmt.Errorf("%w: %d channels at %d Hz", ErrFormat, channels, rate)
	}
	ok := format == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32) || format == 3 && bits == 32
	if !ok {
		return nil, fmt.Errorf("%w: encoding %d with %d bits (want PCM or float)", ErrFormat, format, bits)
	}
	width := bits / 8
	frames := len(body) / (width * channels)
	if time.Duration(frames)*time.Second/time.Duration(rate) > MaxAudio {
		return nil, fmt.Errorf("voice: the audio is longer than %s", MaxAudio)
	}
	out := make([]float64, frames)
	for i := range frames {
		var sum float64
		for c := range channels {
			p := body[(i*channels+c)*width:]
			switch {
			case format == 3:
				sum += float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
			case bits == 8:
				sum += (float64(p[0]) - 128) / 128
			case bits == 16:
				sum += float64(int16(binary.LittleEndian.Uint16(p))) / 32768
			case bits == 24:
				sum += float64(int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24)>>8) / (1 << 23)
			default:
				sum += float64(int32(binary.LittleEndian.Uint32(p))) / (1 << 31)
			}
		}
		out[i] = sum / float64(channels)
	}
	return out, nil
}

// decodeMP3 decodes an MP3 (go-mp3 gives 16-bit stereo at the file's rate).
func decodeMP3(b []byte) ([]float64, int, error) {
	d, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	rate := d.SampleRate()
	limit := int64(MaxAudio/time.Second) * int64(rate) * 4
	pcm, err := io.ReadAll(io.LimitReader(d, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("voice: decode the MP3: %w", err)
	}
	if int64(len(pcm)) > limit {
		return nil, 0, fmt.Errorf("voice: the audio is longer than %s", MaxAudio)
	}
	s, err := pcmSamples(pcm, 1, 2, 16, rate)
	return s, rate, err
}

// resample converts samples from rate in to rate out with a windowed-sinc
// low-pass at the lower Nyquist frequency (no aliasing when going down
// from 22050 or 44100 Hz to 8000 Hz).
func resample(in []float64, from, to int) []float64 {
	if from == to {
		return in
	}
	ratio := float64(to) / float64(from)
	cutoff := math.Min(1, ratio) * 0.95 // of the input's Nyquist frequency
	const taps = 16                     // zero crossings on each side, at the output's rate
	half := int(math.Ceil(taps / math.Min(1, ratio)))
	width := 2*half + 1
	weight := func(x float64) float64 { return cutoff * sinc(cutoff*x) * blackman(x/float64(half)) }
	n := int(float64(len(in)) * ratio)
	out := make([]float64, n)
	// Output sample i sits at i·from/to in the input: input sample
	// i·from/to (integer division) plus a fraction that repeats every
	// phases = to/gcd(from, to) outputs. The weights of each fraction are
	// computed once (a sine and two cosines a tap), unless the audio is
	// shorter than the table.
	phases := to / gcd(from, to)
	var table []float64
	if phases <= n {
		table = make([]float64, phases*width)
		for p := range phases {
			frac := float64(p*from%to) / float64(to)
			for d := -half; d <= half; d++ {
				table[p*width+d+half] = weight(float64(d) - frac)
			}
		}
	}
	for i := range n {
		base, p := i*from/to, i%phases
		frac := float64(i*from%to) / float64(to)
		var acc, norm float64
		for d := max(-half, -base); d <= half && base+d < len(in); d++ {
			var w float64
			if table != nil {
				w = table[p*width+d+half]
			} else {
				w = weight(float64(d) - frac)
			}
			acc += in[base+d] * w
			norm += w
		}
		if norm != 0 {
			out[i] = acc / norm
		}
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window on [-1, 1].
func blackman(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	t := (x + 1) / 2
	return 0.42 - 0.5*math.Cos(2*math.Pi*t) + 0.08*math.Cos(4*math.Pi*t)
}

// EncodeWAV writes mono samples in [-1, 1] as an 8 kHz 16-bit PCM WAV.
func EncodeWAV(samples []float64) []byte {
	data := len(samples) * 2
	b := make([]byte, 44+data)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], SampleRate)
	binary.LittleEndian.PutUint32(b[28:], SampleRate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	for i, s := range samples {
		v := math.Round(s * 32767)
		v = math.Max(-32768, math.Min(32767, v))
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(v)))
	}
	return b
}

// Format describes a WAV file's encoding.
type Format struct {
	Encoding, Channels, Bits int
	Rate                     int
	Duration                 time.Duration
}

// Inspect reads a WAV file's format and duration without decoding it.
func Inspect(b []byte) (Format, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Format{}, ErrFormat
	}
	var f Format
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		body := b[off+8:]
		if size < 0 || size > len(body) {
			size = len(body)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return Format{}, ErrFormat
			}
			f.Encoding = int(binary.LittleEndian.Uint16(body[0:]))
			f.Channels = int(binary.LittleEndian.Uint16(body[2:]))
			f.Rate = int(binary.LittleEndian.Uint32(body[4:]))
			f.Bits = int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			bytesPerSec := f.Rate * f.Channels * f.Bits / 8
			if bytesPerSec == 0 {
				return Format{}, ErrFormat
			}
			f.Duration = time.Duration(size) * time.Second / time.Duration(bytesPerSec)
			return f, nil
		}
		off += 8 + size + size&1
	}
	return Format{}, ErrFormat
}
