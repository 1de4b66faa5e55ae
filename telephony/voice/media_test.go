package voice_test

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm/postgres/pgtest"
	"hotline/telephony/voice"
	"hotline/telephony/voice/voicetest"
)

// stereoWAV is a 16-bit stereo PCM WAV of frames frames of a 440 Hz tone.
func stereoWAV(rate, frames int) []byte {
	b := make([]byte, 44+frames*4)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+frames*4))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 2)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*4))
	binary.LittleEndian.PutUint16(b[32:], 4)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(frames*4))
	for i := range frames {
		v := uint16(int16(10000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate))))
		binary.LittleEndian.PutUint16(b[44+4*i:], v)
		binary.LittleEndian.PutUint16(b[46+4*i:], v)
	}
	return b
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

func TestMediaURLsAreSignedAndExpire(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	v, base := voicetest.Serve(t, st.Voice)
	ctx := context.Background()
	uri, err := v.Media(ctx, "ru", "Ваша заявка номер")
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(uri, "sound:")
	if !ok || !strings.HasPrefix(url, base+voice.MediaPath) || len(url) < voice.MinURL {
		t.Fatalf("media URI %q", uri)
	}
	code, h, body := get(t, url)
	if code != 200 || h.Get("Content-Type") != "audio/wav" {
		t.Fatalf("GET %s: %d %s", url, code, h.Get("Content-Type"))
	}
	wantPhoneWAV(t, body)

	// The same text and language: the same audio, not synthesized again.
	again, err := v.Media(ctx, "ru", "  Ваша заявка номер ")
	if err != nil || again != uri {
		t.Fatalf("second URI %q (%v), want %q", again, err, uri)
	}

	rest := strings.TrimPrefix(url, base+voice.MediaPath) // {exp}/{mac}/{id}.wav
	parts := strings.Split(rest, "/")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"mac altered":    parts[0] + "/" + flip(parts[1]) + "/" + parts[2],
		"id altered":     parts[0] + "/" + parts[1] + "/" + flip(parts[2]),
		"expiry altered": "9" + parts[0] + "/" + parts[1] + "/" + parts[2],
		"no mac":         parts[0] + "/" + parts[2],
	} {
		if code, _, _ := get(t, base+voice.MediaPath+bad); code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, code)
		}
	}

	// The same URL once its time is over.
	later := voice.Signer{Secret: nil, Now: func() time.Time { return time.Now().Add(3 * time.Hour) }}
	if _, _, err := later.Check(rest); err == nil {
		t.Fatal("an unsigned checker accepted the URL")
	}
	expired, err := voice.New(ctx, voice.Options{Store: st.Voice, Synth: voicetest.Espeak(t), BaseURL: base,
		Now: func() time.Time { return time.Now().Add(3 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpServer(t, expired.Handler())
	if code, _, _ := get(t, srv+voice.MediaPath+rest); code != http.StatusForbidden {
		t.Fatalf("expired URL: %d, want 403", code)
	}
	// ...while the same server signs and serves fresh URLs.
	a, err := expired.Ensure(ctx, "ru", "Ваша заявка номер")
	if err != nil {
		t.Fatal(err)
	}
	fresh := strings.Replace(expired.URL(a), base, srv, 1)
	if code, _, _ := get(t, fresh); code != 200 {
		t.Fatalf("fresh URL %s: %d", fresh, code)
	}
}

func TestUploadReplacesSynthesizedAudioUnderANewURL(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	v, _ := voicetest.Serve(t, st.Voice)
	ctx := context.Background()
	synth, err := v.Ensure(ctx, "en", "Thank you for calling")
	if err != nil || synth.Source != voice.Synthesized {
		t.Fatalf("%+v %v", synth, err)
	}
	up, err := v.Upload(ctx, "en", "Thank you for calling", stereoWAV(44100, 44100*3))
	if err != nil || up.Source != voice.Uploaded || up.Key != synth.Key {
		t.Fatalf("%+v %v", up, err)
	}
	if absDur(up.Duration-3*time.Second) > time.Millisecond {
		t.Fatalf("uploaded duration %s", up.Duration)
	}
	got, err := v.Ensure(ctx, "en", "Thank you for calling")
	if err != nil || got.Version != up.Version || v.URL(got) == v.URL(synth) {
		t.Fatalf("after upload: %+v %v", got, err)
	}
	// A URL made before the upload (by a replica that had not learnt of it
	// yet) plays the recording, cached briefly.
	code, h, old := get(t, v.URL(synth))
	if code != 200 || h.Get("Cache-Control") != "private, max-age=60" || h.Get("ETag") != `"`+got.ID()+`"` {
		t.Fatalf("the replaced audio's URL: %d %q %q", code, h.Get("Cache-Control"), h.Get("ETag"))
	}
	code, _, body := get(t, v.URL(got))
	if string(body) != string(old) {
		t.Fatal("the old URL does not play the recording")
	}
	if code != 200 {
		t.Fatalf("uploaded audio: %d", code)
	}
	if f := wantPhoneWAV(t, body); f.Duration != up.Duration {
		t.Fatalf("served %s, stored %s", f.Duration, up.Duration)
	}
	if _, err := v.Upload(ctx, "en", "Thank you for calling", []byte("<html>not audio</html>")); err == nil {
		t.Fatal("a non-audio upload was accepted")
	}
	if still, _ := v.Ensure(ctx, "en", "Thank you for calling"); still.Version != up.Version {
		t.Fatal("a refused upload changed the audio")
	}
}
