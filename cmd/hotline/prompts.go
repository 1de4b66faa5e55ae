package main

import (
	"context"
	"log/slog"

	"hotline/crm/postgres"
	"hotline/survey"
	"hotline/telephony/voice"
)

// Survey prompts are made ready before a caller needs them: the audio of
// every survey text in each of its languages, when serve starts and when a
// survey is saved on this replica. Otherwise the first caller of each
// language waits in silence while the synthesizer makes the prompt (and
// pays its CPU inside a call). Audio is kept in PostgreSQL by text and
// language, so a prompt already made is only looked up.

// promptReadier makes the prompts of the surveys it is given, one survey at
// a time, on its own goroutine (Run).
type promptReadier struct {
	voice   *voice.Voice
	surveys interface {
		ListSurveys(ctx context.Context) ([]survey.Survey, error)
	}
	log  *slog.Logger
	todo chan survey.Survey
}

func newPromptReadier(v *voice.Voice, st *postgres.Services, log *slog.Logger) *promptReadier {
	return &promptReadier{voice: v, surveys: st.Surveys, log: log, todo: make(chan survey.Survey, 16)}
}

// Ready queues sv's prompts; it never blocks: with a full queue the
// prompts are made when a caller first needs them, as before.
func (p *promptReadier) Ready(sv survey.Survey) {
	select {
	case p.todo <- sv:
	default:
		p.log.Warn("survey prompts: queue full; they are made on first use", slog.String("survey", sv.Name))
	}
}

// Run makes every survey's prompts, then those of each survey saved since,
// until ctx ends.
func (p *promptReadier) Run(ctx context.Context) error {
	list, err := p.surveys.ListSurveys(ctx)
	if err != nil && ctx.Err() == nil {
		p.log.Warn("survey prompts: list the surveys", slog.Any("err", err))
	}
	for _, sv := range list {
		p.make(ctx, sv)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case sv := <-p.todo:
			p.make(ctx, sv)
		}
	}
}

// make makes sv's prompts; it stops at the first failure (a synthesizer
// that is missing fails them all, and start-up has warned of it).
func (p *promptReadier) make(ctx context.Context, sv survey.Survey) {
	made := 0
	for lang, t := range sv.Texts {
		for _, text := range t.Spoken() {
			if _, err := p.voice.Ensure(ctx, lang, text); err != nil {
				if ctx.Err() == nil {
					p.log.Warn("survey prompts: made on first use instead", slog.String("survey", sv.Name), slog.String("language", lang), slog.Any("err", err))
				}
				return
			}
			made++
		}
	}
	p.log.Debug("survey prompts ready", slog.String("survey", sv.Name), slog.Int("prompts", made))
}

// readySurveys is the survey store as the pages and the API save through
// it: a saved survey's prompts are queued to be made.
type readySurveys struct {
	*postgres.SurveyService
	prompts *promptReadier
}

func (s readySurveys) CreateSurvey(ctx context.Context, sv *survey.Survey) error {
	if err := s.SurveyService.CreateSurvey(ctx, sv); err != nil {
		return err
	}
	s.prompts.Ready(*sv)
	return nil
}

func (s readySurveys) UpdateSurvey(ctx context.Context, sv *survey.Survey) error {
	if err := s.SurveyService.UpdateSurvey(ctx, sv); err != nil {
		return err
	}
	s.prompts.Ready(*sv)
	return nil
}
