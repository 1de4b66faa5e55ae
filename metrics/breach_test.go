package metrics_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/metrics"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestBreachCounterMatchesDatabase runs the escalation timers through a
// simulated working day and night (a tick every five minutes) over
// requests of every priority class, some answered in time: afterwards
// hotline_ticket_sla_breaches_total equals the breaches stored, in total
// and per priority class and clock, and its series existed at zero from
// the start.
func TestBreachCounterMatchesDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	msk, _ := time.LoadLocation("Europe/Moscow")
	clk := &testClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, msk)}
	st := pgtest.Open(t, pgtest.NewDSN(t), postgres.Options{Now: clk.Now})
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg, metrics.AgentList(nil), metrics.Options{Now: clk.Now})
	classes, err := st.Priority.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range classes {
		codes = append(codes, c.Code)
	}
	m.InitSLABreaches(codes)
	if n := testutil.CollectAndCount(reg, "hotline_ticket_sla_breaches_total"); n != 2*(len(codes)+1) {
		t.Fatalf("%d breach series at start, want %d", n, 2*(len(codes)+1))
	}
	esc := service.NewEscalator(service.EscalatorOptions{Store: st.Tickets, Now: clk.Now, Breaches: m})
	var answered []int64
	for i, code := range append(codes, "") {
		for j := range 3 {
			c := crm.Client{Name: "Client " + code, Priority: code}
			if err := st.Clients.CreateClient(ctx, &c); err != nil {
				t.Fatal(err)
			}
			tk := service.Ticket{ClientID: c.ID, Subject: "Problem"}
			if err := st.Tickets.CreateTicket(ctx, &tk); err != nil {
				t.Fatal(err)
			}
			if (i+j)%2 == 0 {
				answered = append(answered, tk.ID)
			}
		}
	}
	for step := range 24 * 12 {
		clk.Add(5 * time.Minute)
		if step == 3 { // 09:20: some are answered in time (response clock stops)
			for _, id := range answered {
				if _, err := st.Tickets.AddMessage(ctx, &service.Event{TicketID: id, Kind: service.EventComment, Body: "on it", Public: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := esc.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.DB.Pool().Query(ctx, `SELECT coalesce(c.priority, 'none'), b.clock, count(*) FROM sla_breaches b
		JOIN tickets t ON t.id = b.ticket_id JOIN clients c ON c.id = t.client_id GROUP BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	stored, total := map[[2]string]int{}, 0
	for rows.Next() {
		var p, clock string
		var n int
		if err := rows.Scan(&p, &clock, &n); err != nil {
			t.Fatal(err)
		}
		stored[[2]string{p, clock}], total = n, total+n
	}
	if total == 0 {
		t.Fatal("the simulated day breached nothing")
	}
	counted := breachSeries(t, reg)
	sum := 0
	for _, p := range append(codes, "none") {
		for _, clock := range []string{"response", "resolution"} {
			k := [2]string{p, clock}
			sum += counted[k]
			if counted[k] != stored[k] {
				t.Errorf("%s/%s: counter %d, stored %d", p, clock, counted[k], stored[k])
			}
		}
	}
	if sum != total {
		t.Fatalf("counter total %d, stored %d", sum, total)
	}
}

// breachSeries gathers hotline_ticket_sla_breaches_total by priority and kind.
func breachSeries(t *testing.T, reg *prometheus.Registry) map[[2]string]int {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]int{}
	for _, f := range fams {
		if f.GetName() != "hotline_ticket_sla_breaches_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var k [2]string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "priority":
					k[0] = l.GetValue()
				case "kind":
					k[1] = l.GetValue()
				}
			}
			out[k] = int(m.GetCounter().GetValue())
		}
	}
	return out
}
