package survey_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/crm"
	hmetrics "hotline/metrics"
	"hotline/survey"
	"hotline/telephony/ari/aritest"
)

// agentHangsUp: agent 1001 answers after 1 s and hangs up 2 s later, which
// sends the customer (extension 7001) into Stasis(hotline,survey).
var agentHangsUp = map[string]aritest.Phone{"1001": {AnswerAfter: time.Second, HangupAfter: 2 * time.Second}}

func postCall(in aritest.Inbound) aritest.Inbound {
	in.Exten, in.Phones = "7001", agentHangsUp
	return in
}

func answers(r survey.Response) map[string]int {
	out := map[string]int{}
	for _, a := range r.Answers {
		out[a.Key] = a.Value
	}
	return out
}

func TestCompleteSurveyAfterTheAgentHangsUp(t *testing.T) {
	t.Parallel()
	r := newRig(t, 20)
	cl := r.client()
	ctx := context.Background()
	id, err := r.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "59", SurveyDigitAfter: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 {
		t.Fatalf("responses = %d, want 1", len(list))
	}
	resp := list[0]
	if resp.State != survey.StateCompleted || resp.EndedAt == nil {
		t.Errorf("state = %s, ended %v; want completed", resp.State, resp.EndedAt)
	}
	if got := answers(resp); got["agent"] != 5 || got["nps"] != 9 || len(got) != 2 {
		t.Errorf("answers = %v, want agent 5, nps 9", got)
	}
	if resp.LinkedID != id || resp.ChannelID != id {
		t.Errorf("linkedid %q channel %q, want the customer channel %q", resp.LinkedID, resp.ChannelID, id)
	}
	if resp.Agent != "anna" {
		t.Errorf("agent = %q, want anna (PJSIP/1001 talked last)", resp.Agent)
	}
	if resp.ClientID == nil || *resp.ClientID != cl.ID {
		t.Errorf("client = %v, want %d", resp.ClientID, cl.ID)
	}
	tl, err := r.store.Clients.Timeline(ctx, cl.ID, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, i := range tl.Items {
		if i.Kind == crm.InteractionSurvey {
			found = true
			if i.Summary != `Survey "After-call satisfaction": completed; agent 5, nps 9 (agent anna)` {
				t.Errorf("timeline summary = %q", i.Summary)
			}
		}
	}
	if !found {
		t.Errorf("no survey entry on the client's timeline: %+v", tl.Items)
	}
}

func TestInvalidDigitThenValidOne(t *testing.T) {
	t.Parallel()
	r := newRig(t, 20)
	// 7 is not on the 1-5 scale: the question is repeated and 4 (sent
	// 0.5 s later) answers it; the optional 0-10 question then times out twice.
	if _, err := r.srv.InboundCall(context.Background(), postCall(aritest.Inbound{SurveyDigit: "74", SurveyDigitAfter: 2 * time.Second})); err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 {
		t.Fatalf("responses = %d, want 1", len(list))
	}
	if got := answers(list[0]); len(got) != 1 || got["agent"] != 4 {
		t.Errorf("answers = %v, want only agent 4", got)
	}
	if list[0].State != survey.StateCompleted {
		t.Errorf("state = %s, want completed (the skipped question is optional)", list[0].State)
	}
}

func TestSilenceEndsWithNoInput(t *testing.T) {
	t.Parallel()
	r := newRig(t, 40)
	start := time.Now()
	if _, err := r.srv.InboundCall(context.Background(), postCall(aritest.Inbound{})); err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 || list[0].State != survey.StateNoInput || len(list[0].Answers) != 0 {
		t.Fatalf("responses = %+v, want one no_input without answers", list)
	}
	// Two 5 s timeouts (the question and its retry) on the virtual clock,
	// after the prompts: the runner, not the caller, ended the call.
	if took := list[0].EndedAt.Sub(list[0].StartedAt); took < 10*time.Second {
		t.Errorf("survey took %v of virtual time, want at least two 5 s timeouts", took)
	}
	t.Logf("real time %v", time.Since(start))
}

func TestHangupMidSurveyKeepsAnswersAndOpensFollowUp(t *testing.T) {
	t.Parallel()
	r := newRig(t, 20)
	cl := r.client()
	ctx := context.Background()
	// 2 is a low score (threshold 2); the caller hangs up during the next question.
	if _, err := r.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "2", SurveyDigitAfter: 2 * time.Second,
		SurveyHangupAfter: 4 * time.Second})); err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 || list[0].State != survey.StatePartial {
		t.Fatalf("responses = %+v, want one partial", list)
	}
	if got := answers(list[0]); len(got) != 1 || got["agent"] != 2 || !list[0].Answers[0].Low {
		t.Errorf("answers = %+v, want agent 2 flagged low", list[0].Answers)
	}
	tl, err := r.store.Clients.Timeline(ctx, cl.ID, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	var note, entry bool
	for _, i := range tl.Items {
		note = note || i.Kind == survey.InteractionFollowUp
		entry = entry || i.Kind == crm.InteractionSurvey
	}
	if !note || !entry {
		t.Errorf("timeline has follow-up note %v and survey entry %v, want both: %+v", note, entry, tl.Items)
	}
}

func TestAnswerIsSavedBeforeTheSurveyEnds(t *testing.T) {
	t.Parallel()
	r := newRig(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = r.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "4", SurveyDigitAfter: 2 * time.Second}))
	}()
	// The answer row exists while the survey is still asking the next question.
	eventually(t, "the first answer row", func() bool {
		list := r.responses()
		return len(list) == 1 && len(list[0].Answers) == 1
	})
	list := r.responses()
	if list[0].State != survey.StateInProgress || r.runner.Active() != 1 {
		t.Fatalf("state %s, active %d: want the survey still running", list[0].State, r.runner.Active())
	}
	// The process dies: the response stays in progress; the next start closes it as partial.
	r.runner.Close()
	n, err := r.runner.Recover(context.Background(), list[0].Node)
	if err != nil || n != 1 {
		t.Fatalf("recover = %d, %v; want 1", n, err)
	}
	list = r.responses()
	if list[0].State != survey.StatePartial || answers(list[0])["agent"] != 4 {
		t.Errorf("after recovery: %+v, want partial with agent 4", list[0])
	}
	// The orphaned caller is hung up rather than left in silence.
	eventually(t, "the abandoned channel to be hung up", func() bool { return r.srv.ChannelCount() == 0 })
}

func TestOptOutAndMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	// The metrics roster leaves anna (PJSIP/1001) out: her score counts as
	// "unknown", never as a label value of its own, as on the call counters.
	agents := hmetrics.New(nil, hmetrics.AgentList{"boris", "carol"}, hmetrics.Options{})
	r := startRig(t, aritest.Options{Speed: 20, ChannelVarsLinkedID: true}, newStore(t),
		survey.Options{Registerer: reg, Agents: agents})
	ctx := context.Background()
	def, err := r.store.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	def.OptOut = "*"
	if err := r.store.Surveys.UpdateSurvey(ctx, &def); err != nil {
		t.Fatal(err)
	}
	// 4 answers the first question, * opts out of the second.
	if _, err := r.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "4*", SurveyDigitAfter: 2 * time.Second})); err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 || list[0].State != survey.StateOptedOut || answers(list[0])["agent"] != 4 {
		t.Fatalf("responses = %+v, want opted_out with agent 4", list)
	}
	got := gathered(t, reg)
	if v := got[fmt.Sprintf(`hotline_survey_responses_total{state="opted_out",survey="%d"}`, def.ID)]; v != 1 {
		t.Errorf("responses counter = %v, want 1; all: %v", v, got)
	}
	if v := got[`hotline_survey_score_count{agent="unknown",scale="csat"}`]; v != 1 {
		t.Errorf("score histogram count = %v, want 1 for agent unknown; all: %v", v, got)
	}
	// Every roster agent's series exist from the start, at zero, so the
	// first score is an increase Prometheus sees.
	for _, a := range []string{"boris", "carol", "none"} {
		for _, sc := range []string{"csat", "nps"} {
			key := fmt.Sprintf(`hotline_survey_score_count{agent=%q,scale=%q}`, a, sc)
			if v, ok := got[key]; !ok || v != 0 {
				t.Errorf("%s = %v (present %v), want 0", key, v, ok)
			}
		}
	}
	for _, st := range []string{"completed", "partial", "no_input"} {
		key := fmt.Sprintf(`hotline_survey_responses_total{state=%q,survey="%d"}`, st, def.ID)
		if v, ok := got[key]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0 from the moment the survey was loaded", key, v, ok)
		}
	}
	for key := range got {
		if strings.Contains(key, `agent="anna"`) {
			t.Errorf("an agent outside the metrics roster has a series of her own: %s", key)
		}
	}
}

// gathered flattens the registry into "name{labels}" -> value (counters,
// gauges, histogram counts).
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			key := "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				out[mf.GetName()+key] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				out[mf.GetName()+"_count"+key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func TestLinkedIDByRESTReadWithoutChannelVars(t *testing.T) {
	t.Parallel()
	r := newRigOpts(t, aritest.Options{Speed: 20}, nil)
	id, err := r.srv.InboundCall(context.Background(), postCall(aritest.Inbound{SurveyDigit: "3", SurveyDigitAfter: 2 * time.Second,
		SurveyHangupAfter: 3 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 || list[0].LinkedID != id || list[0].Agent != "anna" || answers(list[0])["agent"] != 3 {
		t.Fatalf("responses = %+v, want linkedid %s, agent anna, answer 3", list, id)
	}
}

// TestCallerFoundByTheNormalizedNumber: the PBX writes the caller's number
// the domestic way (8 495 ...); the runner's phone normalizer turns it into
// E.164, so the answers reach the client whose card has +7 495 ....
func TestCallerFoundByTheNormalizedNumber(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	e164 := func(raw string) (string, error) {
		if strings.HasPrefix(raw, "8") && len(raw) == 11 {
			return "+7" + raw[1:], nil
		}
		return raw, nil
	}
	r := startRig(t, aritest.Options{Speed: 20}, st, survey.Options{Phone: e164})
	cl := r.client()
	if _, err := r.srv.InboundCall(context.Background(), postCall(aritest.Inbound{From: "84951234567", SurveyDigit: "59", SurveyDigitAfter: 2 * time.Second})); err != nil {
		t.Fatal(err)
	}
	r.waitIdle()
	list := r.responses()
	if len(list) != 1 || list[0].ClientID == nil || *list[0].ClientID != cl.ID {
		t.Fatalf("responses = %+v, want one of client %d", list, cl.ID)
	}
	if list[0].Caller != "84951234567" {
		t.Errorf("caller = %q, want the number as the PBX sent it", list[0].Caller)
	}
}
