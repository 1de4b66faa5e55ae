package main

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/funnel"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/internal/i18n"
	"hotline/telephony/ari/aritest"
)

// TestFirstCallOpensADeal wires the service as serve does, against a
// simulated PBX, with deals opening from first calls: a new number's first
// answered call, once in the call log, opens one deal owned by the agent,
// with a client made for the number that the call is logged with; its
// second call opens none.
func TestFirstCallOpensADeal(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	olga, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "olga", Name: "Olga", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}}, "olga-long-password")
	if err != nil {
		t.Fatal(err)
	}
	set := funnel.Settings{TimeZone: "UTC", AutoOpenDeals: true}
	if err := st.Funnel.SaveFunnelSettings(ctx, &set); err != nil {
		t.Fatal(err)
	}
	sim := aritest.New(aritest.Options{ChannelVarsLinkedID: true})
	defer sim.Close()
	cfg := Config{DatabaseURL: dsn, ARIURL: sim.URL(), ARIUser: "hotline", ARIPassword: "hotline-secret", ARIApp: "hotline",
		PhoneRegion: "RU", SpoolDir: t.TempDir(), Language: i18n.Russian}
	_, svc, err := buildService(ctx, cfg, slog.New(slog.DiscardHandler), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range svc.components {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(runCtx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	waitFor(t, 20*time.Second, "Hotline to connect to the simulated PBX", func() bool { return sim.Connected("hotline") })

	const number = "+74957770011"
	call := func() string {
		t.Helper()
		id, err := sim.InboundCall(ctx, aritest.Inbound{From: number, Name: "New caller", Exten: "7002", Agent: "1001",
			Phones: map[string]aritest.Phone{"1001": {AnswerAfter: 200 * time.Millisecond, HangupAfter: 500 * time.Millisecond}}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the call in the call log, ended", func() bool {
			var ended bool
			err := st.DB.Pool().QueryRow(ctx, `SELECT ended_at IS NOT NULL FROM calls WHERE linkedid = $1`, id).Scan(&ended)
			return err == nil && ended
		})
		return id
	}
	first := call()
	var owner, client, linked int64
	var title string
	var name string
	// the deal, then the call linked to its new client (a second round trip)
	waitFor(t, 10*time.Second, "a deal from the first call, and the call linked to its client", func() bool {
		err := st.DB.Pool().QueryRow(ctx, `SELECT d.owner_id, d.client_id, c.name, d.title, coalesce(l.client_id, 0)
			FROM deals d JOIN clients c ON c.id = d.client_id, calls l
			WHERE d.source = 'call' AND l.linkedid = $1`, first).Scan(&owner, &client, &name, &title, &linked)
		return err == nil && linked != 0
	})
	// the texts in the centre's language (Russian) and zone (Moscow)
	l := svc.cat.For(i18n.Russian)
	wantName, wantTitle := "Звонивший "+l.Phone(number), "Первый звонок "+l.Date(time.Now())
	if owner != olga.ID || name != wantName || title != wantTitle || linked != client {
		t.Errorf("deal %q owned by %d (olga is %d) for client %d %q (want %q, %q); the call logged with client %d",
			title, owner, olga.ID, client, name, wantTitle, wantName, linked)
	}
	call()
	time.Sleep(500 * time.Millisecond) // the hook runs right after the save the wait saw
	var deals int
	if err := st.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM deals`).Scan(&deals); err != nil || deals != 1 {
		t.Errorf("%d deals after the second call, want 1: %v", deals, err)
	}
}
