package voice_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"hotline/telephony/voice"
	"hotline/telephony/voice/voicetest"
)

// wantPhoneWAV checks the format every prompt is served in.
func wantPhoneWAV(t *testing.T, wav []byte) voice.Format {
	t.Helper()
	f, err := voice.Inspect(wav)
	if err != nil {
		t.Fatalf("not a WAV: %v", err)
	}
	if f.Encoding != 1 || f.Channels != 1 || f.Bits != 16 || f.Rate != 8000 {
		t.Fatalf("format %+v, want PCM mono 16-bit 8000 Hz", f)
	}
	return f
}

func TestSynthesizedPromptIsPhoneWAVAndGrowsWithText(t *testing.T) {
	t.Parallel()
	synth := voicetest.Espeak(t)
	ctx := context.Background()
	durations := map[string]time.Duration{}
	for _, text := range []string{"Спасибо.", "Оцените, пожалуйста, работу оператора от одного до пяти. Нажмите цифру на телефоне."} {
		raw, err := synth.Synthesize(ctx, "ru", text)
		if err != nil {
			t.Fatal(err)
		}
		wav, err := voice.ToPhone(raw)
		if err != nil {
			t.Fatal(err)
		}
		durations[text] = wantPhoneWAV(t, wav).Duration
		if durations[text] < 300*time.Millisecond {
			t.Fatalf("%q lasts %s", text, durations[text])
		}
		// The resampled audio is the same length as espeak-ng's 22050 Hz output.
		src, _ := voice.Inspect(raw)
		if src.Rate == 8000 || absDur(src.Duration-durations[text]) > 5*time.Millisecond {
			t.Fatalf("source %+v, converted %s", src, durations[text])
		}
	}
	short, long := durations["Спасибо."], durations["Оцените, пожалуйста, работу оператора от одного до пяти. Нажмите цифру на телефоне."]
	if long < 3*short {
		t.Fatalf("a long text lasts %s, a short one %s: want the long one much longer", long, short)
	}
}

// TestTextNeverReachesAShell: a text with shell syntax and a leading dash
// is spoken (or refused), never run or read as an option.
func TestTextNeverReachesAShell(t *testing.T) {
	t.Parallel()
	voicetest.RequireTool(t, "espeak-ng", "espeak-ng")
	dir := t.TempDir()
	marker := dir + "/pwned"
	cmd, err := voice.ParseCommand("espeak-ng -v {voice} -w {out} {text}")
	if err != nil {
		t.Fatal(err)
	}
	text := "-w " + marker + " $(touch " + marker + "); touch " + marker
	raw, err := cmd.Synthesize(context.Background(), "en", text)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the text was run or taken for an option")
	}
	if _, err := voice.ToPhone(raw); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Synthesize(context.Background(), "en; rm -rf /", "hello"); err == nil || !strings.Contains(err.Error(), "voice") {
		t.Fatalf("a voice with shell syntax was accepted: %v", err)
	}
}

func TestBadCommandTemplates(t *testing.T) {
	t.Parallel()
	for name, tmpl := range map[string]string{"empty": " ", "no out": "espeak-ng -v {voice} {text}", "no text": "espeak-ng -w {out}"} {
		if _, err := voice.ParseCommand(tmpl); err == nil {
			t.Errorf("%s: %q accepted", name, tmpl)
		}
	}
}

func TestUploadedMP3BecomesPhoneWAV(t *testing.T) {
	t.Parallel()
	// testdata/greeting.mp3: 44.1 kHz stereo, 2.0 s (lame from a 1 kHz tone).
	mp3, err := os.ReadFile("testdata/greeting.mp3")
	if err != nil {
		t.Fatal(err)
	}
	wav, err := voice.ToPhone(mp3)
	if err != nil {
		t.Fatal(err)
	}
	f := wantPhoneWAV(t, wav)
	if f.Duration < 1900*time.Millisecond || f.Duration > 2200*time.Millisecond {
		t.Fatalf("duration %s, want about 2 s", f.Duration)
	}
}

func TestUploadedWAVAnyRateBecomesPhoneWAV(t *testing.T) {
	t.Parallel()
	wav, err := voice.ToPhone(stereoWAV(48000, 48000)) // one second at 48 kHz, stereo
	if err != nil {
		t.Fatal(err)
	}
	if f := wantPhoneWAV(t, wav); absDur(f.Duration-time.Second) > time.Millisecond {
		t.Fatalf("duration %s, want 1 s", f.Duration)
	}
	for name, bad := range map[string][]byte{"text": []byte("hello"), "truncated": stereoWAV(48000, 0)[:30]} {
		if _, err := voice.ToPhone(bad); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
