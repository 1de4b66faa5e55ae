package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
)

// FunnelSeedDeps are the services SeedFunnel reads and writes.
type FunnelSeedDeps struct {
	// Users lists the agents the deals are given to.
	Users interface {
		ListUsers(ctx context.Context) ([]crm.User, error)
	}
	// Clients lists the clients the deals are made with.
	Clients interface {
		ListClients(ctx context.Context, f crm.ClientFilter) (crm.Page[crm.Client], error)
	}
	Funnels funnel.FunnelService
	Deals   funnel.DealService
}

// FunnelOptions tune SeedFunnel. The zero value seeds DefaultDeals deals
// from DefaultSeed in Europe/Moscow with auto-opening off.
type FunnelOptions struct {
	Seed     uint64 // 0: DefaultSeed
	Deals    int    // 0: DefaultDeals
	TimeZone string // "": Europe/Moscow
	// AutoOpenDeals turns on opening a deal from the first call with a new client.
	AutoOpenDeals bool
	Now           func() time.Time // time.Now when nil
}

// DefaultDeals is the number of deals SeedFunnel creates when Deals is zero.
const DefaultDeals = 160

// SeedPlan is the seed's weekly plan per stage: 15 first contacts, 10
// presentations, 7 needs analyses, 5 offers, 5 project starts.
var SeedPlan = []int{15, 10, 7, 5, 5}

// SeedFunnel gives the demo database a sales history: deals of the agents
// over the last twelve weeks in every stage of the default funnel (with
// skipped stages, steps back, won and lost deals), the seed's weekly plan
// for the company this week and last, a share of it for each agent, and a
// monthly plan. It does nothing when any deal exists, so it is safe to call
// on every start after Seed. It returns the number of deals created.
func SeedFunnel(ctx context.Context, s FunnelSeedDeps, opts FunnelOptions) (int, error) {
	if existing, err := s.Deals.ListDeals(ctx, funnel.DealFilter{Limit: 1}); err != nil || len(existing) > 0 {
		return 0, err
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Deals <= 0 {
		opts.Deals = DefaultDeals
	}
	if opts.TimeZone == "" {
		opts.TimeZone = "Europe/Moscow"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	set := funnel.Settings{TimeZone: opts.TimeZone, AutoOpenDeals: opts.AutoOpenDeals}
	if err := s.Funnels.SaveFunnelSettings(ctx, &set); err != nil {
		return 0, fmt.Errorf("demo: funnel settings: %w", err)
	}
	f, err := s.Funnels.GetFunnel(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("demo: default funnel: %w", err)
	}
	agents, clients, err := funnelCast(ctx, s)
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x51a1e5))
	now := opts.Now()
	for i := range opts.Deals {
		if err := seedDeal(ctx, s, rng, f, agents[i%len(agents)], clients[i%len(clients)], now, i); err != nil {
			return i, err
		}
	}
	loc, _ := time.LoadLocation(opts.TimeZone)
	if err := seedPlans(ctx, s, f, agents, now, loc); err != nil {
		return opts.Deals, err
	}
	return opts.Deals, nil
}

// funnelCast returns the agents (salespeople) and the clients to sell to.
func funnelCast(ctx context.Context, s FunnelSeedDeps) ([]crm.User, []crm.Client, error) {
	users, err := s.Users.ListUsers(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: list users: %w", err)
	}
	var agents []crm.User
	for _, u := range users {
		if u.Role == crm.RoleAgent && !u.Disabled {
			agents = append(agents, u)
		}
	}
	page, err := s.Clients.ListClients(ctx, crm.ClientFilter{Limit: 200})
	if err != nil {
		return nil, nil, fmt.Errorf("demo: list clients: %w", err)
	}
	if len(agents) == 0 || len(page.Items) == 0 {
		return nil, nil, fmt.Errorf("demo: seed users and clients (demo.Seed) before the funnel")
	}
	return agents, page.Items, nil
}

var currencies = []string{"RUB", "RUB", "RUB", "RUB", "USD", "EUR"}

// seedDeal opens one deal some time in the last twelve weeks and walks it
// through the funnel: mostly one stage at a time, sometimes skipping one or
// stepping back, and it ends won, lost or still open.
func seedDeal(ctx context.Context, s FunnelSeedDeps, rng *rand.Rand, f funnel.Funnel, owner crm.User, c crm.Client, now time.Time, i int) error {
	// every tenth deal is opened in the last three days, so this week has deals too
	age := time.Duration(rng.IntN(84*24)) * time.Hour
	if i%10 == 0 {
		age = time.Duration(rng.IntN(72)) * time.Hour
	}
	at := now.Add(-age)
	d := funnel.Deal{ClientID: c.ID, OwnerID: owner.ID, Title: "Предложение для " + c.Name,
		Amount: funnel.Money((50 + rng.IntN(950)) * 1000_00), Currency: currencies[rng.IntN(len(currencies))]}
	exp := funnel.DateOf(at.Add(time.Duration(14+rng.IntN(60)) * 24 * time.Hour))
	d.ExpectedClose = &exp
	if err := s.Deals.CreateDeal(ctx, &d, &owner.ID, at); err != nil {
		return fmt.Errorf("demo: create deal for %q: %w", c.Name, err)
	}
	pos := 1
	last := len(f.Stages)
	for step := 0; step < 8 && pos < last; step++ {
		at = at.Add(time.Duration(6+rng.IntN(96)) * time.Hour)
		if at.After(now) || rng.Float64() < 0.28 {
			break
		}
		next := pos + 1
		switch r := rng.Float64(); {
		case r < 0.1 && pos+2 <= last:
			next = pos + 2 // skip a stage
		case r < 0.18 && pos > 1:
			next = pos - 1 // step back
		}
		if _, err := s.Deals.MoveDeal(ctx, d.ID, f.Stages[next-1].ID, &owner.ID, at); err != nil {
			return fmt.Errorf("demo: move deal %d: %w", d.ID, err)
		}
		pos = next
	}
	d, err := s.Deals.GetDeal(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("demo: reload deal: %w", err)
	}
	closeAt := at.Add(2 * time.Hour)
	switch {
	case pos == last && closeAt.Before(now):
		d.Status = funnel.StatusWon
	case now.Sub(at) > 21*24*time.Hour && rng.Float64() < 0.6:
		d.Status, d.LostReason = funnel.StatusLost, lostReasons[rng.IntN(len(lostReasons))]
	default:
		return nil
	}
	if closeAt.After(now) {
		closeAt = now
	}
	if err := s.Deals.UpdateDeal(ctx, &d, &owner.ID, closeAt); err != nil {
		return fmt.Errorf("demo: close deal %d: %w", d.ID, err)
	}
	return nil
}

var lostReasons = []string{"Выбрали конкурента", "Нет бюджета в этом году", "Перестали отвечать", "Проект отложен"}

// seedPlans sets the seed's weekly plan for the company (this week and the
// last), a fifth of it (rounded up) for each agent, and a monthly plan.
func seedPlans(ctx context.Context, s FunnelSeedDeps, f funnel.Funnel, agents []crm.User, now time.Time, loc *time.Location) error {
	week, err := funnel.PeriodOf(funnel.Week, now, loc)
	if err != nil {
		return err
	}
	month, _ := funnel.PeriodOf(funnel.Month, now, loc)
	targets := func(scale func(int) int) map[int64]int {
		out := map[int64]int{}
		for i, st := range f.Stages {
			if i < len(SeedPlan) {
				out[st.ID] = scale(SeedPlan[i])
			}
		}
		return out
	}
	same := func(v int) int { return v }
	for _, p := range []funnel.Period{week, week.Shift(-1)} {
		if err := s.Funnels.SavePlan(ctx, funnel.PlanKey{FunnelID: f.ID, Kind: funnel.Week, Start: p.StartDate()}, targets(same)); err != nil {
			return fmt.Errorf("demo: weekly plan: %w", err)
		}
		for _, a := range agents {
			k := funnel.PlanKey{FunnelID: f.ID, Kind: funnel.Week, Start: p.StartDate(), OwnerID: a.ID}
			if err := s.Funnels.SavePlan(ctx, k, targets(func(v int) int { return (v + len(agents) - 1) / len(agents) })); err != nil {
				return fmt.Errorf("demo: weekly plan of %s: %w", a.Login, err)
			}
		}
	}
	k := funnel.PlanKey{FunnelID: f.ID, Kind: funnel.Month, Start: month.StartDate()}
	if err := s.Funnels.SavePlan(ctx, k, targets(func(v int) int { return v * 4 })); err != nil {
		return fmt.Errorf("demo: monthly plan: %w", err)
	}
	return nil
}
