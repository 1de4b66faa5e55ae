package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"

	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/survey"
	"hotline/telephony/voice"
)

// checkTTSCommand parses HOTLINE_TTS_COMMAND. The program need not exist
// yet (check-config and start-up warn when it does not).
func checkTTSCommand(v string, c *Config) error {
	cmd, err := voice.ParseCommand(v)
	if err != nil {
		return fmt.Errorf("%q: %v (e.g. %s)", v, err, voice.DefaultCommand)
	}
	c.TTSCommand = cmd
	return nil
}

// checkMediaBaseURL checks HOTLINE_MEDIA_BASE_URL: an http(s) URL with a
// host, no credentials, query or fragment.
func checkMediaBaseURL(v string, c *Config) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: want an http(s) URL Asterisk can reach, such as http://10.0.0.2:8080", v)
	}
	c.MediaBaseURL = strings.TrimRight(v, "/")
	return nil
}

// mediaBaseURL is HOTLINE_MEDIA_BASE_URL, or Hotline's own listen address
// (loopback when it listens on every interface): right for the built-in
// simulated PBX and an Asterisk on the same host.
func mediaBaseURL(cfg Config) string {
	if cfg.MediaBaseURL != "" {
		return cfg.MediaBaseURL
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return "http://" + cfg.HTTPAddr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// startVoice builds the prompts' synthesizer and audio server. A missing
// synthesizer is a warning: recordings still play, texts do not.
func startVoice(ctx context.Context, cfg Config, log *slog.Logger, st *postgres.Services) (*voice.Voice, error) {
	synth := cfg.TTSCommand
	if synth == nil {
		synth, _ = voice.ParseCommand(voice.DefaultCommand)
	}
	if _, err := exec.LookPath(synth.Program()); err != nil {
		log.Warn("the speech synthesizer is missing: prompts without an uploaded recording stay silent (apt-get install espeak-ng, or set HOTLINE_TTS_COMMAND)",
			slog.String("program", synth.Program()))
	}
	v, err := voice.New(ctx, voice.Options{Store: st.Voice, Synth: synth, BaseURL: mediaBaseURL(cfg),
		Logger: log.With("component", "voice")})
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	return v, nil
}

// mountMedia serves prompt audio to whoever holds a signed URL (Asterisk).
func mountMedia(api *httpapi.Server, v *voice.Voice) {
	h := v.Handler()
	api.Router().Method(http.MethodGet, voice.MediaPath+"*", h)
	api.Router().Method(http.MethodHead, voice.MediaPath+"*", h)
}

// clientLanguage is the language a survey speaks to the caller of a
// linked call: their client's, else the centre's.
func clientLanguage(cfg Config) func(context.Context, survey.CallLink) string {
	return func(_ context.Context, link survey.CallLink) string {
		if link.ClientID != nil && link.Language != "" { // the client's, read with the link
			return link.Language
		}
		return string(cfg.Language)
	}
}

// voiceWarnings reports what would keep callers from hearing the prompts
// (warnings only, so it returns no errors):
// a synthesizer that is not installed, and a media base URL a remote
// Asterisk cannot reach.
func voiceWarnings(cfg Config, e env) int {
	if cfg.TTSCommand != nil {
		if _, err := exec.LookPath(cfg.TTSCommand.Program()); err != nil {
			fmt.Fprintf(e.stdout, "hotline settings: warning: HOTLINE_TTS_COMMAND: %s is not installed (apt-get install espeak-ng): prompts without a recording stay silent\n",
				cfg.TTSCommand.Program())
		}
	}
	if cfg.ARIURL == "" {
		return 0
	}
	base, _ := url.Parse(mediaBaseURL(cfg))
	if ip := net.ParseIP(base.Hostname()); cfg.MediaBaseURL == "" || ip != nil && ip.IsLoopback() || base.Hostname() == "localhost" {
		fmt.Fprintf(e.stdout, "hotline settings: warning: Asterisk fetches the spoken prompts from %s (HOTLINE_MEDIA_BASE_URL): right only when Asterisk runs on this host\n",
			base.Redacted())
	}
	return 0
}
