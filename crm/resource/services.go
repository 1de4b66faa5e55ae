package resource

import (
	"context"
	"time"
)

// The services below are what the API, the pages and the demo data use of
// the resource store (crm/postgres implements them: StockService the first
// three, MoneyService, DocumentService and ProjectService the others).

// CatalogueService keeps the product catalogue and the warehouses.
type CatalogueService interface {
	// CreateProduct adds a product and sets its ID.
	CreateProduct(ctx context.Context, p *Product) error
	// UpdateProduct changes a product (all its fields but the ID).
	UpdateProduct(ctx context.Context, p *Product) error
	// GetProduct is the product with that ID.
	GetProduct(ctx context.Context, id int64) (Product, error)
	// ListProducts lists products whose SKU or name matches q (all when
	// empty), at most limit.
	ListProducts(ctx context.Context, q string, limit int) ([]Product, error)
	// CreateWarehouse adds a warehouse and sets its ID.
	CreateWarehouse(ctx context.Context, w *Warehouse) error
	// ListWarehouses lists every warehouse.
	ListWarehouses(ctx context.Context) ([]Warehouse, error)
}

// StockService posts stock movements (receipts, shipments, write-offs,
// corrections, transfers, expected receipts) and reads stock levels and
// the movement journal.
type StockService interface {
	// Receive books a lot into a warehouse.
	Receive(ctx context.Context, in ReceiptInput) (Lot, error)
	// Ship takes goods out of free stock to a client.
	Ship(ctx context.Context, in OutInput) ([]LotQty, error)
	// WriteOff takes goods out of free stock for good.
	WriteOff(ctx context.Context, in OutInput) ([]LotQty, error)
	// Adjust corrects a lot's counted stock.
	Adjust(ctx context.Context, in AdjustInput) error
	// StartTransfer sends goods to another warehouse.
	StartTransfer(ctx context.Context, in TransferInput, userID int64) (Transfer, error)
	// ArriveTransfer books a transfer in at its destination.
	ArriveTransfer(ctx context.Context, id, userID int64) (Transfer, error)
	// ListTransfers lists transfers, newest first (only those on the way
	// when inTransit).
	ListTransfers(ctx context.Context, inTransit bool, limit int) ([]Transfer, error)
	// ExpectReceipt records goods ordered from a supplier and returns its ID.
	ExpectReceipt(ctx context.Context, productID, warehouseID, qty int64, at time.Time, note string) (int64, error)
	// Balances lists stock by lot and warehouse.
	Balances(ctx context.Context, f BalanceFilter) ([]Balance, error)
	// ListMovements lists a product's movements (all products' when 0),
	// newest first.
	ListMovements(ctx context.Context, productID int64, limit int) ([]Movement, error)
	// StockJournal is the movement journal: movements and reservations
	// with who and when, newest first.
	StockJournal(ctx context.Context, f JournalFilter) ([]JournalEntry, error)
}

// ReservationService tells what is free to promise and holds stock for
// clients, deals and requests.
type ReservationService interface {
	// Availability is a product's free stock per warehouse and the
	// earliest date qty can be delivered.
	Availability(ctx context.Context, productID, qty int64) (Availability, error)
	// ClientAvailability is the availability of the products a client
	// is interested in (open requests, reservations, purchases), at most
	// limit products.
	ClientAvailability(ctx context.Context, clientID int64, limit int) ([]ClientProduct, error)
	// Reserve holds free stock in one warehouse.
	Reserve(ctx context.Context, in ReserveInput) (Reservation, error)
	// ReserveAcross holds free stock taken from several warehouses, the
	// freest first: one reservation per warehouse.
	ReserveAcross(ctx context.Context, in ReserveInput) ([]Reservation, error)
	// GetReservation is a reservation with its lots.
	GetReservation(ctx context.Context, id int64) (Reservation, error)
	// ListReservations lists reservations, newest first (without lots).
	ListReservations(ctx context.Context, f ReservationFilter) ([]Reservation, error)
	// ReleaseReservation cancels a reservation.
	ReleaseReservation(ctx context.Context, id int64) error
	// FulfilReservation ships the reserved lots.
	FulfilReservation(ctx context.Context, id, userID int64) (Reservation, error)
}

// ReservationAccess tells whether an agent may act on a reservation, or
// reserve for a deal or a request (agentID 0: anyone may).
type ReservationAccess interface {
	// ReservationVisibleTo: the reservation exists and the agent may act on it.
	ReservationVisibleTo(ctx context.Context, id, agentID int64) (bool, error)
	// DealVisibleTo: the deal exists and the agent may see it.
	DealVisibleTo(ctx context.Context, dealID, agentID int64) (bool, error)
	// TicketVisibleTo: the request exists and the agent may see it.
	TicketVisibleTo(ctx context.Context, ticketID, agentID int64) (bool, error)
}

// MoneyService keeps income and expense transactions and marketing
// campaigns, and computes the money reports.
type MoneyService interface {
	// AddTransaction records an income or an expense and sets its ID.
	AddTransaction(ctx context.Context, t *Transaction) error
	// ListTransactions lists transactions, newest first.
	ListTransactions(ctx context.Context, f TransactionFilter) ([]Transaction, error)
	// CreateMarketingCampaign adds a campaign and sets its ID.
	CreateMarketingCampaign(ctx context.Context, c *MarketingCampaign) error
	// ListMarketingCampaigns lists every campaign.
	ListMarketingCampaigns(ctx context.Context) ([]MarketingCampaign, error)
	// AddLead attributes a client to a campaign (won: the deal was won).
	AddLead(ctx context.Context, campaignID, clientID int64, at time.Time, won bool) error
	// ClientProfit is one client's profitability over the period.
	ClientProfit(ctx context.Context, clientID int64, p Period) (Profit, error)
	// ClientProfitability is the profitability per client.
	ClientProfitability(ctx context.Context, p Period) ([]Profit, error)
	// ProductProfitability is the profitability per product.
	ProductProfitability(ctx context.Context, p Period) ([]Profit, error)
	// CampaignEfficiency is the marketing efficiency per campaign.
	CampaignEfficiency(ctx context.Context, p Period) ([]CampaignEfficiency, error)
	// ServiceCosts is the service spending per request and per client.
	ServiceCosts(ctx context.Context, p Period) (ServiceCost, error)
}

// DocumentService keeps the document library: every call is made for a
// reader, whose grants decide what they see and change.
type DocumentService interface {
	// CreateDocument adds a document owned by the reader, with its first
	// version, and sets its ID.
	CreateDocument(ctx context.Context, r Reader, d *Document, up Upload, maxSize int) error
	// AddDocumentVersion adds a version (the reader must be allowed to write).
	AddDocumentVersion(ctx context.Context, r Reader, id int64, up Upload, maxSize int) (Document, error)
	// SetDocumentGrants replaces who may read and write a document.
	SetDocumentGrants(ctx context.Context, r Reader, id int64, gs []Grant) error
	// GetDocument is a document's metadata and grants.
	GetDocument(ctx context.Context, r Reader, id int64) (Document, error)
	// DocumentContent is a version's file (0: the current one).
	DocumentContent(ctx context.Context, r Reader, id int64, version int) (Upload, error)
	// ListDocuments lists the documents the reader may read.
	ListDocuments(ctx context.Context, r Reader, f DocumentFilter) ([]Document, error)
	// ListDocumentVersions lists a document's versions, newest first.
	ListDocumentVersions(ctx context.Context, r Reader, id int64) ([]DocumentVersion, error)
}

// ProjectService keeps projects with their tasks and resources.
type ProjectService interface {
	// CreateProject schedules a project's tasks and stores it.
	CreateProject(ctx context.Context, p *Project) error
	// GetProject is a project with its tasks and resources.
	GetProject(ctx context.Context, id int64) (Project, error)
	// ListProjects lists projects, newest first (a client's when clientID > 0).
	ListProjects(ctx context.Context, clientID int64) ([]Project, error)
	// ApplyTaskDates takes task dates edited elsewhere (MSPDI) and
	// returns how many tasks changed.
	ApplyTaskDates(ctx context.Context, projectID int64, dates []TaskDates) (int, error)
	// AddTask adds a task at the end of the project.
	AddTask(ctx context.Context, projectID int64, t Task) (Task, error)
	// AddResource adds a resource to the project and sets its ID.
	AddResource(ctx context.Context, projectID int64, a *PlanAsset) error
}
