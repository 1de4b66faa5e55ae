// Package voice gives Hotline's phone lines their words: it synthesizes a
// prompt's text with a text-to-speech program on the host (espeak-ng by
// default), or takes an admin's uploaded recording (WAV or MP3), converts
// either to 8 kHz mono 16-bit WAV, keeps it in the database by text and
// language, and serves it to Asterisk over HTTP under signed, expiring
// URLs that Asterisk plays as "sound:http://…" media.
//
// Audio is kept in PostgreSQL rather than on one host's disk: every
// replica can then answer any media URL Asterisk fetches, an uploaded
// recording survives and is shared at once, and a prompt is a few tens of
// kilobytes. Synthesis happens once per text and language, on whichever
// replica first needs it.
package voice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"hotline/crm"
)

// Source tells where a prompt's audio came from.
type Source string

// The sources.
const (
	Synthesized Source = "tts"
	Uploaded    Source = "upload"
)

// Audio is one prompt's sound: its text in a language and the WAV spoken.
type Audio struct {
	Key      string // Key(lang, text)
	Lang     string
	Text     string
	Source   Source
	WAV      []byte // 8 kHz mono 16-bit; empty in AudioInfo answers
	Duration time.Duration
	// Version changes with every new audio for the key, and is part of
	// the media URL: Asterisk's cache then never plays an old recording.
	Version   int64
	UpdatedAt time.Time
}

// ID is the audio's media id: key and version.
func (a Audio) ID() string { return a.Key + "-" + strconv.FormatInt(a.Version, 36) }

// Key names the audio of text spoken in lang.
func Key(lang, text string) string {
	h := sha256.Sum256([]byte(lang + "\x00" + text))
	return hex.EncodeToString(h[:16])
}

// Store keeps audio (crm/postgres.Store). Missing audio is a crm
// KindNotFound error.
type Store interface {
	AudioInfo(ctx context.Context, key string) (Audio, error)
	AudioData(ctx context.Context, key string, version int64) ([]byte, error)
	// PutAudio stores a as the audio of its key, replacing any, and sets
	// a.Version and a.UpdatedAt.
	PutAudio(ctx context.Context, a *Audio) error
	// MediaSecret returns the server's media signing secret, creating it
	// once for every replica.
	MediaSecret(ctx context.Context) ([]byte, error)
}

// Synthesizer speaks a text in a voice into a WAV file (*Command).
type Synthesizer interface {
	Synthesize(ctx context.Context, voice, text string) ([]byte, error)
}

// Options configure a Voice. Store and Synth are required.
type Options struct {
	Store   Store
	Synth   Synthesizer
	BaseURL string // HOTLINE_MEDIA_BASE_URL: how Asterisk reaches Hotline
	TTL     time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
}

// Voice makes prompts' audio and their media URIs.
type Voice struct {
	o      Options
	signer Signer
	sem    chan struct{} // syntheses at a time

	mu      sync.Mutex
	known   map[string]knownAudio // key -> audio info recently seen
	pending map[string]*sync.Mutex
}

type knownAudio struct {
	a    Audio
	seen time.Time
}

// knownFor bounds how long a replica trusts what it knows of a key: an
// upload on another replica reaches this one's URLs within it.
const knownFor = 30 * time.Second

// New loads the media secret and returns a Voice.
func New(ctx context.Context, o Options) (*Voice, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	secret, err := o.Store.MediaSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("voice: media secret: %w", err)
	}
	v := &Voice{o: o, signer: Signer{Secret: secret, Base: o.BaseURL, TTL: o.TTL, Now: o.Now},
		sem: make(chan struct{}, 2), known: map[string]knownAudio{}, pending: map[string]*sync.Mutex{}}
	return v, nil
}

// Signer returns the media URL signer.
func (v *Voice) Signer() Signer { return v.signer }

// Media returns the media URI that plays text in lang, synthesizing it the
// first time.
func (v *Voice) Media(ctx context.Context, lang, text string) (string, error) {
	a, err := v.Ensure(ctx, lang, text)
	if err != nil {
		return "", err
	}
	return "sound:" + v.URL(a), nil
}

// URL is the signed HTTP URL of a's audio.
func (v *Voice) URL(a Audio) string { return v.signer.URL(a.ID()) }

// Path is the signed path of a's audio, without the base URL: for pages
// served by Hotline itself.
func (v *Voice) Path(a Audio) string {
	return strings.TrimPrefix(v.URL(a), strings.TrimRight(v.signer.Base, "/"))
}

// Ensure returns the audio of text in lang (without WAV), synthesizing and
// storing it when there is none.
func (v *Voice) Ensure(ctx context.Context, lang, text string) (Audio, error) {
	text = strings.TrimSpace(text)
	if err := checkText(text); err != nil {
		return Audio{}, crm.Invalid("text", "%v", err)
	}
	key := Key(lang, text)
	if a, ok := v.recent(key); ok {
		return a, nil
	}
	lock := v.keyLock(key)
	lock.Lock()
	defer lock.Unlock()
	if a, ok := v.recent(key); ok {
		return a, nil
	}
	a, err := v.o.Store.AudioInfo(ctx, key)
	if err == nil {
		v.remember(a)
		return a, nil
	}
	if !crm.IsKind(err, crm.KindNotFound) {
		return Audio{}, err
	}
	return v.synthesize(ctx, key, lang, text)
}

// Resynthesize makes the audio of text in lang again from its text,
// replacing an uploaded recording too.
func (v *Voice) Resynthesize(ctx context.Context, lang, text string) (Audio, error) {
	text = strings.TrimSpace(text)
	if err := checkText(text); err != nil {
		return Audio{}, crm.Invalid("text", "%v", err)
	}
	key := Key(lang, text)
	lock := v.keyLock(key)
	lock.Lock()
	defer lock.Unlock()
	return v.synthesize(ctx, key, lang, text)
}

// Upload makes a recording (WAV or MP3, any rate) the audio of text in lang.
func (v *Voice) Upload(ctx context.Context, lang, text string, file []byte) (Audio, error) {
	text = strings.TrimSpace(text)
	if err := checkText(text); err != nil {
		return Audio{}, crm.Invalid("text", "%v", err)
	}
	wav, err := ToPhone(file)
	if err != nil {
		return Audio{}, crm.Invalid("file", "%v", err)
	}
	return v.put(ctx, Audio{Key: Key(lang, text), Lang: lang, Text: text, Source: Uploaded, WAV: wav})
}

func (v *Voice) synthesize(ctx context.Context, key, lang, text string) (Audio, error) {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return Audio{}, ctx.Err()
	}
	raw, err := v.o.Synth.Synthesize(ctx, lang, text)
	<-v.sem
	if err != nil {
		return Audio{}, err
	}
	wav, err := ToPhone(raw)
	if err != nil {
		return Audio{}, fmt.Errorf("voice: the synthesizer's output: %w", err)
	}
	return v.put(ctx, Audio{Key: key, Lang: lang, Text: text, Source: Synthesized, WAV: wav})
}

func (v *Voice) put(ctx context.Context, a Audio) (Audio, error) {
	f, err := Inspect(a.WAV)
	if err != nil {
		return Audio{}, err
	}
	a.Duration = f.Duration
	if err := v.o.Store.PutAudio(ctx, &a); err != nil {
		return Audio{}, err
	}
	a.WAV = nil
	v.remember(a)
	v.o.Logger.Info("voice: prompt audio stored", slog.String("key", a.Key), slog.String("lang", a.Lang),
		slog.String("source", string(a.Source)), slog.Duration("duration", a.Duration))
	return a, nil
}

func (v *Voice) keyLock(key string) *sync.Mutex {
	v.mu.Lock()
	defer v.mu.Unlock()
	l := v.pending[key]
	if l == nil {
		if len(v.pending) > 10000 {
			clear(v.pending)
		}
		l = &sync.Mutex{}
		v.pending[key] = l
	}
	return l
}

func (v *Voice) recent(key string) (Audio, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	k, ok := v.known[key]
	if !ok || v.o.Now().Sub(k.seen) > knownFor {
		return Audio{}, false
	}
	return k.a, true
}

func (v *Voice) remember(a Audio) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.known) > 10000 {
		clear(v.known)
	}
	v.known[a.Key] = knownAudio{a: a, seen: v.o.Now()}
}
