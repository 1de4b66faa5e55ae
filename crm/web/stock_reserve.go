package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"hotline/crm/resource"
)

// ProductOf is the catalogue's product with that ID (nil if unknown): the
// in-transit table names products by SKU and name.
func (v *stockView) ProductOf(id int64) *resource.Product {
	for i := range v.Products {
		if v.Products[i].ID == id {
			return &v.Products[i]
		}
	}
	return nil
}

// clientName is the name of the client with the ID in the query ("" if none).
func (sp *stockPages) clientName(r *http.Request, id string) string {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return ""
	}
	c, err := sp.p.clients.Clients.GetClient(r.Context(), n)
	if err != nil {
		return ""
	}
	return c.Name
}

// reservedText says what was reserved and from which lots: "Reserved 34:
// Central, lot L-1 — 20; North, lot L-7 — 14".
func (sp *stockPages) reservedText(r *http.Request, productID int64, made []resource.Reservation) string {
	l := loc(r)
	lots := map[int64]resource.Balance{}
	if bs, err := sp.deps.Stock.Balances(r.Context(), resource.BalanceFilter{ProductID: productID}); err == nil {
		for _, b := range bs {
			lots[b.LotID] = b
		}
	}
	names := map[int64]string{}
	if whs, err := sp.deps.Catalogue.ListWarehouses(r.Context()); err == nil {
		for _, w := range whs {
			names[w.ID] = w.Name
		}
	}
	var total int64
	var parts []string
	for _, res := range made {
		total += res.Qty
		for _, line := range res.Lines {
			b := lots[line.LotID]
			parts = append(parts, l.T("res.stock.lot_line", map[string]any{"Warehouse": names[res.WarehouseID], "Batch": b.Batch, "Qty": l.Number(line.Qty)}))
		}
	}
	return l.N("res.stock.reserved", int(total), map[string]any{"Lots": strings.Join(parts, "; ")})
}

type journalView struct {
	Entries    []resource.JournalEntry
	Products   []resource.Product
	Warehouses []resource.Warehouse
	Kinds      []resource.JournalKind
	ProductID  int64
	Warehouse  int64
	Kind       string
	Older      string // the query of the next, older page ("" at the end)
}

// journalKinds are the journal's kinds in the order the filter offers them.
var journalKinds = []resource.JournalKind{"receipt", "transfer_out", "transfer_in", "shipment", resource.JournalReservation, "write_off", "adjustment"}

// journal shows the stock movement journal (supervisors and admins):
// receipts, transfers, shipments and reservations, with who and when.
func (sp *stockPages) journal(w http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	v := journalView{Kinds: journalKinds, Kind: q.Get("kind")}
	v.ProductID, _ = strconv.ParseInt(q.Get("product_id"), 10, 64)
	v.Warehouse, _ = strconv.ParseInt(q.Get("warehouse_id"), 10, 64)
	f := resource.JournalFilter{ProductID: v.ProductID, WarehouseID: v.Warehouse, Kind: resource.JournalKind(v.Kind), Limit: 100}
	if b := q.Get("before"); b != "" {
		f.Before, _ = time.Parse(time.RFC3339Nano, b)
	}
	var err error
	if v.Entries, err = sp.deps.Stock.StockJournal(ctx, f); err == nil {
		if v.Products, err = sp.deps.Catalogue.ListProducts(ctx, "", 500); err == nil {
			v.Warehouses, err = sp.deps.Catalogue.ListWarehouses(ctx)
		}
	}
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	if len(v.Entries) == f.Limit {
		older := q
		older.Set("before", v.Entries[len(v.Entries)-1].At.Format(time.RFC3339Nano))
		v.Older = older.Encode()
	}
	sp.p.render(w, r, http.StatusOK, "stock_journal", "res.journal.title", view{Data: v, Active: "/stock"})
}
