package aritest

import (
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// silentWAV is an 8 kHz mono 16-bit WAV of d.
func silentWAV(d time.Duration) []byte {
	n := int(d.Seconds() * 8000)
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	return b
}

func eventTime(t *testing.T, e event) time.Time {
	t.Helper()
	ts, _ := e["timestamp"].(string)
	at, err := time.Parse(ari.TimeLayout, ts)
	if err != nil {
		t.Fatalf("timestamp %q: %v", ts, err)
	}
	return at
}

// TestHTTPMediaPlaysLikeAsterisk: a sound:http:// URL is fetched and plays
// for the audio's real length; a URL shorter than Asterisk 22.10.1's media
// cache handles, or one answering 403, fails; of several media=
// parameters only the last plays; CHANNEL(language) sets the playback's
// language.
func TestHTTPMediaPlaysLikeAsterisk(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "forbidden") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		_, _ = w.Write(silentWAV(3 * time.Second))
	})
	media := httptest.NewServer(mux)
	defer media.Close()
	long := media.URL + "/media/v1/prompts/a-long-enough-path-for-the-cache.wav"
	short := media.URL + "/a.wav"
	if len(short) >= 45 || len(long) < 45 {
		t.Fatalf("test URLs %d and %d characters long", len(short), len(long))
	}

	s := New(Options{Speed: 20, Seed: 7})
	defer s.Close()
	a := connectApp(t, s)
	ch := a.subscribe()
	id := a.restID("POST", "/channels/create?app=hotline&endpoint=Local%2Ftalk%40sim-customer", "")
	if st, body := a.rest("POST", "/channels/"+id+"/variable?variable=CHANNEL(language)&value=ru", ""); st != 204 {
		t.Fatalf("set language: %d %s", st, body)
	}
	play := func(pid string, media ...string) {
		t.Helper()
		q := url.Values{"playbackId": {pid}, "media": media}
		if st, body := a.rest("POST", "/channels/"+id+"/play?"+q.Encode(), ""); st != 201 {
			t.Fatalf("play %s: %d %s", pid, st, body)
		}
	}
	finished := func(pid string) (started, done event) {
		t.Helper()
		started = a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypePlaybackStarted && e.obj("playback")["id"] == pid })
		done = a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypePlaybackFinished && e.obj("playback")["id"] == pid })
		return started, done
	}

	play("good", "sound:"+long)
	started, done := finished("good")
	if got := eventTime(t, done).Sub(eventTime(t, started)); got < 2900*time.Millisecond || got > 3500*time.Millisecond {
		t.Errorf("a 3 s WAV played %s", got)
	}
	if done.obj("playback")["state"] != "done" || started.obj("playback")["language"] != "ru" {
		t.Errorf("good: %v / %v", started.obj("playback"), done.obj("playback"))
	}
	if f := s.MediaFetched(); len(f) != 1 || f[0] != long {
		t.Errorf("fetched %v", f)
	}

	play("short", "sound:"+short)
	if _, done := finished("short"); done.obj("playback")["state"] != "failed" {
		t.Errorf("a %d-character URL played: %v", len(short), done.obj("playback"))
	}
	play("denied", "sound:"+media.URL+"/media/v1/forbidden/forbidden/forbidden/x.wav")
	if _, done := finished("denied"); done.obj("playback")["state"] != "failed" {
		t.Errorf("a 403 URL played: %v", done.obj("playback"))
	}

	// Two media= parameters: only the last, comma-separated list plays.
	play("several", "sound:hello-world", "sound:beep,sound:"+long)
	first := a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypePlaybackStarted && e.obj("playback")["id"] == "several" })
	if first.obj("playback")["media_uri"] != "sound:beep" {
		t.Errorf("several media= parameters: started with %v, want sound:beep", first.obj("playback")["media_uri"])
	}
	a.mustWhere(ch, func(e event) bool {
		return e.typ() == ari.TypePlaybackStarted && e.obj("playback")["id"] == "several" && e.obj("playback")["media_uri"] == "sound:"+long
	})
	a.mustWhere(ch, func(e event) bool { return e.typ() == ari.TypePlaybackFinished && e.obj("playback")["id"] == "several" })
	for _, e := range a.snapshot() {
		if e.typ() == ari.TypePlaybackStarted && e.obj("playback")["media_uri"] == "sound:hello-world" {
			t.Fatal("the first media= parameter played")
		}
	}
}
