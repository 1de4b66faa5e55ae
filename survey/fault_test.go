package survey_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
	"hotline/telephony/spool"
)

// testJournal is a spool with the backlog count the runner's metrics
// read, as cmd/hotline wires it.
type testJournal struct{ *spool.Spool }

func (j testJournal) Pending() uint64 { return j.Stats().PendingRecords }

var _ survey.Journal = testJournal{}

func openJournal(t *testing.T, dir string) testJournal {
	t.Helper()
	sp, err := spool.Open(dir, spool.Options{Sync: spool.SyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sp.Close() })
	return testJournal{sp}
}

// faultRig is the rig with everything (tracker, runner, follow-up tickets)
// on a database behind a proxy the test cuts, the runner journaling to
// files, and a store without the proxy for the test's own reads.
type faultRig struct {
	*rig
	proxy   *pgtest.Proxy
	direct  *postgres.Services
	dir     string // the journal's
	journal testJournal
	reg     *prometheus.Registry
}

// newFaultRig builds the rig; cutAtFirstPrompt cuts PostgreSQL when the
// survey plays its first prompt, after the response row was inserted.
func newFaultRig(t *testing.T, speed float64, cutAtFirstPrompt bool) *faultRig {
	t.Helper()
	dsn := migratedDSN(t)
	f := &faultRig{proxy: pgtest.NewProxy(t, dsn), direct: openStore(t, dsn), dir: t.TempDir(),
		reg: prometheus.NewRegistry()}
	st := openStore(t, f.proxy.Via(dsn))
	f.journal = openJournal(t, f.dir)
	var once sync.Once
	cut := func(m ari.Message) {
		if m.Type != ari.TypePlaybackStarted || !cutAtFirstPrompt {
			return
		}
		once.Do(func() {
			f.proxy.Cut()
			t.Log("PostgreSQL cut at the first survey prompt")
		})
	}
	f.rig = startRig(t, aritest.Options{Speed: speed, ChannelVarsLinkedID: true}, st,
		survey.Options{Registerer: f.reg, Journal: f.journal, FollowUps: postgres.SurveyTickets{Tickets: st.Tickets}}, cut)
	return f
}

// count runs a count query on the database without the proxy.
func (f *faultRig) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.direct.DB.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// only returns the one response in the database.
func (f *faultRig) only() survey.Response {
	f.t.Helper()
	list, err := f.direct.Surveys.ListResponses(context.Background(), survey.ResultFilter{}, 0)
	if err != nil || len(list) != 1 {
		f.t.Fatalf("responses = %+v, %v; want exactly one", list, err)
	}
	return list[0]
}

// checkStoredOnce asserts the survey of client cl is in the database
// exactly once: the response in state want with answers agent 2 (low) and
// nps 9, counted once by CSAT and NPS, one follow-up ticket, one timeline entry.
func (f *faultRig) checkStoredOnce(cl crm.Client, want survey.State, nps bool) {
	f.t.Helper()
	resp := f.only()
	wantAnswers := map[string]int{"agent": 2}
	if nps {
		wantAnswers["nps"] = 9
	}
	if resp.State != want || resp.EndedAt == nil || fmt.Sprint(answers(resp)) != fmt.Sprint(wantAnswers) {
		f.t.Errorf("response = %s ended %v answers %v; want %s with %v", resp.State, resp.EndedAt, answers(resp), want, wantAnswers)
	}
	if resp.ClientID == nil || *resp.ClientID != cl.ID {
		f.t.Errorf("response client = %v, want %d", resp.ClientID, cl.ID)
	}
	if n := f.count(`SELECT count(*) FROM survey_answers`); n != len(wantAnswers) {
		f.t.Errorf("%d answer rows, want %d", n, len(wantAnswers))
	}
	tallies, err := f.direct.Surveys.SurveyTallies(context.Background(), survey.ResultFilter{GroupBy: survey.BySurvey})
	if err != nil || len(tallies) != 1 {
		f.t.Fatalf("tallies = %+v, %v", tallies, err)
	}
	tl := tallies[0]
	if tl.Responses != 1 || tl.Answered != 1 || tl.CSATCount != 1 || tl.ScoreSum != 2 || tl.LowScores != 1 ||
		tl.NPSCount != len(wantAnswers)-1 || tl.Completed != map[bool]int{true: 1}[want == survey.StateCompleted] {
		f.t.Errorf("tally = %+v; want the response and each answer counted once", tl)
	}
	if n := f.count(`SELECT count(*) FROM tickets WHERE external_ref = $1 AND client_id = $2`,
		fmt.Sprintf("survey/%d/agent", resp.ID), cl.ID); n != 1 {
		f.t.Errorf("%d follow-up tickets for the low score, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM tickets`); n != 1 {
		f.t.Errorf("%d tickets in all, want 1", n)
	}
	if want != survey.StateInProgress && want != survey.StatePartial {
		if n := f.count(`SELECT count(*) FROM interactions WHERE ref_type = 'survey_response' AND ref_id = $1`,
			fmt.Sprint(resp.ID)); n != 1 {
			f.t.Errorf("%d timeline entries of the response, want 1", n)
		}
	}
}

// copyDir copies the journal's files (a snapshot of the spool at rest).
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	names, err := filepath.Glob(filepath.Join(from, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		src, err := os.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, filepath.Base(n)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		_ = src.Close()
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// PostgreSQL goes away after the survey began: the caller answers both
// questions (the first a low score) and hears the survey to its end; the
// answers and the final state wait in the journal and, once PostgreSQL is
// back, are in the database exactly once, with one follow-up ticket, even
// when the journal is replayed a second time.
func TestSurveyAnswersSurvivePostgresOutage(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 8, true)
	cl := f.client()
	ctx := context.Background()
	if _, err := f.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "29", SurveyDigitAfter: 2 * time.Second})); err != nil {
		t.Fatal(err)
	}
	f.waitIdle()

	// During the outage: the row inserted before the cut has no answer yet.
	resp := f.only()
	if resp.State != survey.StateInProgress || len(resp.Answers) != 0 {
		t.Fatalf("during the outage the database has %s with %v; want the row of the start only", resp.State, resp.Answers)
	}
	if n := f.journal.Pending(); n != 3 {
		t.Errorf("%d writes in the journal, want 3 (two answers, the final state)", n)
	}
	got := gathered(t, f.reg)
	if got[`hotline_survey_journaled_total{op="answer"}`] != 2 || got[`hotline_survey_journaled_total{op="finish"}`] != 1 {
		t.Errorf("journaled counters: %v", got)
	}
	if v := got[fmt.Sprintf(`hotline_survey_responses_total{state="completed",survey="%d"}`, resp.SurveyID)]; v != 1 {
		t.Errorf("the survey did not complete during the outage: %v", got)
	}
	if v := gauge(t, f.reg, "hotline_survey_journal_pending"); v != 3 {
		t.Errorf("pending gauge = %v, want 3", v)
	}
	snapshot := copyDir(t, f.dir)

	f.proxy.Restore()
	eventually(t, "the journal to be replayed", func() bool { return f.journal.Pending() == 0 })
	f.checkStoredOnce(cl, survey.StateCompleted, true)
	if a := f.only().Agent; a != "anna" {
		t.Errorf("agent = %q, want anna (PJSIP/1001 talked last)", a)
	}
	if v := gauge(t, f.reg, "hotline_survey_journal_pending"); v != 0 {
		t.Errorf("pending gauge = %v after the replay, want 0", v)
	}

	// A crash between a write and its commit replays it again: nothing doubles.
	again := openJournal(t, snapshot)
	if again.Pending() != 3 {
		t.Fatalf("snapshot holds %d writes, want 3", again.Pending())
	}
	st := f.direct
	r2 := survey.NewRunner(survey.Options{Store: st.Surveys, Timeline: st.Clients, FollowUps: postgres.SurveyTickets{Tickets: st.Tickets}, Journal: again})
	if err := r2.Replay(ctx); err != nil {
		t.Fatal(err)
	}
	r2.Close()
	if again.Pending() != 0 {
		t.Errorf("%d writes left after the second replay", again.Pending())
	}
	f.checkStoredOnce(cl, survey.StateCompleted, true)
}

// PostgreSQL is down before the survey begins: the caller is still
// surveyed (the definition as last loaded), and the response, linked to
// the client by the caller's number, is inserted with its answers when
// PostgreSQL is back.
func TestSurveyRunsWhilePostgresIsDown(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 8, false)
	cl := f.client()
	ctx := context.Background()
	if _, err := f.runner.Recover(ctx, f.cli.Node()); err != nil { // loads the default survey, as at start
		t.Fatal(err)
	}
	f.proxy.Cut()
	if _, err := f.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "29", SurveyDigitAfter: 2 * time.Second})); err != nil {
		t.Fatal(err)
	}
	f.waitIdle()
	if n := f.count(`SELECT count(*) FROM survey_responses`); n != 0 {
		t.Fatalf("%d responses in the database during the outage", n)
	}
	if n := f.journal.Pending(); n != 4 {
		t.Errorf("%d writes in the journal, want 4 (start, two answers, the final state)", n)
	}
	got := gathered(t, f.reg)
	def, err := f.direct.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := got[fmt.Sprintf(`hotline_survey_responses_total{state="completed",survey="%d"}`, def.ID)]; v != 1 {
		t.Errorf("the survey did not complete during the outage: %v", got)
	}
	f.proxy.Restore()
	eventually(t, "the journal to be replayed", func() bool { return f.journal.Pending() == 0 })
	f.checkStoredOnce(cl, survey.StateCompleted, true)
	if resp := f.only(); resp.SurveyID != def.ID || resp.ChannelID == "" {
		t.Errorf("response = %+v, want one of survey %d", resp, def.ID)
	}
}

// The process stops after an answer was journaled and before PostgreSQL
// is back; the next runner, on the same journal, replays the answer before
// closing the abandoned survey: partial, with its answer and follow-up.
func TestJournaledAnswerSurvivesARestart(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 8, true)
	cl := f.client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = f.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: "2", SurveyDigitAfter: 2 * time.Second}))
	}()
	eventually(t, "the answer in the journal", func() bool { return f.journal.Pending() == 1 })
	f.runner.Close() // the process dies mid-survey, PostgreSQL still down
	if err := f.journal.Close(); err != nil {
		t.Fatal(err)
	}
	if resp := f.only(); resp.State != survey.StateInProgress || len(resp.Answers) != 0 {
		t.Fatalf("before the restart: %s with %v, want in progress without answers", resp.State, resp.Answers)
	}
	f.proxy.Restore()

	j := openJournal(t, f.dir)
	if j.Pending() != 1 {
		t.Fatalf("the reopened journal holds %d writes, want 1", j.Pending())
	}
	store := f.direct
	r2 := survey.NewRunner(survey.Options{Store: store.Surveys, Timeline: store.Clients, FollowUps: postgres.SurveyTickets{Tickets: store.Tickets},
		Journal: j, Clock: f.srv.Clock(), ARI: func(string) survey.ARI { return f.cli }})
	defer r2.Close()
	n, err := r2.Recover(context.Background(), f.only().Node)
	if err != nil || n != 1 {
		t.Fatalf("recover = %d, %v; want the one survey closed", n, err)
	}
	if j.Pending() != 0 {
		t.Errorf("%d writes left in the journal after recovery", j.Pending())
	}
	f.checkStoredOnce(cl, survey.StatePartial, false)
	eventually(t, "the abandoned caller to be hung up", func() bool { return f.srv.ChannelCount() == 0 })
}

// gauge reads one unlabelled gauge from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}
