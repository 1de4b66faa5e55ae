package survey_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/survey"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// oneAttempt is a CampaignStore with one always-open campaign that hands
// out one attempt, once.
type oneAttempt struct {
	mu      sync.Mutex
	claimed bool
}

var _ survey.CampaignStore = (*oneAttempt)(nil)

func (o *oneAttempt) RunningCampaigns(context.Context) ([]survey.Campaign, error) {
	return []survey.Campaign{{ID: 1, SurveyID: 1, State: survey.CampaignRunning, TimeZone: "UTC", WindowStart: 0, WindowEnd: 24 * 60}}, nil
}

func (o *oneAttempt) ClaimAttempts(_ context.Context, c survey.Campaign, now time.Time) ([]survey.Attempt, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.claimed {
		return nil, nil
	}
	o.claimed = true
	return []survey.Attempt{{ContactID: 7, CampaignID: c.ID, SurveyID: c.SurveyID, Phone: "+79001234567", Attempt: 1,
		ChannelID: "hotline-survey-7-1", StartedAt: now}}, nil
}

func (o *oneAttempt) EndAttempt(context.Context, string, string, time.Time) (bool, error) {
	return true, nil
}
func (o *oneAttempt) OpenAttempts(context.Context) ([]survey.Attempt, error) { return nil, nil }
func (o *oneAttempt) CompleteCampaigns(context.Context) error                { return nil }

// TestCampaignDialsThroughTheDialContext: with a dial context (here not
// the default one) a campaign dials Local/<number>@<context>, as
// click-to-call does, so the PBX's own dialplan chooses the trunk: the
// simulated PBX dials the callee on the pstn trunk and the answered call
// enters the app.
func TestCampaignDialsThroughTheDialContext(t *testing.T) {
	t.Parallel()
	srv := aritest.New(aritest.Options{DialContext: "from-internal", Speed: 20})
	defer srv.Close()
	srv.SetCallee("+79001234567", aritest.Phone{AnswerAfter: time.Second, HangupAfter: time.Second})
	cli, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	names := make(chan string, 16)
	answered := make(chan string, 1)
	go func() {
		_ = cli.Run(ctx, func(m ari.Message) {
			ev, err := m.Decode()
			if err != nil {
				return
			}
			switch e := ev.(type) {
			case *ari.ChannelCreated:
				names <- e.Channel.Name
			case *ari.StasisStart:
				answered <- e.Channel.ID
			}
		})
	}()
	for !srv.Connected("hotline") {
		if ctx.Err() != nil {
			t.Fatal("the ARI client did not connect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	d := survey.NewDialer(survey.DialerOptions{Store: &oneAttempt{}, ARI: cli, Context: "from-internal"})
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case name := <-names:
		if !strings.HasPrefix(name, "Local/+79001234567@from-internal-") {
			t.Errorf("campaign channel %q, want Local/+79001234567@from-internal-…", name)
		}
	case <-ctx.Done():
		t.Fatal("no channel was created")
	}
	select {
	case id := <-answered:
		if id != "hotline-survey-7-1" {
			t.Errorf("%s entered the app, want the campaign channel hotline-survey-7-1", id)
		}
	case <-ctx.Done():
		t.Fatal("the campaign call was not answered")
	}
	trunk := false
	for len(names) > 0 {
		trunk = trunk || strings.HasPrefix(<-names, "PJSIP/pstn-")
	}
	if !trunk {
		t.Error("the dial context did not dial the pstn trunk")
	}
}
