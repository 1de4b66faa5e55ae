package survey_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/survey"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
	"hotline/telephony/voice"
	"hotline/telephony/voice/voicetest"
)

// heard records, per channel, the language set and the media played.
type heard struct {
	mu     sync.Mutex
	events []string // "lang:<value>" and "play:<media>", in order
	langs  []string // playbacks' languages
}

func (h *heard) handle(m ari.Message) {
	switch m.Type {
	case ari.TypeChannelVarset, ari.TypePlaybackStarted:
	default:
		return
	}
	ev, err := m.Decode()
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch e := ev.(type) {
	case *ari.ChannelVarset:
		if e.Variable == "CHANNEL(language)" {
			h.events = append(h.events, "lang:"+e.Value)
		}
	case *ari.PlaybackStarted:
		h.events = append(h.events, "play:"+e.Playback.MediaURI)
		h.langs = append(h.langs, e.Playback.Language)
	}
}

func (h *heard) snapshot() ([]string, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.events), slices.Clone(h.langs)
}

// TestSurveySpeaksInTheCallersLanguage: the default survey's texts are
// synthesized and played as sound:http:// media that the PBX fetches (200,
// WAV) and plays for their length; the channel's language is set before
// the first prompt; a caller whose client speaks English hears English.
func TestSurveySpeaksInTheCallersLanguage(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			st := newStore(t)
			v, base := voicetest.Serve(t, st.Voice)
			h := &heard{}
			var asked []survey.CallLink
			var mu sync.Mutex
			ro := survey.Options{Speech: v, Language: func(_ context.Context, link survey.CallLink) string {
				mu.Lock()
				asked = append(asked, link)
				mu.Unlock()
				return lang
			}}
			r := startRig(t, aritest.Options{Speed: 5, ChannelVarsLinkedID: true}, st, ro, h.handle)
			r.client()
			// Synthesize before the call, as saving a survey does: on the
			// emulator's fast clock a synthesis during the call takes long.
			texts := survey.DefaultSurvey().Texts[lang]
			for _, text := range []string{texts.Intro, texts.Questions["agent"], texts.Questions["nps"], texts.Invalid, texts.Thanks} {
				if _, err := v.Media(context.Background(), lang, text); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := r.srv.InboundCall(context.Background(), postCall(aritest.Inbound{SurveyDigit: "59", SurveyDigitAfter: 12 * time.Second})); err != nil {
				t.Fatal(err)
			}
			r.waitIdle()
			if list := r.responses(); len(list) != 1 || answers(list[0])["agent"] != 5 || answers(list[0])["nps"] != 9 {
				t.Fatalf("responses %+v", list)
			}
			events, langs := h.snapshot()
			if len(events) < 3 || events[0] != "lang:"+lang {
				t.Fatalf("events %v: want the channel's language %s set before the first prompt", events, lang)
			}
			for _, l := range langs {
				if l != lang {
					t.Fatalf("playback languages %v, want %s", langs, lang)
				}
			}
			intro, _ := v.Media(context.Background(), lang, texts.Intro)
			question, _ := v.Media(context.Background(), lang, texts.Questions["agent"])
			thanks, _ := v.Media(context.Background(), lang, texts.Thanks)
			want := []string{"lang:" + lang, "play:" + intro, "play:" + question, "play:sound:beep"}
			if !slices.Equal(events[:4], want) || events[len(events)-1] != "play:"+thanks {
				t.Fatalf("heard %v\nwant %v ... play:%s", events, want, thanks)
			}
			fetched := r.srv.MediaFetched()
			for _, uri := range []string{intro, question, thanks} {
				url := strings.TrimPrefix(uri, "sound:")
				if !strings.HasPrefix(url, base+voice.MediaPath) || !slices.Contains(fetched, url) {
					t.Errorf("%s was not fetched from Hotline (fetched %v)", url, fetched)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(asked) != 1 || asked[0].ClientID == nil {
				t.Errorf("language asked for %+v, want the linked client", asked)
			}
		})
	}
}

// TestCampaignCallStartsWithTheGreeting: a campaign's outbound call hears
// the survey's greeting first, then its introduction.
func TestCampaignCallStartsWithTheGreeting(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	v, _ := voicetest.Serve(t, st.Voice)
	h := &heard{}
	var dialer struct {
		sync.Mutex
		d *survey.Dialer
	}
	r := startRig(t, aritest.Options{Speed: 20, ChannelVarsLinkedID: true}, st, survey.Options{Speech: v}, h.handle, func(m ari.Message) {
		dialer.Lock()
		d := dialer.d
		dialer.Unlock()
		if d != nil {
			d.Handle(m)
		}
	})
	texts := survey.Texts{Greeting: "Здравствуйте! Это опрос компании.", Intro: "Ответьте на один вопрос.",
		Questions: map[string]string{"service": "Оцените обслуживание от одного до пяти."}}
	sv := survey.Survey{Name: "Опрос", Language: "ru", Texts: map[string]survey.Texts{"ru": texts},
		Questions: []survey.Question{{Key: "service", Min: 1, Max: 5, Required: true}}}
	if err := r.store.Surveys.CreateSurvey(context.Background(), &sv); err != nil {
		t.Fatal(err)
	}
	media := map[string]string{}
	for _, text := range []string{texts.Greeting, texts.Intro, texts.Questions["service"]} {
		uri, err := v.Media(context.Background(), "ru", text)
		if err != nil {
			t.Fatal(err)
		}
		media[text] = "play:" + uri
	}
	newCampaign(t, r, sv, survey.Campaign{MaxConcurrent: 1, PerMinute: 100, MaxAttempts: 1}, "+70000000001")
	d := newDialer(r)
	dialer.Lock()
	dialer.d = d
	dialer.Unlock()
	stop := startDialer(r, d)
	defer stop()
	eventually(t, "the campaign's survey answered", func() bool {
		list, _ := r.store.Surveys.ListResponses(context.Background(), survey.ResultFilter{}, 0)
		return len(list) == 1 && answers(list[0])["service"] == 5
	})
	events, _ := h.snapshot()
	if len(events) < 2 || events[0] != "lang:ru" || events[1] != media[texts.Greeting] {
		t.Fatalf("heard %v, want the greeting %s first", events, media[texts.Greeting])
	}
}
