package survey_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/survey"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// simCallee is how the simulated PBX's callee at a campaign number
// behaves: +70000000002 is busy, +70000000003 never answers, any other
// answers, presses 5 and hangs up.
func simCallee(phone string) aritest.Phone {
	switch phone {
	case "+70000000002":
		return aritest.Phone{Busy: true}
	case "+70000000003":
		return aritest.Phone{NeverAnswer: true}
	}
	return aritest.Phone{AnswerAfter: 500 * time.Millisecond, Digits: "5", DigitsAfter: 1200 * time.Millisecond, HangupAfter: 4500 * time.Millisecond}
}

// liveCounter tracks how many campaign channels exist at once.
type liveCounter struct {
	mu        sync.Mutex
	live, max int
	created   map[string]int // contact prefix -> channels created
}

func (l *liveCounter) handle(m ari.Message) {
	if !strings.Contains(string(m.Raw), survey.ChannelPrefix) || (m.Type != ari.TypeChannelCreated && m.Type != ari.TypeChannelDestroyed) {
		return
	}
	ev, err := m.Decode()
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := ev.(type) {
	case *ari.ChannelCreated:
		if isAttemptChannel(e.Channel.ID) {
			l.live++
			l.max = max(l.max, l.live)
			contact, _, _ := strings.Cut(e.Channel.ID, "-a")
			l.created[contact]++
		}
	case *ari.ChannelDestroyed:
		if isAttemptChannel(e.Channel.ID) {
			l.live--
		}
	}
}

// isAttemptChannel: the channel the dialer named (not a Local channel's other half).
func isAttemptChannel(id string) bool {
	rest, ok := strings.CutPrefix(id, survey.ChannelPrefix)
	_, n, found := strings.Cut(rest, "-a")
	_, err := strconv.Atoi(n)
	return ok && found && err == nil
}

// quickSurvey is one required 1-5 question, answered by the simulated customer's 5.
func quickSurvey(t *testing.T, r *rig) survey.Survey {
	t.Helper()
	sv := survey.Survey{Name: "Campaign poll", Intro: []string{"sound:hello-world"},
		Questions: []survey.Question{{Key: "service", Prompt: []string{"sound:beep"}, Min: 1, Max: 5, Required: true}},
		Thanks:    []string{"sound:beep"}}
	if err := r.store.Surveys.CreateSurvey(context.Background(), &sv); err != nil {
		t.Fatal(err)
	}
	return sv
}

func newCampaign(t *testing.T, r *rig, sv survey.Survey, c survey.Campaign, phones ...string) survey.Campaign {
	t.Helper()
	ctx := context.Background()
	c.Name, c.SurveyID, c.State, c.WindowStart, c.WindowEnd = "Poll", sv.ID, survey.CampaignRunning, 0, 1440
	if err := r.store.Campaigns.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	var list []survey.Contact
	for _, p := range phones {
		list = append(list, survey.Contact{Phone: p})
		r.srv.SetCallee(p, simCallee(p))
	}
	if n, err := r.store.Campaigns.AddCampaignContacts(ctx, c.ID, list); err != nil || n != len(phones) {
		t.Fatalf("add contacts = %d, %v", n, err)
	}
	return c
}

func startDialer(r *rig, d *survey.Dialer) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	return func() { cancel(); <-done }
}

func newDialer(r *rig) *survey.Dialer {
	return survey.NewDialer(survey.DialerOptions{Store: r.store.Campaigns, ARI: r.cli, Clock: r.srv.Clock(), Context: "agents",
		RingTimeout: 5, Tick: 500 * time.Millisecond})
}

func TestCampaignPacingRetriesAndResume(t *testing.T) {
	t.Parallel()
	counter := &liveCounter{created: map[string]int{}}
	var current struct {
		sync.Mutex
		d *survey.Dialer
	}
	r := newRig(t, 20, counter.handle, func(m ari.Message) {
		current.Lock()
		d := current.d
		current.Unlock()
		if d != nil {
			d.Handle(m)
		}
	})
	sv := quickSurvey(t, r)
	phones := []string{"+70000000001", "+70000000002", "+70000000003", "+70000000004", "+70000000005", "+70000000006", "+70000000007"}
	c := newCampaign(t, r, sv, survey.Campaign{MaxConcurrent: 2, PerMinute: 100, MaxAttempts: 2, RetryDelay: 10}, phones...)
	ctx := context.Background()

	// The first dialer is killed once two contacts are done.
	d1 := newDialer(r)
	current.Lock()
	current.d = d1
	current.Unlock()
	stop := startDialer(r, d1)
	eventually(t, "two contacts done", func() bool {
		got, _ := r.store.Campaigns.GetCampaign(ctx, c.ID)
		return got.Progress["done"] >= 2
	})
	stop()
	// A new dialer (a restarted process) takes over and finishes.
	d2 := newDialer(r)
	current.Lock()
	current.d = d2
	current.Unlock()
	stop = startDialer(r, d2)
	defer stop()
	eventually(t, "the campaign to finish", func() bool {
		got, _ := r.store.Campaigns.GetCampaign(ctx, c.ID)
		return got.State == survey.CampaignDone
	})
	r.waitIdle()

	contacts, err := r.store.Campaigns.ListCampaignContacts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range contacts {
		switch k.Phone {
		case "+70000000002", "+70000000003":
			if k.Status != survey.ContactFailed || k.Attempts != 2 {
				t.Errorf("%s: %s after %d attempts (%s), want failed after 2", k.Phone, k.Status, k.Attempts, k.LastResult)
			}
		default:
			if k.Status != survey.ContactDone || k.ResponseID == nil || k.LastResult != survey.ResultAnswered {
				t.Errorf("%s: %+v, want done with a response", k.Phone, k)
			}
			// An attempt claimed by the killed dialer but never dialled is
			// found lost and retried: attempts may be 2, calls never.
			if calls := counter.created[survey.ChannelPrefix+"c"+itoa(k.ID)]; calls != 1 {
				t.Errorf("%s was called %d times (%d attempts), want once", k.Phone, calls, k.Attempts)
			}
		}
	}
	if counter.max > 2 {
		t.Errorf("%d campaign calls at once, want at most 2", counter.max)
	}
	list := r.responses()
	if len(list) != 5 {
		t.Fatalf("responses = %d, want 5", len(list))
	}
	for _, resp := range list {
		if resp.State != survey.StateCompleted || answers(resp)["service"] != 5 || resp.ContactID == nil {
			t.Errorf("response %+v, want completed with service 5 and its contact", resp)
		}
	}
}

func TestCampaignPerMinuteLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t, 40)
	sv := quickSurvey(t, r)
	c := newCampaign(t, r, sv, survey.Campaign{MaxConcurrent: 10, PerMinute: 2}, "+70000000011", "+70000000012", "+70000000013")
	d := newDialer(r)
	r.extra = append(r.extra, d.Handle)
	stop := startDialer(r, d)
	defer stop()
	ctx := context.Background()
	eventually(t, "the campaign to finish", func() bool {
		got, _ := r.store.Campaigns.GetCampaign(ctx, c.ID)
		return got.State == survey.CampaignDone
	})
	var starts []time.Time
	if err := r.store.DB.Pool().QueryRow(ctx, `SELECT array_agg(started_at ORDER BY started_at) FROM survey_campaign_attempts`).Scan(&starts); err != nil {
		t.Fatal(err)
	}
	if len(starts) != 3 {
		t.Fatalf("attempts = %d, want 3", len(starts))
	}
	if gap := starts[2].Sub(starts[0]); gap < time.Minute {
		t.Errorf("third call %v after the first, want at least a minute (2 per minute)", gap)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestCampaignOutsideItsWindowPlacesNoCall(t *testing.T) {
	t.Parallel()
	r := newRig(t, 20)
	sv := quickSurvey(t, r)
	c := newCampaign(t, r, sv, survey.Campaign{}, "+70000000021")
	// A one-minute window twelve hours from now.
	now := r.srv.Clock().Now().UTC()
	start := ((now.Hour()+12)%24)*60 + now.Minute()
	if _, err := r.store.DB.Pool().Exec(context.Background(), `UPDATE survey_campaigns SET window_start = $2, window_end = $2 + 1 WHERE id = $1`, c.ID, start); err != nil {
		t.Fatal(err)
	}
	d := newDialer(r)
	for range 3 {
		if err := d.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	contacts, err := r.store.Campaigns.ListCampaignContacts(context.Background(), c.ID)
	if err != nil || len(contacts) != 1 || contacts[0].Attempts != 0 || contacts[0].Status != survey.ContactPending {
		t.Errorf("contacts = %+v, %v; want one pending, never called", contacts, err)
	}
}
