package survey_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"hotline/survey"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// countingCampaigns is a CampaignStore with no campaign, counting how
// often the dialer asks.
type countingCampaigns struct {
	mu              sync.Mutex
	running, closed int
}

var _ survey.CampaignStore = (*countingCampaigns)(nil)

func (c *countingCampaigns) RunningCampaigns(context.Context) ([]survey.Campaign, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running++
	return nil, nil
}
func (c *countingCampaigns) ClaimAttempts(context.Context, survey.Campaign, time.Time) ([]survey.Attempt, error) {
	return nil, nil
}
func (c *countingCampaigns) EndAttempt(context.Context, string, string, time.Time) (bool, error) {
	return false, nil
}
func (c *countingCampaigns) OpenAttempts(context.Context) ([]survey.Attempt, error) { return nil, nil }
func (c *countingCampaigns) CompleteCampaigns(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed++
	return nil
}

// TestDialerIdlesWithoutCampaigns: with no campaign running the dialer
// looks for one every 10 ticks, not every tick, and does not update
// campaigns it does not have: an idle service does no work.
func TestDialerIdlesWithoutCampaigns(t *testing.T) {
	srv := aritest.New(aritest.Options{})
	defer srv.Close()
	cli, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	store := &countingCampaigns{}
	d := survey.NewDialer(survey.DialerOptions{Store: store, ARI: cli, Tick: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_ = d.Run(ctx)
	store.mu.Lock()
	defer store.mu.Unlock()
	// 500 ms are 50 ticks: every tick would be 50 looks, every 10 ticks 5 or 6
	if store.running < 1 || store.running > 10 {
		t.Errorf("the idle dialer looked for campaigns %d times in 50 ticks, want about 5", store.running)
	}
	if store.closed != 0 {
		t.Errorf("the idle dialer updated campaigns %d times", store.closed)
	}
}
