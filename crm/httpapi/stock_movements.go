package httpapi

import (
	"context"
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

func (h stockHandlers) ship(ctx context.Context, in *outInput) (*linesOutput, error) {
	return h.out(ctx, in, h.deps.Stock.Ship)
}

func (h stockHandlers) writeOff(ctx context.Context, in *outInput) (*linesOutput, error) {
	return h.out(ctx, in, h.deps.Stock.WriteOff)
}

func (h stockHandlers) adjust(ctx context.Context, in *adjustInput) (*struct{}, error) {
	b := in.Body
	err := h.deps.Stock.Adjust(ctx, resource.AdjustInput{LotID: b.LotID, WarehouseID: b.WarehouseID, Qty: b.Qty, Note: b.Note, UserID: userID(ctx)})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

func (h stockHandlers) startTransfer(ctx context.Context, in *transferInput) (*transferOutput, error) {
	b := in.Body
	t, err := h.deps.Stock.StartTransfer(ctx, resource.TransferInput{ProductID: b.ProductID, FromWarehouseID: b.FromWarehouseID,
		ToWarehouseID: b.ToWarehouseID, Qty: b.Qty, ExpectedAt: b.ExpectedAt}, userID(ctx))
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &transferOutput{Body: t}, nil
}

func (h stockHandlers) arriveTransfer(ctx context.Context, in *idPath) (*transferOutput, error) {
	t, err := h.deps.Stock.ArriveTransfer(ctx, in.ID, userID(ctx))
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &transferOutput{Body: t}, nil
}

func (h stockHandlers) listTransfers(ctx context.Context, in *struct {
	InTransit bool `query:"in_transit"`
}) (*transfersOutput, error) {
	list, err := h.deps.Stock.ListTransfers(ctx, in.InTransit, 200)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	hideTransferCosts(ctx, list)
	out := &transfersOutput{}
	out.Body.Transfers = list
	return out, nil
}

func (h stockHandlers) expectReceipt(ctx context.Context, in *expectInput) (*idOutput, error) {
	b := in.Body
	id, err := h.deps.Stock.ExpectReceipt(ctx, b.ProductID, b.WarehouseID, b.Qty, b.ExpectedAt, b.Note)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &idOutput{}
	out.Body.ID = id
	return out, nil
}

func (h stockHandlers) listStock(ctx context.Context, in *stockInput) (*stockOutput, error) {
	list, err := h.deps.Stock.Balances(ctx, resource.BalanceFilter{ProductID: in.ProductID, WarehouseID: in.WarehouseID, NonZero: !in.All})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	hideBalanceCosts(ctx, list)
	out := &stockOutput{}
	out.Body.Balances = list
	return out, nil
}

func (h stockHandlers) listMovements(ctx context.Context, in *struct {
	ProductID int64 `query:"product_id" minimum:"0"`
}) (*movementsOutput, error) {
	list, err := h.deps.Stock.ListMovements(ctx, in.ProductID, 200)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	hideMovementCosts(ctx, list)
	out := &movementsOutput{}
	out.Body.Movements = list
	return out, nil
}

func (h stockHandlers) receive(ctx context.Context, in *receiptInput) (*lotOutput, error) {
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
	lot, err := h.deps.Stock.Receive(ctx, r)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &lotOutput{Body: lot}, nil
}

func (h stockHandlers) out(ctx context.Context, in *outInput, fn func(context.Context, resource.OutInput) ([]resource.LotQty, error)) (*linesOutput, error) {
	b := in.Body
	lines, err := fn(ctx, resource.OutInput{ProductID: b.ProductID, WarehouseID: b.WarehouseID, LotID: b.LotID, Qty: b.Qty,
		ClientID: b.ClientID, Note: b.Note, UserID: userID(ctx)})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &linesOutput{}
	out.Body.Lines = lines
	return out, nil
}
