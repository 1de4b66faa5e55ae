-- Spoken prompts (package telephony/voice): the audio of each text in each
-- language, synthesized or uploaded, as 8 kHz mono 16-bit WAV, served to
-- Asterisk over HTTP by any replica; and the secret that signs media URLs,
-- made once and shared by every replica.

-- +goose Up
CREATE SEQUENCE voice_audio_version;
CREATE TABLE voice_audio (
    key         text PRIMARY KEY CONSTRAINT voice_audio_key_check CHECK (key ~ '^[0-9a-f]{32}$'),
    lang        text NOT NULL CONSTRAINT voice_audio_lang_check CHECK (lang ~ '^[A-Za-z0-9_-]{1,16}$'),
    text        text NOT NULL CONSTRAINT voice_audio_text_check CHECK (length(text) BETWEEN 1 AND 1000),
    source      text NOT NULL CONSTRAINT voice_audio_source_check CHECK (source IN ('tts', 'upload')),
    wav         bytea NOT NULL,
    duration_ms integer NOT NULL CHECK (duration_ms >= 0),
    version     bigint NOT NULL DEFAULT nextval('voice_audio_version'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE voice_media_secret (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    secret bytea NOT NULL CHECK (length(secret) >= 32)
);

-- +goose Down
DROP TABLE voice_media_secret;
DROP TABLE voice_audio;
DROP SEQUENCE voice_audio_version;
