package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

type receiptInput struct {
	Body struct {
		ProductID   int64  `json:"product_id" minimum:"1"`
		WarehouseID int64  `json:"warehouse_id" minimum:"1"`
		Batch       string `json:"batch" minLength:"1" maxLength:"64"`
		Qty         int64  `json:"qty" minimum:"1"`
		UnitCost    int64  `json:"unit_cost" minimum:"0" doc:"minor units"`
		ExpiresOn   string `json:"expires_on,omitempty" pattern:"^\\d{4}-\\d{2}-\\d{2}$" doc:"YYYY-MM-DD"`
		ExpectedID  int64  `json:"expected_id,omitempty" doc:"the expected receipt this closes"`
		Note        string `json:"note,omitempty" maxLength:"500"`
	}
}

type lotOutput struct{ Body resource.Lot }

type outInput struct {
	Body struct {
		ProductID   int64  `json:"product_id" minimum:"1"`
		WarehouseID int64  `json:"warehouse_id" minimum:"1"`
		LotID       int64  `json:"lot_id,omitempty" doc:"a lot to take from; default FIFO/FEFO"`
		Qty         int64  `json:"qty" minimum:"1"`
		ClientID    *int64 `json:"client_id,omitempty"`
		Note        string `json:"note,omitempty" maxLength:"500"`
	}
}

type linesOutput struct {
	Body struct {
		Lines []resource.LotQty `json:"lines"`
	}
}

type adjustInput struct {
	Body struct {
		LotID       int64  `json:"lot_id" minimum:"1"`
		WarehouseID int64  `json:"warehouse_id" minimum:"1"`
		Qty         int64  `json:"qty" doc:"signed correction"`
		Note        string `json:"note" minLength:"1" maxLength:"500" doc:"the reason"`
	}
}

type transferInput struct {
	Body struct {
		ProductID       int64     `json:"product_id" minimum:"1"`
		FromWarehouseID int64     `json:"from_warehouse_id" minimum:"1"`
		ToWarehouseID   int64     `json:"to_warehouse_id" minimum:"1"`
		Qty             int64     `json:"qty" minimum:"1"`
		ExpectedAt      time.Time `json:"expected_at" doc:"when it should arrive"`
	}
}

type transferOutput struct{ Body resource.Transfer }

type transfersOutput struct {
	Body struct {
		Transfers []resource.Transfer `json:"transfers"`
	}
}

type expectInput struct {
	Body struct {
		ProductID   int64     `json:"product_id" minimum:"1"`
		WarehouseID int64     `json:"warehouse_id" minimum:"1"`
		Qty         int64     `json:"qty" minimum:"1"`
		ExpectedAt  time.Time `json:"expected_at"`
		Note        string    `json:"note,omitempty" maxLength:"500"`
	}
}

type idOutput struct {
	Body struct {
		ID int64 `json:"id"`
	}
}

type stockInput struct {
	ProductID   int64 `query:"product_id" minimum:"0"`
	WarehouseID int64 `query:"warehouse_id" minimum:"0"`
	All         bool  `query:"all" doc:"include lots with nothing on hand"`
}

type stockOutput struct {
	Body struct {
		Balances []resource.Balance `json:"balances"`
	}
}

type movementsOutput struct {
	Body struct {
		Movements []resource.Movement `json:"movements"`
	}
}

func (s *resourceAPI) registerMovements(api huma.API) {
	tags := []string{"stock"}
	post := func(id, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Tags: tags, Summary: summary, DefaultStatus: http.StatusCreated}
	}
	Register(api, SupervisorOrAdmin, post("receive-stock", "/api/v1/stock/receipts", "Receive a lot into a warehouse"), s.receive)
	Register(api, SupervisorOrAdmin, post("ship-stock", "/api/v1/stock/shipments", "Ship goods to a client"),
		func(ctx context.Context, in *outInput) (*linesOutput, error) { return s.out(ctx, in, s.store.Ship) })
	Register(api, SupervisorOrAdmin, post("write-off-stock", "/api/v1/stock/write-offs", "Write goods off"),
		func(ctx context.Context, in *outInput) (*linesOutput, error) { return s.out(ctx, in, s.store.WriteOff) })
	Register(api, SupervisorOrAdmin, post("adjust-stock", "/api/v1/stock/adjustments", "Correct a lot's counted stock"),
		func(ctx context.Context, in *adjustInput) (*struct{}, error) {
			b := in.Body
			err := s.store.Adjust(ctx, resource.AdjustInput{LotID: b.LotID, WarehouseID: b.WarehouseID, Qty: b.Qty, Note: b.Note, UserID: userID(ctx)})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
	Register(api, SupervisorOrAdmin, post("start-transfer", "/api/v1/stock/transfers", "Send goods to another warehouse"),
		func(ctx context.Context, in *transferInput) (*transferOutput, error) {
			b := in.Body
			t, err := s.store.StartTransfer(ctx, resource.TransferInput{ProductID: b.ProductID, FromWarehouseID: b.FromWarehouseID,
				ToWarehouseID: b.ToWarehouseID, Qty: b.Qty, ExpectedAt: b.ExpectedAt}, userID(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &transferOutput{Body: t}, nil
		})
	arrive := post("arrive-transfer", "/api/v1/stock/transfers/{id}/arrival", "Book a transfer in at its destination")
	arrive.DefaultStatus = http.StatusOK
	Register(api, SupervisorOrAdmin, arrive, func(ctx context.Context, in *idPath) (*transferOutput, error) {
		t, err := s.store.ArriveTransfer(ctx, in.ID, userID(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &transferOutput{Body: t}, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "list-transfers", Method: http.MethodGet, Path: "/api/v1/stock/transfers", Tags: tags,
		Summary: "Transfers, newest first"}, func(ctx context.Context, in *struct {
		InTransit bool `query:"in_transit"`
	}) (*transfersOutput, error) {
		list, err := s.store.ListTransfers(ctx, in.InTransit, 200)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		hideTransferCosts(ctx, list)
		out := &transfersOutput{}
		out.Body.Transfers = list
		return out, nil
	})
	Register(api, SupervisorOrAdmin, post("expect-receipt", "/api/v1/stock/expected", "Record goods ordered from a supplier"),
		func(ctx context.Context, in *expectInput) (*idOutput, error) {
			b := in.Body
			id, err := s.store.ExpectReceipt(ctx, b.ProductID, b.WarehouseID, b.Qty, b.ExpectedAt, b.Note)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &idOutput{}
			out.Body.ID = id
			return out, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "list-stock", Method: http.MethodGet, Path: "/api/v1/stock", Tags: tags,
		Summary: "Stock by lot and warehouse"}, func(ctx context.Context, in *stockInput) (*stockOutput, error) {
		list, err := s.store.Balances(ctx, resource.BalanceFilter{ProductID: in.ProductID, WarehouseID: in.WarehouseID, NonZero: !in.All})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		hideBalanceCosts(ctx, list)
		out := &stockOutput{}
		out.Body.Balances = list
		return out, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "list-movements", Method: http.MethodGet, Path: "/api/v1/stock/movements", Tags: tags,
		Summary: "Stock movements, newest first"}, func(ctx context.Context, in *struct {
		ProductID int64 `query:"product_id" minimum:"0"`
	}) (*movementsOutput, error) {
		list, err := s.store.ListMovements(ctx, in.ProductID, 200)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		hideMovementCosts(ctx, list)
		out := &movementsOutput{}
		out.Body.Movements = list
		return out, nil
	})
}

func (s *resourceAPI) receive(ctx context.Context, in *receiptInput) (*lotOutput, error) {
	b := in.Body
	r := resource.ReceiptInput{ProductID: b.ProductID, WarehouseID: b.WarehouseID, Batch: b.Batch, Qty: b.Qty, UnitCost: b.UnitCost,
		Note: b.Note, ExpectedID: b.ExpectedID, UserID: userID(ctx)}
	if b.ExpiresOn != "" {
		d, err := resource.ParseDate(b.ExpiresOn)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity("expires_on: want YYYY-MM-DD")
		}
		r.ExpiresOn = &d
	}
	lot, err := s.store.Receive(ctx, r)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &lotOutput{Body: lot}, nil
}

func (s *resourceAPI) out(ctx context.Context, in *outInput, fn func(context.Context, resource.OutInput) ([]resource.LotQty, error)) (*linesOutput, error) {
	b := in.Body
	lines, err := fn(ctx, resource.OutInput{ProductID: b.ProductID, WarehouseID: b.WarehouseID, LotID: b.LotID, Qty: b.Qty,
		ClientID: b.ClientID, Note: b.Note, UserID: userID(ctx)})
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &linesOutput{}
	out.Body.Lines = lines
	return out, nil
}
