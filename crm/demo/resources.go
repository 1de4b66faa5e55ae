package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// ResourceStore is what SeedResources needs; *postgres.Store satisfies it.
type ResourceStore interface {
	ListUsers(ctx context.Context) ([]crm.User, error)
	FindClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error)
	ListProducts(ctx context.Context, q string, limit int) ([]resource.Product, error)
	CreateProduct(ctx context.Context, p *resource.Product) error
	CreateWarehouse(ctx context.Context, w *resource.Warehouse) error
	Receive(ctx context.Context, in resource.ReceiptInput) (resource.Lot, error)
	Ship(ctx context.Context, in resource.OutInput) ([]resource.LotQty, error)
	Reserve(ctx context.Context, in resource.ReserveInput) (resource.Reservation, error)
	StartTransfer(ctx context.Context, in resource.TransferInput, userID int64) (resource.Transfer, error)
	ExpectReceipt(ctx context.Context, productID, warehouseID, qty int64, at time.Time, note string) (int64, error)
	AddTransaction(ctx context.Context, t *resource.Transaction) error
	CreateMarketingCampaign(ctx context.Context, c *resource.MarketingCampaign) error
	AddLead(ctx context.Context, campaignID, clientID int64, at time.Time, won bool) error
	CreateDocument(ctx context.Context, r resource.Reader, d *resource.Document, up resource.Upload, maxSize int) error
	ListTeams(ctx context.Context) ([]service.Team, error)
	CreateTeam(ctx context.Context, t *service.Team) error
	CreateProject(ctx context.Context, p *resource.Project) error
}

// SeedResources adds the resource module's demo data after Seed: three
// products in two warehouses (one transfer on the road, one supplier order
// expected), purchases and a reservation for the demo caller (so his screen
// pop lists products with support), income, expenses and a campaign for the
// reports, a "Sales" team (agent1 and agent2, led by supervisor1), three
// documents (an offer template all may read, a price list for supervisors,
// a call script for the Sales team) and a project. It does nothing when
// products exist.
func SeedResources(ctx context.Context, st ResourceStore, now time.Time) error {
	if list, err := st.ListProducts(ctx, "", 1); err != nil || len(list) > 0 {
		return err
	}
	users, err := st.ListUsers(ctx)
	if err != nil || len(users) == 0 {
		return fmt.Errorf("seed resources: users first: %w", err)
	}
	admin := users[0]
	for _, u := range users {
		if u.Role == crm.RoleAdmin {
			admin = u
		}
	}
	callers, err := st.FindClientsByPhone(ctx, CallerNumber)
	if err != nil || len(callers) == 0 {
		return fmt.Errorf("seed resources: demo caller: %w", err)
	}
	ivan := callers[0].ID
	prods, whs, err := seedStock(ctx, st, now)
	if err != nil {
		return err
	}
	if err := seedMovements(ctx, st, now, prods, whs, ivan, admin.ID); err != nil {
		return err
	}
	if err := seedMoney(ctx, st, now, prods, ivan); err != nil {
		return err
	}
	sales, err := seedSalesTeam(ctx, st, users)
	if err != nil {
		return err
	}
	return seedPlansAndDocs(ctx, st, now, admin, ivan, sales)
}

// seedSalesTeam returns the "Sales" team, made of the first two agents and
// led by the first supervisor when it does not exist yet. Its members see
// its tickets and its documents.
func seedSalesTeam(ctx context.Context, st ResourceStore, users []crm.User) (int64, error) {
	teams, err := st.ListTeams(ctx)
	if err != nil {
		return 0, fmt.Errorf("seed team: %w", err)
	}
	for _, t := range teams {
		if t.Name == "Sales" {
			return t.ID, nil
		}
	}
	sales := service.Team{Name: "Sales"}
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

func seedStock(ctx context.Context, st ResourceStore, now time.Time) ([]resource.Product, []resource.Warehouse, error) {
	prods := []resource.Product{
		{SKU: "IPPHONE-T46", Name: "IP phone Yealink T46U", Price: 1490000, LeadTimeDays: 14, Support: "8x5, next business day", SupportMonths: 24},
		{SKU: "HEADSET-H2", Name: "Headset Jabra Engage 50", Price: 890000, LeadTimeDays: 7, Support: "replacement within 14 days", SupportMonths: 12},
		{SKU: "SIP-TRUNK-30", Name: "SIP trunk, 30 channels (month)", Price: 1200000, Unit: "month", Support: "24/7, 4h response", SupportMonths: 1},
	}
	for i := range prods {
		if err := st.CreateProduct(ctx, &prods[i]); err != nil {
			return nil, nil, fmt.Errorf("seed product: %w", err)
		}
	}
	whs := []resource.Warehouse{{Code: "MSK", Name: "Moscow, Varshavskoe 47"}, {Code: "SPB", Name: "Saint Petersburg, Obvodny 93"}}
	for i := range whs {
		if err := st.CreateWarehouse(ctx, &whs[i]); err != nil {
			return nil, nil, fmt.Errorf("seed warehouse: %w", err)
		}
	}
	exp := resource.DateOf(now.AddDate(1, 0, 0))
	lots := []resource.ReceiptInput{
		{ProductID: prods[0].ID, WarehouseID: whs[0].ID, Batch: "T46-2026-01", Qty: 40, UnitCost: 1010000},
		{ProductID: prods[0].ID, WarehouseID: whs[0].ID, Batch: "T46-2026-02", Qty: 25, UnitCost: 1050000},
		{ProductID: prods[0].ID, WarehouseID: whs[1].ID, Batch: "T46-2026-03", Qty: 10, UnitCost: 1060000},
		{ProductID: prods[1].ID, WarehouseID: whs[0].ID, Batch: "H2-2026-01", Qty: 60, UnitCost: 520000, ExpiresOn: &exp},
		{ProductID: prods[2].ID, WarehouseID: whs[0].ID, Batch: "TRUNK-2026", Qty: 100, UnitCost: 400000},
	}
	for _, l := range lots {
		if _, err := st.Receive(ctx, l); err != nil {
			return nil, nil, fmt.Errorf("seed lot %s: %w", l.Batch, err)
		}
	}
	return prods, whs, nil
}

func seedMovements(ctx context.Context, st ResourceStore, now time.Time, prods []resource.Product, whs []resource.Warehouse, ivan, admin int64) error {
	if _, err := st.Ship(ctx, resource.OutInput{ProductID: prods[0].ID, WarehouseID: whs[0].ID, Qty: 12, ClientID: &ivan, Note: "order 2026-114"}); err != nil {
		return fmt.Errorf("seed shipment: %w", err)
	}
	if _, err := st.Ship(ctx, resource.OutInput{ProductID: prods[2].ID, WarehouseID: whs[0].ID, Qty: 1, ClientID: &ivan}); err != nil {
		return fmt.Errorf("seed shipment: %w", err)
	}
	if _, err := st.Reserve(ctx, resource.ReserveInput{ProductID: prods[1].ID, Qty: 12, ClientID: &ivan, TTL: 72 * time.Hour}); err != nil {
		return fmt.Errorf("seed reservation: %w", err)
	}
	if _, err := st.StartTransfer(ctx, resource.TransferInput{ProductID: prods[0].ID, FromWarehouseID: whs[0].ID, ToWarehouseID: whs[1].ID,
		Qty: 8, ExpectedAt: now.Add(48 * time.Hour)}, admin); err != nil {
		return fmt.Errorf("seed transfer: %w", err)
	}
	if _, err := st.ExpectReceipt(ctx, prods[1].ID, whs[1].ID, 30, now.AddDate(0, 0, 6), "PO-7731"); err != nil {
		return fmt.Errorf("seed expected receipt: %w", err)
	}
	return nil
}

func seedMoney(ctx context.Context, st ResourceStore, now time.Time, prods []resource.Product, ivan int64) error {
	camp := resource.MarketingCampaign{Name: "Autumn webinar", Channel: "webinar"}
	if err := st.CreateMarketingCampaign(ctx, &camp); err != nil {
		return fmt.Errorf("seed campaign: %w", err)
	}
	if err := st.AddLead(ctx, camp.ID, ivan, now.AddDate(0, 0, -20), true); err != nil {
		return fmt.Errorf("seed lead: %w", err)
	}
	ticket := int64(1)
	for _, t := range []resource.Transaction{
		{At: now.AddDate(0, 0, -10), Direction: resource.Income, Amount: 12 * 1490000, Category: resource.CategorySale, ClientID: &ivan, ProductID: &prods[0].ID},
		{At: now.AddDate(0, 0, -10), Direction: resource.Income, Amount: 1200000, Category: resource.CategorySale, ClientID: &ivan, ProductID: &prods[2].ID},
		{At: now.AddDate(0, 0, -9), Direction: resource.Expense, Amount: 350000, Category: resource.CategoryDelivery, ClientID: &ivan},
		{At: now.AddDate(0, 0, -3), Direction: resource.Expense, Amount: 420000, Category: resource.CategoryService, ClientID: &ivan, TicketID: &ticket},
		{At: now.AddDate(0, 0, -25), Direction: resource.Expense, Amount: 3000000, Category: resource.CategoryMarketing, CampaignID: &camp.ID},
	} {
		if err := st.AddTransaction(ctx, &t); err != nil {
			return fmt.Errorf("seed transaction: %w", err)
		}
	}
	return nil
}

func seedPlansAndDocs(ctx context.Context, st ResourceStore, now time.Time, admin crm.User, ivan, salesTeam int64) error {
	r := resource.Reader{UserID: admin.ID, Role: admin.Role}
	offer := resource.Document{Title: "Commercial offer (template)", Category: resource.DocTemplate, Tags: []string{"offer", "sales"},
		Grants: []resource.Grant{{Kind: resource.GrantRole, Who: "agent"}, {Kind: resource.GrantRole, Who: "supervisor", Write: true}}}
	if err := st.CreateDocument(ctx, r, &offer, resource.Upload{Filename: "offer.html", Content: []byte(
		"<html><body><h1>Commercial offer</h1><p>To: {{.Client.Name}}{{with .Client.Company}}, {{.}}{{end}}</p>" +
			"<p>Date: {{.Today}}</p><p>We offer IP telephony equipment and a SIP trunk on the terms below.</p>" +
			"<p>Your manager: {{.User.Name}}</p></body></html>")}, 0); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	prices := resource.Document{Title: "Dealer price list 2026", Category: resource.DocCommercial, Tags: []string{"prices"},
		Grants: []resource.Grant{{Kind: resource.GrantRole, Who: "supervisor"}}}
	if err := st.CreateDocument(ctx, r, &prices, resource.Upload{Filename: "prices.txt",
		Content: []byte("Dealer prices: IP phone T46U 10100 RUB, headset Engage 50 5200 RUB. Confidential.")}, 0); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	script := resource.Document{Title: "Sales call script", Category: resource.DocTechnical, Tags: []string{"sales", "script"},
		Grants: []resource.Grant{{Kind: resource.GrantTeam, Who: strconv.FormatInt(salesTeam, 10), Write: true}}}
	if err := st.CreateDocument(ctx, r, &script, resource.Upload{Filename: "script.txt",
		Content: []byte("Greet the caller by name, ask about their current phones, offer the T46U with a SIP trunk.")}, 0); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	p := resource.Project{Name: "Call centre rollout for Ivan Petrov", ClientID: &ivan, Start: now,
		Resources: []resource.PlanAsset{{Name: admin.Name, Kind: resource.AssetUser, UserID: &admin.ID}, {Name: "Test bench PBX", Kind: resource.AssetEquipment}},
		Tasks: []resource.Task{
			{Name: "Site survey", DurationDays: 2, Assigned: []int64{1}},
			{Name: "Deliver phones", DurationDays: 3, DependsOn: []int64{1}},
			{Name: "Configure PBX", DurationDays: 4, DependsOn: []int64{1}, Assigned: []int64{1, 2}},
			{Name: "Train agents", DurationDays: 1, DependsOn: []int64{2, 3}, Assigned: []int64{1}},
			{Name: "Go live", DurationDays: 0, DependsOn: []int64{4}},
		}}
	if err := st.CreateProject(ctx, &p); err != nil {
		return fmt.Errorf("seed project: %w", err)
	}
	return nil
}
