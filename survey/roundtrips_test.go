package survey_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
	"hotline/telephony/ari/aritest"
)

// statements records what a pool sends, as a pgx tracer: each statement
// outside a batch and each batch is one round trip.
type statements struct {
	mu   sync.Mutex
	sent []string
}

var (
	_ pgx.QueryTracer = (*statements)(nil)
	_ pgx.BatchTracer = (*statements)(nil)
)

func (s *statements) add(sql string) {
	s.mu.Lock()
	s.sent = append(s.sent, strings.Join(strings.Fields(sql), " "))
	s.mu.Unlock()
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.add(d.SQL)
	return ctx
}
func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (s *statements) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	s.add("batch")
	return ctx
}
func (s *statements) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (s *statements) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// take returns the statements sent since the last take.
func (s *statements) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// TestSurveyCallRoundTrips: once the runner holds the survey's definition,
// a survey call with two answers costs the runner four round trips: the
// opening (survey version, call link, the client's language, the
// response's insert), one per answer, and the final state with the
// timeline entry.
// An edit of the survey takes effect for the next call all the same.
func TestSurveyCallRoundTrips(t *testing.T) {
	t.Parallel()
	dsn := migratedDSN(t)
	rec := &statements{}
	traced := pgtest.Open(t, dsn, postgres.Options{Tracer: rec})
	r := startRig(t, aritest.Options{Speed: 20, ChannelVarsLinkedID: true}, openStore(t, dsn),
		survey.Options{Store: traced.Surveys, Timeline: traced.Clients, Logger: slog.New(slog.NewTextHandler(tlog{t}, nil))})
	cl := r.client()
	ctx := context.Background()
	call := func(digits string) []string {
		t.Helper()
		before := len(r.responses())
		rec.take()
		if _, err := r.srv.InboundCall(ctx, postCall(aritest.Inbound{SurveyDigit: digits, SurveyDigitAfter: 2 * time.Second})); err != nil {
			t.Fatal(err)
		}
		// The call's response is written when its survey opens: a survey
		// that ends between two looks at Active() is not missed.
		eventually(t, "the survey to start", func() bool { return len(r.responses()) > before })
		r.waitIdle()
		return rec.take()
	}
	call("59") // loads the definition, prepares the statements
	sent := call("59")
	if len(sent) != 4 {
		t.Errorf("a survey call sent %d statements, want 4:\n%s", len(sent), strings.Join(sent, "\n"))
	}
	for i, want := range []string{"WITH call AS", "INSERT INTO survey_answers", "INSERT INTO survey_answers", "WITH f AS (UPDATE survey_responses"} {
		if i < len(sent) && !strings.HasPrefix(sent[i], want) {
			t.Errorf("statement %d = %.60q…, want %q…", i, sent[i], want)
		}
	}

	def, err := r.store.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	def.OptOut = "*"
	if err := r.store.Surveys.UpdateSurvey(ctx, &def); err != nil {
		t.Fatal(err)
	}
	call("4*")
	list := r.responses()
	if len(list) != 3 {
		t.Fatalf("%d responses, want 3", len(list))
	}
	for _, resp := range list {
		want := survey.StateCompleted
		if answers(resp)["agent"] == 4 {
			want = survey.StateOptedOut // the edited survey's opt-out digit
		}
		if resp.State != want || resp.Agent != "anna" || resp.ClientID == nil || *resp.ClientID != cl.ID {
			t.Errorf("response %d: %s by %q for %v, want %s by anna for client %d", resp.ID, resp.State, resp.Agent, resp.ClientID, want, cl.ID)
		}
	}
	tl, err := r.store.Clients.Timeline(ctx, cl.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, i := range tl.Items {
		if i.Kind == crm.InteractionSurvey {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d survey entries on the timeline, want one per survey", n)
	}
}

type tlog struct{ t *testing.T }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
