package aritest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"hotline/telephony/ari"
)

// playback is one media playback on a channel or bridge.
type playback struct {
	id, target, lang string
	media            []string
	idx              int
	state            string
	owner            *channel // nil for bridge playbacks
	lost             bool     // started but will never finish (bad media URI)
	fetches          int      // HTTP media fetched so far (a stale fetch is ignored)
}

type playbackJSON struct {
	ID           string `json:"id"`
	MediaURI     string `json:"media_uri"`
	NextMediaURI string `json:"next_media_uri,omitempty"`
	TargetURI    string `json:"target_uri"`
	Language     string `json:"language"`
	State        string `json:"state"`
}

func (p *playback) json() playbackJSON {
	j := playbackJSON{ID: p.id, MediaURI: p.media[p.idx], TargetURI: p.target, Language: p.lang, State: p.state}
	if p.idx+1 < len(p.media) {
		j.NextMediaURI = p.media[p.idx+1]
	}
	return j
}

// soundLength are the known sounds and their lengths (hello-world and beep
// as recorded); other sound: names fail like missing files.
var soundLength = map[string]time.Duration{
	"hello-world": 1400 * time.Millisecond, "beep": 424 * time.Millisecond,
	"demo-thanks": 2 * time.Second, "vm-goodbye": 800 * time.Millisecond,
	"queue-thankyou": 1500 * time.Millisecond, "pls-hold-while-try": 2 * time.Second,
	"tt-monkeys": 6 * time.Second, "agent-pass": time.Second, "auth-thankyou": time.Second,
}

// mediaOutcome tells how a media URI plays: its duration, or failed (start
// then finish "failed"), or hang (start, never finish).
func mediaOutcome(uri string) (d time.Duration, failed, hang bool) {
	scheme, name, ok := strings.Cut(uri, ":")
	if !ok {
		return 0, false, true
	}
	switch scheme {
	case "sound":
		if isHTTP(name) {
			return 0, false, false // fetched: see playHTTP
		}
		if l, known := soundLength[name]; known {
			return l, false, false
		}
		return 0, true, false
	case "digits":
		for _, r := range name {
			if !strings.ContainsRune("0123456789*#ABCD", r) {
				return 0, false, true
			}
		}
		return time.Duration(len(name)) * 500 * time.Millisecond, false, false
	case "number":
		// Asterisk says the number in words in the channel's language:
		// about 0.6 s a digit.
		n := strings.TrimPrefix(name, "-")
		if n == "" || strings.Trim(n, "0123456789") != "" {
			return 0, true, false
		}
		return time.Duration(len(n)) * 600 * time.Millisecond, false, false
	case "tone":
		return 0, false, true
	}
	return 0, false, true
}

func (s *Server) handlePlayChannel(w http.ResponseWriter, r *http.Request, c *channel) {
	s.play(w, r, "channel:"+c.id, c)
}

func (s *Server) handlePlayBridge(w http.ResponseWriter, r *http.Request, b *bridge) {
	s.play(w, r, "bridge:"+b.id, nil)
}

// play queues a playback (201 with state queued); a channel plays its
// playbacks one after the other. Caller holds s.mu.
func (s *Server) play(w http.ResponseWriter, r *http.Request, target string, c *channel) {
	q := r.URL.Query()
	// Of several media= parameters only the last plays (as on Asterisk
	// 22.10.1); several media go comma-separated in one.
	var media []string
	if all := q["media"]; len(all) > 0 {
		media = strings.Split(all[len(all)-1], ",")
	}
	if len(media) == 0 || media[0] == "" {
		writeJSON(w, http.StatusInternalServerError, msg("Failed to queue media for playback"))
		return
	}
	id := q.Get("playbackId")
	if id == "" {
		id = r.PathValue("pid")
	}
	if id == "" {
		id = s.newUUID()
	}
	if old := s.playback[id]; old != nil && old.state != "done" && old.state != "failed" {
		writeJSON(w, http.StatusConflict, msg("Playback with given id already exists"))
		return
	}
	p := &playback{id: id, target: target, media: media, state: "queued", owner: c, lang: q.Get("lang")}
	if p.lang == "" && c != nil {
		p.lang = c.vars["CHANNEL(language)"]
	}
	if p.lang == "" {
		p.lang = "en"
	}
	s.playback[id] = p
	writeJSON(w, http.StatusCreated, p.json())
	if c == nil {
		s.startPlayback(p)
		return
	}
	c.playQueue = append(c.playQueue, p)
	if c.playing == nil {
		s.nextPlayback(c)
	}
}

// nextPlayback starts the channel's next queued playback.
func (s *Server) nextPlayback(c *channel) {
	for c.playing == nil && len(c.playQueue) > 0 && !c.destroyed {
		p := c.playQueue[0]
		c.playQueue = c.playQueue[1:]
		if s.startPlayback(p) {
			c.playing = p
		}
	}
}

// startPlayback emits PlaybackStarted and schedules the rest; it reports
// whether the playback occupies the channel.
func (s *Server) startPlayback(p *playback) bool {
	p.state = "playing"
	s.emit(ari.TypePlaybackStarted, "playback:"+p.id, fields{"playback": p.json()})
	return s.playCurrent(p)
}

func (s *Server) playCurrent(p *playback) bool {
	if u, ok := strings.CutPrefix(p.media[p.idx], "sound:"); ok && isHTTP(u) {
		return s.playHTTP(p, u)
	}
	d, failed, hang := mediaOutcome(p.media[p.idx])
	switch {
	case failed:
		p.state = "failed"
		s.emit(ari.TypePlaybackFinished, "playback:"+p.id, fields{"playback": p.json()})
		return false
	case hang:
		// Never finishes and does not block the queue; digits: with bad
		// characters fails when the channel hangs up.
		p.lost = true
		if p.owner != nil {
			p.owner.hungPlays = append(p.owner.hungPlays, p)
		}
		return false
	}
	s.clock.AfterFunc(d, func() { s.locked(func() { s.advancePlayback(p) }) })
	return true
}

// advancePlayback moves to the next media URI or finishes.
func (s *Server) advancePlayback(p *playback) {
	if p.state != "playing" && p.state != "continuing" {
		return
	}
	if p.idx+1 < len(p.media) {
		p.idx++
		p.state = "continuing"
		s.emit(ari.TypePlaybackContinuing, "playback:"+p.id, fields{"playback": p.json()})
		p.state = "playing"
		s.emit(ari.TypePlaybackStarted, "playback:"+p.id, fields{"playback": p.json()})
		if !s.playCurrent(p) {
			s.releaseChannel(p)
		}
		return
	}
	p.state = "done"
	s.emit(ari.TypePlaybackFinished, "playback:"+p.id, fields{"playback": p.json()})
	s.releaseChannel(p)
}

func (s *Server) releaseChannel(p *playback) {
	if c := p.owner; c != nil && c.playing == p {
		c.playing = nil
		s.nextPlayback(c)
	}
}

// stopPlayback ends a playback early (DELETE /playbacks, or the channel
// went away: state "" keeps "failed" for hung digits as recorded).
func (s *Server) stopPlayback(p *playback, state string) {
	if p.state == "done" || p.state == "failed" {
		return
	}
	if state == "" {
		state = "done"
		if strings.HasPrefix(p.media[p.idx], "digits:") {
			state = "failed"
		}
	}
	p.state = state
	s.emit(ari.TypePlaybackFinished, "playback:"+p.id, fields{"playback": p.json()})
	if c := p.owner; c != nil && c.playing == p {
		c.playing = nil
		if !c.destroyed {
			s.nextPlayback(c)
		}
	}
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

// minHTTPMediaURL is the shortest HTTP media URL Asterisk 22.10.1 plays: it
// cuts its cache file's path to the URL's length, so a shorter one fails
// with "does not exist in any format".
const minHTTPMediaURL = 45

// maxHTTPMedia bounds a fetched media file.
const maxHTTPMedia = 16 << 20

// playHTTP plays sound:http://… media as Asterisk's res_http_media_cache
// does: a URL shorter than minHTTPMediaURL fails (Asterisk 22.10.1 cuts its
// cache file's path to the URL's length and finds nothing); any other is
// fetched, and a 200 WAV plays for its real duration, anything else fails.
// Caller holds s.mu; the fetch runs without it.
func (s *Server) playHTTP(p *playback, url string) bool {
	if len(url) < minHTTPMediaURL {
		s.logger.Warn("aritest: HTTP media URL too short for Asterisk's media cache", "url", url)
		s.failPlayback(p)
		return false
	}
	p.fetches++
	fetch, idx := p.fetches, p.idx
	go func() {
		d, err := s.fetchMedia(url)
		s.locked(func() {
			if p.fetches != fetch || p.idx != idx || (p.state != "playing" && p.state != "continuing") {
				return // stopped or moved on meanwhile
			}
			if err != nil {
				s.logger.Warn("aritest: HTTP media failed", "url", url, "err", err)
				s.failPlayback(p)
				s.releaseChannel(p)
				return
			}
			s.clock.AfterFunc(d, func() { s.locked(func() { s.advancePlayback(p) }) })
		})
	}()
	return true
}

func (s *Server) failPlayback(p *playback) {
	p.state = "failed"
	s.emit(ari.TypePlaybackFinished, "playback:"+p.id, fields{"playback": p.json()})
}

// fetchMedia GETs a WAV and returns its duration.
func (s *Server) fetchMedia(url string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPMedia))
	if err != nil {
		return 0, err
	}
	d, err := wavDuration(body)
	if err != nil {
		return 0, err
	}
	s.mediaFetched(url)
	return d, nil
}

// wavDuration reads a RIFF WAVE file's length from its fmt and data chunks.
func wavDuration(b []byte) (time.Duration, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, errors.New("not a WAV file")
	}
	var byteRate int
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		if size < 0 || size > len(b)-off-8 {
			size = len(b) - off - 8
		}
		switch {
		case id == "fmt " && size >= 16:
			byteRate = int(binary.LittleEndian.Uint32(b[off+16:]))
		case id == "data" && byteRate > 0:
			return time.Duration(size) * time.Second / time.Duration(byteRate), nil
		}
		off += 8 + size + size&1
	}
	return 0, errors.New("WAV without fmt and data chunks")
}

func (s *Server) mediaFetched(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fetched) < 10000 {
		s.fetched = append(s.fetched, url)
	}
}

// MediaFetched returns the HTTP media URLs the PBX fetched and played (a
// 200 answer with a WAV), in order.
func (s *Server) MediaFetched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.fetched...)
}
