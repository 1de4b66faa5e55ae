package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// Resources are the resource services SeedResources fills (the
// crm/postgres services: Stock is the catalogue, stock and reservations).
type Resources struct {
	Catalogue    resource.CatalogueService
	Stock        resource.StockService
	Reservations resource.ReservationService
	Money        resource.MoneyService
	Documents    resource.DocumentService
	Projects     resource.ProjectService
}

// ResourceStore is what else SeedResources needs; *postgres.Services satisfies it.
type ResourceStore interface {
	ListClients(ctx context.Context, f crm.ClientFilter) (crm.Page[crm.Client], error)
	FindClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error)
	ListDeals(ctx context.Context, f funnel.DealFilter) ([]funnel.Deal, error)
	CreateTicket(ctx context.Context, t *service.Ticket) error
	SupportTerms(ctx context.Context, clientID, productID int64) (*service.SupportTerms, error)
	ListSLAPlans(ctx context.Context) ([]service.SLAPlan, error)
	SaveSLAPlan(ctx context.Context, p *service.SLAPlan) error
}

// SeedResources adds the resource module's demo data after Seed (and
// SeedFunnel, whose won deals it turns into orders):
//
//   - ten products (phones, headsets, a SIP trunk, a PBX appliance,
//     batteries kept by expiry...) in three warehouses, in lots received
//     over the last seven months at rising costs, with support terms: the
//     PBX appliance critical on a "Premium 24/7" SLA plan, the SIP trunk
//     high on it (one month: often expired), phones and switches normal
//     on a business-hours plan;
//   - six months of orders from about a third of the clients (and one per
//     won deal in roubles), shipped from the lots with their income,
//     installation fees, delivery costs and warranty repairs;
//   - goods on the way (a transfer, supplier orders) and short products:
//     IPPHONE-T54 with 2 free until a supplier order, PBX-AST100 with none
//     until a transfer arrives, GW-HT818 with none and nothing incoming;
//   - open requests about purchased products, with the priority and SLA
//     plan of the product's support when it lasts, some with an
//     engineer's cost;
//     active reservations (for the demo caller, a request, an open deal and
//     a few buyers);
//   - three marketing campaigns with monthly spending, leads and won leads;
//   - an "Отдел продаж" (sales) team (agent1 and agent2, led by supervisor1), three
//     documents (an offer template all may read, a price list for
//     supervisors, a call script for the Sales team) and a project;
//   - 32 knowledge-base articles, mostly Russian, some English.
//
// The data is the same for the same clients, deals and now (the RNG is
// seeded with DefaultSeed). It does nothing when products exist.
func SeedResources(ctx context.Context, st ResourceStore, res Resources, people Staff, articles ArticleSaver, now time.Time) error {
	if list, err := res.Catalogue.ListProducts(ctx, "", 1); err != nil || len(list) > 0 {
		return err
	}
	now = now.UTC()
	cast, err := loadCast(ctx, st, people.Users)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(DefaultSeed, DefaultSeed^0x5e0c4e5))
	cat := catalogue()
	whs, err := seedCatalogue(ctx, st, res, cat)
	if err != nil {
		return err
	}
	sp := salesPlanner{rng: rng, cat: cat, now: now}
	sales := sp.plan(cast.clients, cast.ivan, cast.won)
	if err := seedHistory(ctx, st, res, rng, cat, whs, sales, now); err != nil {
		return err
	}
	if err := seedIncoming(ctx, st, res, cat, whs, now, cast.admin.ID); err != nil {
		return err
	}
	orders := append([]purchase{sales[slices.IndexFunc(sales, func(p purchase) bool { return p.note == ivanOrder })]},
		pickTicketOrders(rng, cat, sales, cast.ivan.ID)...)
	tickets, err := seedTickets(ctx, st, res, rng, cat, orders, cast.agents, now)
	if err != nil {
		return err
	}
	if err := seedReservations(ctx, st, res, rng, cat, whs, sales, tickets, cast.open, cast.ivan.ID); err != nil {
		return err
	}
	if err := seedMarketing(ctx, st, res, rng, sales, cast.clientIDs(), now); err != nil {
		return err
	}
	team, err := seedSalesTeam(ctx, people.Teams, cast.users)
	if err != nil {
		return err
	}
	if err := seedPlansAndDocs(ctx, st, res, now, cast.admin, cast.ivan.ID, team); err != nil {
		return err
	}
	return seedKnowledgeBase(ctx, articles, cast.admin.ID)
}

// resourceCast is who the resource data is about.
type resourceCast struct {
	users     []crm.User
	admin     crm.User
	agents    []int64
	clients   []crm.Client // by ID
	ivan      crm.Client
	won, open []funnel.Deal
}

// clientIDs are the IDs of every client.
func (c resourceCast) clientIDs() []int64 {
	out := make([]int64, len(c.clients))
	for i, cl := range c.clients {
		out[i] = cl.ID
	}
	return out
}

// loadCast loads the users, every client, the demo caller and the
// funnel's won and open deals (none when the funnel is not seeded).
func loadCast(ctx context.Context, st ResourceStore, users crm.UserService) (resourceCast, error) {
	var c resourceCast
	var err error
	if c.users, err = users.ListUsers(ctx); err != nil || len(c.users) == 0 {
		return c, fmt.Errorf("seed resources: users first: %w", err)
	}
	c.admin = c.users[0]
	for _, u := range c.users {
		switch u.Role {
		case crm.RoleAdmin:
			c.admin = u
		case crm.RoleAgent:
			c.agents = append(c.agents, u.ID)
		}
	}
	if len(c.agents) == 0 {
		c.agents = []int64{c.admin.ID}
	}
	for after := ""; ; {
		page, err := st.ListClients(ctx, crm.ClientFilter{After: after, Limit: 200})
		if err != nil {
			return c, fmt.Errorf("seed resources: clients: %w", err)
		}
		c.clients = append(c.clients, page.Items...)
		if after = page.Next; after == "" {
			break
		}
	}
	slices.SortFunc(c.clients, func(a, b crm.Client) int { return cmp.Compare(a.ID, b.ID) })
	callers, err := st.FindClientsByPhone(ctx, CallerNumber)
	if err != nil || len(callers) == 0 {
		return c, fmt.Errorf("seed resources: demo caller: %w", err)
	}
	c.ivan = callers[0]
	if c.won, err = st.ListDeals(ctx, funnel.DealFilter{Status: funnel.StatusWon, Limit: 500}); err != nil {
		return c, fmt.Errorf("seed resources: won deals: %w", err)
	}
	if c.open, err = st.ListDeals(ctx, funnel.DealFilter{Status: funnel.StatusOpen, Limit: 500}); err != nil {
		return c, fmt.Errorf("seed resources: open deals: %w", err)
	}
	slices.SortFunc(c.won, func(a, b funnel.Deal) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(c.open, func(a, b funnel.Deal) int { return cmp.Compare(a.ID, b.ID) })
	return c, nil
}

// seedHistory receives the lots and ships the orders, each with its
// money. Products are independent, so their orders go in parallel (a few
// at a time), each product's in time order; the money is drawn first, so
// the data does not depend on the order of the writes.
func seedHistory(ctx context.Context, st ResourceStore, res Resources, rng *rand.Rand, cat []item, whs map[string]int64, sales []purchase, now time.Time) error {
	for _, l := range planLots(cat, whs, sales, now) {
		if _, err := res.Stock.Receive(ctx, l.in); err != nil {
			return fmt.Errorf("seed lot %s: %w", l.in.Batch, err)
		}
	}
	type order struct {
		purchase
		money []resource.Transaction
	}
	byItem := make([][]order, len(cat))
	for _, p := range sales {
		byItem[p.item] = append(byItem[p.item], order{p, saleMoney(rng, cat, p, now)})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(historyWriters)
	for _, orders := range byItem {
		g.Go(func() error {
			for _, o := range orders {
				out := resource.OutInput{ProductID: cat[o.item].ID, WarehouseID: whs[o.wh], Qty: o.qty, ClientID: &o.client.ID, Note: o.note, At: o.at}
				if _, err := res.Stock.Ship(gctx, out); err != nil {
					return fmt.Errorf("seed shipment of %d %s to client %d on %s: %w", o.qty, cat[o.item].SKU, o.client.ID, o.at.Format(time.DateOnly), err)
				}
				for _, t := range o.money {
					if err := res.Money.AddTransaction(gctx, &t); err != nil {
						return fmt.Errorf("seed transaction: %w", err)
					}
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// historyWriters is how many products' histories are written at once
// (pgx's default pool has at least four connections).
const historyWriters = 4

// seedSalesTeam returns the sales team ("Отдел продаж"), made of the first two agents and
// led by the first supervisor when it does not exist yet. Its members see
// its tickets and its documents.
func seedSalesTeam(ctx context.Context, st service.TeamService, users []crm.User) (int64, error) {
	teams, err := st.ListTeams(ctx)
	if err != nil {
		return 0, fmt.Errorf("seed team: %w", err)
	}
	for _, t := range teams {
		if t.Name == "Отдел продаж" {
			return t.ID, nil
		}
	}
	sales := service.Team{Name: "Отдел продаж"}
	for _, u := range users { // ordered by login: agent1, agent2, ..., supervisor1
		switch {
		case u.Role == crm.RoleAgent && len(sales.Members) < 2:
			sales.Members = append(sales.Members, u.ID)
		case u.Role == crm.RoleSupervisor && sales.LeadID == nil:
			sales.LeadID = &u.ID
		}
	}
	if err := st.CreateTeam(ctx, &sales); err != nil {
		return 0, fmt.Errorf("seed team: %w", err)
	}
	return sales.ID, nil
}

func seedPlansAndDocs(ctx context.Context, st ResourceStore, res Resources, now time.Time, admin crm.User, ivan, salesTeam int64) error {
	r := resource.Reader{UserID: admin.ID, Role: admin.Role}
	offer := resource.Document{Title: "Коммерческое предложение (шаблон)", Category: resource.DocTemplate, Tags: []string{"кп", "продажи"},
		Grants: []resource.Grant{{Kind: resource.GrantRole, Who: "agent"}, {Kind: resource.GrantRole, Who: "supervisor", Write: true}}}
	if err := res.Documents.CreateDocument(ctx, r, &offer, resource.Upload{Filename: "offer.html", Content: []byte(
		"<html><body><h1>Коммерческое предложение</h1><p>Кому: {{.Client.Name}}{{with .Client.Company}}, {{.}}{{end}}</p>" +
			"<p>Дата: {{.Today}}</p><p>Предлагаем оборудование IP-телефонии и SIP-транк на условиях ниже.</p>" +
			"<p>Ваш менеджер: {{.User.Name}}</p></body></html>")}, 0); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	prices := resource.Document{Title: "Дилерский прайс-лист 2026", Category: resource.DocCommercial, Tags: []string{"цены"},
		Grants: []resource.Grant{{Kind: resource.GrantRole, Who: "supervisor"}}}
	if err := res.Documents.CreateDocument(ctx, r, &prices, resource.Upload{Filename: "prices.txt",
		Content: []byte("Дилерские цены: IP-телефон T46U — 10 100 ₽, гарнитура Engage 50 — 5 200 ₽. Конфиденциально.")}, 0); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	script := resource.Document{Title: "Скрипт звонка для продаж", Category: resource.DocTechnical, Tags: []string{"продажи", "скрипт"},
		Grants: []resource.Grant{{Kind: resource.GrantTeam, Who: strconv.FormatInt(salesTeam, 10), Write: true}}}
	if err := res.Documents.CreateDocument(ctx, r, &script, resource.Upload{Filename: "script.txt",
		Content: []byte("Поприветствуйте клиента по имени, спросите, какие телефоны стоят сейчас, предложите T46U с SIP-транком.")}, 0); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	p := resource.Project{Name: "Запуск колл-центра для Ивана Петрова", ClientID: &ivan, Start: now,
		Resources: []resource.PlanAsset{{Name: admin.Name, Kind: resource.AssetUser, UserID: &admin.ID}, {Name: "Тестовая АТС", Kind: resource.AssetEquipment}},
		Tasks: []resource.Task{
			{Name: "Обследование объекта", DurationDays: 2, Assigned: []int64{1}},
			{Name: "Доставка телефонов", DurationDays: 3, DependsOn: []int64{1}},
			{Name: "Настройка АТС", DurationDays: 4, DependsOn: []int64{1}, Assigned: []int64{1, 2}},
			{Name: "Обучение операторов", DurationDays: 1, DependsOn: []int64{2, 3}, Assigned: []int64{1}},
			{Name: "Запуск в работу", DurationDays: 0, DependsOn: []int64{4}},
		}}
	if err := res.Projects.CreateProject(ctx, &p); err != nil {
		return fmt.Errorf("seed project: %w", err)
	}
	return nil
}
