package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/telephony/screenpop"
)

// StockDeps are what RegisterStock needs: the catalogue, stock movements and
// reservations (crm/postgres.StockService is all three), who may act on a
// reservation, and the products a client bought.
type StockDeps struct {
	Catalogue    resource.CatalogueService
	Stock        resource.StockService
	Reservations resource.ReservationService
	Access       resource.ReservationAccess
	// Purchases lists the products shipped to a client with their support.
	Purchases interface {
		PurchasedProducts(ctx context.Context, clientID int64, limit int) ([]screenpop.Product, error)
	}
	Logger *slog.Logger
}

// resourceProblems maps a feature's domain and store errors to problem responses,
// logging the unexpected ones.
type resourceProblems struct{ log *slog.Logger }

func newResourceProblems(log *slog.Logger) resourceProblems {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return resourceProblems{log: log}
}

// problem maps a domain or store error to a problem response.
func (p resourceProblems) problem(ctx context.Context, err error) error {
	return problemFor(ctx, p.log, err)
}

// stockHandlers serve the warehouse operations.
type stockHandlers struct {
	resourceProblems
	deps StockDeps
}

// RegisterStock adds the warehouse operations: everyone reads products,
// stock, availability and a client's purchases, and reserves stock for
// clients; supervisors and admins keep the catalogue and post movements.
func RegisterStock(api *Server, deps StockDeps) {
	h := stockHandlers{resourceProblems: newResourceProblems(deps.Logger), deps: deps}
	a := api.API()
	Register(a, AnyRole, stockOp("list-products", http.MethodGet, "/api/v1/products", "Products by SKU"), h.listProducts)
	Register(a, SupervisorOrAdmin, answersCreated(stockOp("create-product", http.MethodPost, "/api/v1/products", "Add a product")), h.createProduct)
	Register(a, SupervisorOrAdmin, stockOp("update-product", http.MethodPut, "/api/v1/products/{id}", "Change a product"), h.updateProduct)
	Register(a, AnyRole, stockOp("list-warehouses", http.MethodGet, "/api/v1/warehouses", "Warehouses"), h.listWarehouses)
	Register(a, AdminOnly, answersCreated(stockOp("create-warehouse", http.MethodPost, "/api/v1/warehouses", "Add a warehouse")), h.createWarehouse)

	Register(a, SupervisorOrAdmin, answersCreated(stockOp("receive-stock", http.MethodPost, "/api/v1/stock/receipts", "Receive a lot into a warehouse")), h.receive)
	Register(a, SupervisorOrAdmin, answersCreated(stockOp("ship-stock", http.MethodPost, "/api/v1/stock/shipments", "Ship goods to a client")), h.ship)
	Register(a, SupervisorOrAdmin, answersCreated(stockOp("write-off-stock", http.MethodPost, "/api/v1/stock/write-offs", "Write goods off")), h.writeOff)
	Register(a, SupervisorOrAdmin, answersCreated(stockOp("adjust-stock", http.MethodPost, "/api/v1/stock/adjustments", "Correct a lot's counted stock")), h.adjust)
	Register(a, SupervisorOrAdmin, answersCreated(stockOp("start-transfer", http.MethodPost, "/api/v1/stock/transfers", "Send goods to another warehouse")), h.startTransfer)
	Register(a, SupervisorOrAdmin, stockOp("arrive-transfer", http.MethodPost, "/api/v1/stock/transfers/{id}/arrival", "Book a transfer in at its destination"), h.arriveTransfer)
	Register(a, AnyRole, stockOp("list-transfers", http.MethodGet, "/api/v1/stock/transfers", "Transfers, newest first"), h.listTransfers)
	Register(a, SupervisorOrAdmin, answersCreated(stockOp("expect-receipt", http.MethodPost, "/api/v1/stock/expected", "Record goods ordered from a supplier")), h.expectReceipt)
	Register(a, AnyRole, stockOp("list-stock", http.MethodGet, "/api/v1/stock", "Stock by lot and warehouse"), h.listStock)
	Register(a, AnyRole, stockOp("list-movements", http.MethodGet, "/api/v1/stock/movements", "Stock movements, newest first"), h.listMovements)

	Register(a, AnyRole, stockOp("get-availability", http.MethodGet, "/api/v1/products/{id}/availability", "Free stock per warehouse and the earliest delivery date"), h.availability)
	Register(a, AnyRole, answersCreated(stockOp("create-reservation", http.MethodPost, "/api/v1/reservations", "Reserve stock for a client, a deal or a ticket")), h.reserve)
	Register(a, AnyRole, stockOp("list-reservations", http.MethodGet, "/api/v1/reservations", "Reservations, newest first"), h.listReservations)
	Register(a, AnyRole, stockOp("get-reservation", http.MethodGet, "/api/v1/reservations/{id}", "One reservation with its lots"), h.getReservation)
	Register(a, AnyRole, stockOp("release-reservation", http.MethodPost, "/api/v1/reservations/{id}/release", "Cancel a reservation"), h.releaseReservation)
	Register(a, SupervisorOrAdmin, stockOp("fulfil-reservation", http.MethodPost, "/api/v1/reservations/{id}/fulfil", "Ship the reserved lots"), h.fulfilReservation)
	Register(a, AnyRole, stockOp("list-purchased-products", http.MethodGet, "/api/v1/clients/{id}/products", "Products shipped to a client, with support conditions"), h.purchased)
	Register(a, AnyRole, stockOp("get-client-availability", http.MethodGet, "/api/v1/clients/{id}/availability",
		"Free stock and earliest delivery date of the products on a client's open tickets, reservations and purchases"), h.clientAvailability)
}

// stockOp is an operation of the "stock" group.
func stockOp(id, method, path, summary string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{"stock"}, Summary: summary}
}

// answersCreated makes an operation answer 201 Created.
func answersCreated(op huma.Operation) huma.Operation {
	op.DefaultStatus = http.StatusCreated
	return op
}

func userID(ctx context.Context) int64 {
	if p := PrincipalFrom(ctx); p != nil {
		return p.User.ID
	}
	return 0
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

func (h stockHandlers) listProducts(ctx context.Context, in *productsInput) (*productsOutput, error) {
	list, err := h.deps.Catalogue.ListProducts(ctx, in.Q, in.Limit)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &productsOutput{}
	out.Body.Products = list
	return out, nil
}

func (h stockHandlers) createProduct(ctx context.Context, in *struct{ Body productBody }) (*productOutput, error) {
	p := in.Body.product()
	if err := h.deps.Catalogue.CreateProduct(ctx, &p); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &productOutput{Body: p}, nil
}

func (h stockHandlers) updateProduct(ctx context.Context, in *struct {
	ID   int64 `path:"id" minimum:"1"`
	Body productBody
}) (*productOutput, error) {
	p := in.Body.product()
	p.ID = in.ID
	if err := h.deps.Catalogue.UpdateProduct(ctx, &p); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &productOutput{Body: p}, nil
}

func (h stockHandlers) listWarehouses(ctx context.Context, _ *struct{}) (*warehousesOutput, error) {
	list, err := h.deps.Catalogue.ListWarehouses(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &warehousesOutput{}
	out.Body.Warehouses = list
	return out, nil
}

func (h stockHandlers) createWarehouse(ctx context.Context, in *warehouseInput) (*warehouseOutput, error) {
	w := resource.Warehouse{Code: in.Body.Code, Name: in.Body.Name}
	if err := h.deps.Catalogue.CreateWarehouse(ctx, &w); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &warehouseOutput{Body: w}, nil
}
