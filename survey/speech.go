package survey

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"time"
)

// chooseLanguage picks the caller's language and the survey's texts for
// it, and sets the channel's language before anything plays.
func (s *session) chooseLanguage(ctx context.Context) {
	if s.r.opts.Language != nil {
		lctx, cancel := s.query()
		s.lang = s.r.opts.Language(lctx, s.link)
		cancel()
	}
	s.texts, s.spoken, _ = s.sv.Speech(s.lang)
	lang := cmp.Or(s.lang, s.spoken, s.sv.Language)
	if lang == "" {
		return
	}
	s.lang = lang
	if err := s.ari.Channels().SetVar(ctx, s.ch.ID, "CHANNEL(language)", lang); err != nil {
		s.log.Warn("survey: set the channel's language", slog.String("language", lang), slog.Any("err", err))
	}
}

// say returns the media of a prompt: its text spoken in the survey's
// language for this caller, then its media. A text that cannot be spoken
// (the synthesizer failed) is left out and logged: the media still play.
func (s *session) say(text string, media []string) []string {
	var out []string
	if text = strings.TrimSpace(text); text != "" && s.r.opts.Speech != nil {
		ctx, cancel := context.WithTimeout(s.r.ctx, 30*time.Second)
		uri, err := s.r.opts.Speech.Media(ctx, s.spoken, text)
		cancel()
		if err != nil {
			s.log.Error("survey: cannot speak a prompt", slog.String("language", s.spoken), slog.Any("err", err))
		} else {
			out = append(out, uri)
		}
	}
	return append(out, media...)
}
