package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/telephony/voice"
)

var _ voice.Store = (*VoiceService)(nil)

// AudioInfo returns the audio of key without its WAV.
func (v *VoiceService) AudioInfo(ctx context.Context, key string) (voice.Audio, error) {
	var a voice.Audio
	var ms int64
	err := v.db.pool.QueryRow(ctx, `SELECT key, lang, text, source, duration_ms, version, updated_at
		FROM voice_audio WHERE key = $1`, key).Scan(&a.Key, &a.Lang, &a.Text, &a.Source, &ms, &a.Version, &a.UpdatedAt)
	if err != nil {
		return voice.Audio{}, translate(err, "prompt audio")
	}
	a.Duration = time.Duration(ms) * time.Millisecond
	return a, nil
}

// AudioInfos returns the audio known for keys, by key, without WAV.
func (v *VoiceService) AudioInfos(ctx context.Context, keys []string) (map[string]voice.Audio, error) {
	rows, err := v.db.pool.Query(ctx, `SELECT key, lang, text, source, duration_ms, version, updated_at
		FROM voice_audio WHERE key = ANY($1)`, keys)
	if err != nil {
		return nil, translate(err, "prompt audio")
	}
	out := map[string]voice.Audio{}
	for rows.Next() {
		var a voice.Audio
		var ms int64
		if err := rows.Scan(&a.Key, &a.Lang, &a.Text, &a.Source, &ms, &a.Version, &a.UpdatedAt); err != nil {
			rows.Close()
			return nil, translate(err, "prompt audio")
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		out[a.Key] = a
	}
	return out, translate(rows.Err(), "prompt audio")
}

// AudioData returns the WAV of key at version (KindNotFound when it was
// replaced since).
func (v *VoiceService) AudioData(ctx context.Context, key string, version int64) ([]byte, error) {
	var wav []byte
	err := v.db.pool.QueryRow(ctx, `SELECT wav FROM voice_audio WHERE key = $1 AND version = $2`, key, version).Scan(&wav)
	return wav, translate(err, "prompt audio")
}

// PutAudio stores a, replacing the audio of its key, with a new version.
func (v *VoiceService) PutAudio(ctx context.Context, a *voice.Audio) error {
	if len(a.WAV) == 0 {
		return crm.Invalid("file", "the audio is empty")
	}
	err := v.db.pool.QueryRow(ctx, `INSERT INTO voice_audio (key, lang, text, source, wav, duration_ms, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (key) DO UPDATE SET lang = EXCLUDED.lang, text = EXCLUDED.text, source = EXCLUDED.source,
			wav = EXCLUDED.wav, duration_ms = EXCLUDED.duration_ms, version = nextval('voice_audio_version'),
			updated_at = EXCLUDED.updated_at
		RETURNING version, updated_at`,
		a.Key, a.Lang, a.Text, string(a.Source), a.WAV, a.Duration.Milliseconds(), v.db.now()).Scan(&a.Version, &a.UpdatedAt)
	return translate(err, "store prompt audio")
}

// MediaSecret returns the media signing secret, creating 32 random bytes
// the first time (the first replica's insert wins).
func (v *VoiceService) MediaSecret(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("media secret: %w", err)
	}
	if _, err := v.db.pool.Exec(ctx, `INSERT INTO voice_media_secret (secret) VALUES ($1) ON CONFLICT DO NOTHING`, fresh); err != nil {
		return nil, translate(err, "media secret")
	}
	var secret []byte
	err := v.db.pool.QueryRow(ctx, `SELECT secret FROM voice_media_secret`).Scan(&secret)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errors.New("media secret: missing after insert")
	}
	return secret, translate(err, "media secret")
}
