package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/telephony/screenpop"
)

// StockStore is what the warehouse operations need (crm/postgres.Store).
type StockStore interface {
	CreateProduct(ctx context.Context, p *resource.Product) error
	UpdateProduct(ctx context.Context, p *resource.Product) error
	GetProduct(ctx context.Context, id int64) (resource.Product, error)
	ListProducts(ctx context.Context, q string, limit int) ([]resource.Product, error)
	CreateWarehouse(ctx context.Context, w *resource.Warehouse) error
	ListWarehouses(ctx context.Context) ([]resource.Warehouse, error)
	Receive(ctx context.Context, in resource.ReceiptInput) (resource.Lot, error)
	Ship(ctx context.Context, in resource.OutInput) ([]resource.LotQty, error)
	WriteOff(ctx context.Context, in resource.OutInput) ([]resource.LotQty, error)
	Adjust(ctx context.Context, in resource.AdjustInput) error
	StartTransfer(ctx context.Context, in resource.TransferInput, userID int64) (resource.Transfer, error)
	ArriveTransfer(ctx context.Context, id, userID int64) (resource.Transfer, error)
	ListTransfers(ctx context.Context, inTransit bool, limit int) ([]resource.Transfer, error)
	ExpectReceipt(ctx context.Context, productID, warehouseID, qty int64, at time.Time, note string) (int64, error)
	Balances(ctx context.Context, f resource.BalanceFilter) ([]resource.Balance, error)
	ListMovements(ctx context.Context, productID int64, limit int) ([]resource.Movement, error)
	Availability(ctx context.Context, productID, qty int64) (resource.Availability, error)
	Reserve(ctx context.Context, in resource.ReserveInput) (resource.Reservation, error)
	GetReservation(ctx context.Context, id int64) (resource.Reservation, error)
	ListReservations(ctx context.Context, f resource.ReservationFilter) ([]resource.Reservation, error)
	ReleaseReservation(ctx context.Context, id int64) error
	FulfilReservation(ctx context.Context, id, userID int64) (resource.Reservation, error)
	ReservationVisibleTo(ctx context.Context, id, agentID int64) (bool, error)
	DealVisibleTo(ctx context.Context, dealID, agentID int64) (bool, error)
	TicketVisibleTo(ctx context.Context, ticketID, agentID int64) (bool, error)
	PurchasedProducts(ctx context.Context, clientID int64, limit int) ([]screenpop.Product, error)
	ClientAvailability(ctx context.Context, clientID int64, limit int) ([]resource.ClientProduct, error)
}

// ResourceDeps are what RegisterStock and the other resource operations need.
type ResourceDeps struct {
	Store  StockStore
	Logger *slog.Logger
}

// resourceAPI holds the resource operations' dependencies.
type resourceAPI struct {
	store StockStore
	log   *slog.Logger
}

func newResourceAPI(deps ResourceDeps) *resourceAPI {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &resourceAPI{store: deps.Store, log: deps.Logger}
}

// problem maps a domain or store error to a problem response.
func (s *resourceAPI) problem(ctx context.Context, err error) error {
	return problemFor(ctx, s.log, err)
}

func userID(ctx context.Context) int64 {
	if p := PrincipalFrom(ctx); p != nil {
		return p.User.ID
	}
	return 0
}

// RegisterStock adds the warehouse operations: everyone reads products,
// stock, availability and a client's purchases, and reserves stock for
// clients; supervisors and admins keep the catalogue and post movements.
func RegisterStock(api huma.API, deps ResourceDeps) {
	s := newResourceAPI(deps)
	s.registerCatalogue(api)
	s.registerMovements(api)
	s.registerReservations(api)
	s.registerClientAvailability(api)
}

type idPath struct {
	ID int64 `path:"id" minimum:"1"`
}

type productsInput struct {
	Q     string `query:"q" maxLength:"100"`
	Limit int    `query:"limit" minimum:"0" maximum:"500"`
}

type productsOutput struct {
	Body struct {
		Products []resource.Product `json:"products"`
	}
}

type productBody struct {
	SKU           string `json:"sku" minLength:"1" maxLength:"64"`
	Name          string `json:"name" minLength:"1" maxLength:"200"`
	Unit          string `json:"unit,omitempty" maxLength:"16"`
	Price         int64  `json:"price,omitempty" minimum:"0" doc:"minor units (kopecks)"`
	CostMethod    string `json:"cost_method,omitempty" enum:"fifo,fefo"`
	LeadTimeDays  int    `json:"lead_time_days,omitempty" minimum:"0" maximum:"3650"`
	Support       string `json:"support,omitempty" maxLength:"200"`
	SupportMonths int    `json:"support_months,omitempty" minimum:"0" maximum:"1200"`
	// SupportPriority and SupportPlanID are what a request about the
	// product gets while the buyer's support lasts.
	SupportPriority string `json:"support_priority,omitempty" enum:"critical,high,normal,low" doc:"priority of requests about the product while supported (absent: the client's usual)"`
	SupportPlanID   *int64 `json:"support_plan_id,omitempty" minimum:"1" doc:"SLA plan of requests about the product while supported (absent: the client's or the default plan)"`
}

func (b productBody) product() resource.Product {
	return resource.Product{SKU: b.SKU, Name: b.Name, Unit: b.Unit, Price: b.Price, CostMethod: resource.CostMethod(b.CostMethod),
		LeadTimeDays: b.LeadTimeDays, Support: b.Support, SupportMonths: b.SupportMonths,
		SupportPriority: service.Priority(b.SupportPriority), SupportPlanID: b.SupportPlanID}
}

type productOutput struct{ Body resource.Product }

type warehousesOutput struct {
	Body struct {
		Warehouses []resource.Warehouse `json:"warehouses"`
	}
}

type warehouseInput struct {
	Body struct {
		Code string `json:"code" minLength:"1" maxLength:"32"`
		Name string `json:"name" minLength:"1" maxLength:"200"`
	}
}

type warehouseOutput struct{ Body resource.Warehouse }

func (s *resourceAPI) registerCatalogue(api huma.API) {
	tags := []string{"stock"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-products", Method: http.MethodGet, Path: "/api/v1/products", Tags: tags,
		Summary: "Products by SKU"}, func(ctx context.Context, in *productsInput) (*productsOutput, error) {
		list, err := s.store.ListProducts(ctx, in.Q, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &productsOutput{}
		out.Body.Products = list
		return out, nil
	})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "create-product", Method: http.MethodPost, Path: "/api/v1/products", Tags: tags,
		Summary: "Add a product", DefaultStatus: http.StatusCreated}, func(ctx context.Context, in *struct{ Body productBody }) (*productOutput, error) {
		p := in.Body.product()
		if err := s.store.CreateProduct(ctx, &p); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &productOutput{Body: p}, nil
	})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "update-product", Method: http.MethodPut, Path: "/api/v1/products/{id}", Tags: tags,
		Summary: "Change a product"}, func(ctx context.Context, in *struct {
		ID   int64 `path:"id" minimum:"1"`
		Body productBody
	}) (*productOutput, error) {
		p := in.Body.product()
		p.ID = in.ID
		if err := s.store.UpdateProduct(ctx, &p); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &productOutput{Body: p}, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "list-warehouses", Method: http.MethodGet, Path: "/api/v1/warehouses", Tags: tags,
		Summary: "Warehouses"}, func(ctx context.Context, _ *struct{}) (*warehousesOutput, error) {
		list, err := s.store.ListWarehouses(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &warehousesOutput{}
		out.Body.Warehouses = list
		return out, nil
	})
	Register(api, AdminOnly, huma.Operation{OperationID: "create-warehouse", Method: http.MethodPost, Path: "/api/v1/warehouses", Tags: tags,
		Summary: "Add a warehouse", DefaultStatus: http.StatusCreated}, func(ctx context.Context, in *warehouseInput) (*warehouseOutput, error) {
		w := resource.Warehouse{Code: in.Body.Code, Name: in.Body.Name}
		if err := s.store.CreateWarehouse(ctx, &w); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &warehouseOutput{Body: w}, nil
	})
}
