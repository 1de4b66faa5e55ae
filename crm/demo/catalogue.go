package demo

import (
	"context"
	"fmt"
	"time"

	"hotline/crm/resource"
	"hotline/crm/service"
)

// Warehouse codes of the demo.
const (
	whMSK = "MSK"
	whSPB = "SPB"
	whEKB = "EKB"
)

var demoWarehouses = []resource.Warehouse{
	{Code: whMSK, Name: "Москва, Варшавское ш., 47"},
	{Code: whSPB, Name: "Санкт-Петербург, наб. Обводного канала, 93"},
	{Code: whEKB, Name: "Екатеринбург, ул. Бебеля, 17"},
}

// item is a product of the demo catalogue with how it sells and how much
// of it is left in each warehouse once the sales history is loaded.
type item struct {
	resource.Product
	cost       int64            // unit cost of the first lot; later lots cost 3% more each
	left       map[string]int64 // on hand per warehouse after the history (the warehouses that keep it)
	shelfLife  int              // months a lot keeps (0: no expiry)
	weight     int              // how often it sells, relative
	personMax  int64            // most a private person buys at once; 0: companies only
	companyMin int64            // a company's usual order
	companyMax int64
	setupFee   int64  // service income charged with each order (installation), 0: none
	plan       string // the SLA plan of requests about it while supported (a supportPlans name), "": the client's
}

// sku names the catalogue's items.
const (
	skuT46     = "IPPHONE-T46"
	skuHeadset = "HEADSET-H2"
	skuTrunk   = "SIP-TRUNK-30"
	skuT54     = "IPPHONE-T54"
	skuDECT    = "DECT-W76"
	skuGateway = "GW-HT818"
	skuPBX     = "PBX-AST100"
	skuSwitch  = "SWITCH-POE24"
	skuBattery = "UPS-BAT-9AH"
	skuCable   = "CABLE-CAT6-305"
)

// catalogue is the demo's products. Two are short: the T54 phone has 2
// free with a supplier order on the way, the PBX appliance none with one
// on a transfer; the HT818 gateway has nothing and nothing incoming, so
// only the supplier's lead time answers.
func catalogue() []item {
	nbd := "8x5, на следующий рабочий день"
	return []item{
		{Product: resource.Product{SKU: skuT46, Name: "IP-телефон Yealink T46U", Price: 1490000, LeadTimeDays: 14, Support: nbd, SupportMonths: 24,
			SupportPriority: service.PriorityNormal}, plan: planBusiness,
			cost: 1010000, left: map[string]int64{whMSK: 70, whSPB: 20, whEKB: 12}, weight: 9, personMax: 2, companyMin: 5, companyMax: 30},
		{Product: resource.Product{SKU: skuHeadset, Name: "Гарнитура Jabra Engage 50", Price: 890000, LeadTimeDays: 7, Support: "замена в течение 14 дней", SupportMonths: 12,
			SupportPriority: service.PriorityNormal},
			cost: 520000, left: map[string]int64{whMSK: 60, whSPB: 15, whEKB: 10}, weight: 8, personMax: 2, companyMin: 5, companyMax: 25},
		{Product: resource.Product{SKU: skuTrunk, Name: "SIP-транк, 30 каналов (месяц)", Unit: "мес.", Price: 1200000, Support: "24/7, ответ за 4 часа", SupportMonths: 1,
			SupportPriority: service.PriorityHigh}, plan: planPremium,
			cost: 400000, left: map[string]int64{whMSK: 120}, weight: 5, companyMin: 3, companyMax: 12, setupFee: 500000},
		{Product: resource.Product{SKU: skuT54, Name: "IP-телефон Yealink T54W", Price: 2190000, LeadTimeDays: 21, Support: nbd, SupportMonths: 24,
			SupportPriority: service.PriorityNormal}, plan: planBusiness,
			cost: 1550000, left: map[string]int64{whMSK: 2, whSPB: 0}, weight: 5, personMax: 1, companyMin: 3, companyMax: 15},
		{Product: resource.Product{SKU: skuDECT, Name: "DECT-телефон Yealink W76P (база + трубка)", Price: 1650000, LeadTimeDays: 14, Support: nbd, SupportMonths: 24,
			SupportPriority: service.PriorityNormal}, plan: planBusiness,
			cost: 1180000, left: map[string]int64{whMSK: 25, whSPB: 8, whEKB: 4}, weight: 5, personMax: 2, companyMin: 2, companyMax: 10},
		{Product: resource.Product{SKU: skuGateway, Name: "VoIP-шлюз Grandstream HT818 (8 FXS)", Price: 1840000, LeadTimeDays: 30, Support: "замена в течение 30 дней", SupportMonths: 12,
			SupportPriority: service.PriorityHigh}, plan: planBusiness,
			cost: 1290000, left: map[string]int64{whMSK: 0, whSPB: 0}, weight: 2, companyMin: 1, companyMax: 3},
		{Product: resource.Product{SKU: skuPBX, Name: "IP-АТС Asterisk, 100 абонентов", Price: 18900000, LeadTimeDays: 45, Support: "24/7, ответ за 4 часа, выезд на объект", SupportMonths: 36,
			SupportPriority: service.PriorityCritical}, plan: planPremium,
			cost: 12100000, left: map[string]int64{whMSK: 0, whSPB: 1}, weight: 1, companyMin: 1, companyMax: 1, setupFee: 4500000},
		{Product: resource.Product{SKU: skuSwitch, Name: "PoE-коммутатор TP-Link TL-SG1428PE, 24 порта", Price: 2490000, LeadTimeDays: 10, Support: "замена на следующий рабочий день", SupportMonths: 36,
			SupportPriority: service.PriorityNormal}, plan: planBusiness,
			cost: 1730000, left: map[string]int64{whMSK: 18, whSPB: 6, whEKB: 3}, weight: 3, companyMin: 1, companyMax: 4},
		{Product: resource.Product{SKU: skuBattery, Name: "Аккумулятор для ИБП 12 В 9 А·ч", Price: 230000, LeadTimeDays: 5, CostMethod: resource.FEFO, Support: "гарантийная замена", SupportMonths: 6},
			cost: 125000, left: map[string]int64{whMSK: 80, whSPB: 30, whEKB: 20}, shelfLife: 8, weight: 4, personMax: 4, companyMin: 4, companyMax: 24},
		{Product: resource.Product{SKU: skuCable, Name: "Кабель Cat6 UTP, бухта 305 м", Unit: "бухта", Price: 980000, LeadTimeDays: 7},
			cost: 610000, left: map[string]int64{whMSK: 40, whSPB: 12, whEKB: 6}, weight: 3, personMax: 1, companyMin: 1, companyMax: 6},
	}
}

// lotDays are the days (before now) the demo's lots arrive; a lot holds
// what sells until the next one, the last also what is left.
var lotDays = []int{200, 110, 40}

// historyDays is how far back the sales history goes (after the first lots).
const historyDays = 180

// lotPlan is one lot to receive.
type lotPlan struct {
	in resource.ReceiptInput
	at time.Time
}

// planLots sizes the lots of every product and warehouse so that each
// shipment finds its goods received before it and the history ends with the
// item's left quantities on hand.
func planLots(cat []item, whs map[string]int64, sales []purchase, now time.Time) []lotPlan {
	type key struct {
		item   int
		wh     string
		window int
	}
	starts := make([]time.Time, len(lotDays))
	for i, d := range lotDays {
		y, m, dd := now.AddDate(0, 0, -d).Date()
		starts[i] = time.Date(y, m, dd, 7, 0, 0, 0, time.UTC)
	}
	demand := map[key]int64{}
	for _, p := range sales {
		w := 0
		for w+1 < len(starts) && !p.at.Before(starts[w+1]) {
			w++
		}
		demand[key{p.item, p.wh, w}] += p.qty
	}
	var out []lotPlan
	for i, it := range cat {
		for _, w := range demoWarehouses {
			left, kept := it.left[w.Code]
			if !kept {
				continue
			}
			for k, at := range starts {
				qty := demand[key{i, w.Code, k}]
				if k == len(starts)-1 {
					qty += left
				}
				if qty == 0 {
					continue
				}
				in := resource.ReceiptInput{ProductID: it.ID, WarehouseID: whs[w.Code], Qty: qty, At: at,
					Batch:    fmt.Sprintf("%s-%s-%s", it.SKU, at.Format("0601"), w.Code),
					UnitCost: it.cost + it.cost*3*int64(k)/100, Note: "supplier delivery"}
				if it.shelfLife > 0 {
					exp := resource.DateOf(at.AddDate(0, it.shelfLife, 0))
					in.ExpiresOn = &exp
				}
				out = append(out, lotPlan{in: in, at: at})
			}
		}
		if it.shelfLife > 0 { // a cheap short-dated batch, which FEFO sells first
			at := starts[len(starts)-1].AddDate(0, 0, lotDays[len(lotDays)-1]-5)
			exp := resource.DateOf(now.AddDate(0, 0, 25))
			out = append(out, lotPlan{at: at, in: resource.ReceiptInput{ProductID: it.ID, WarehouseID: whs[whMSK], Qty: 12, At: at,
				Batch: it.SKU + "-CLEARANCE", UnitCost: it.cost * 8 / 10, ExpiresOn: &exp, Note: "short-dated batch at a discount"}})
		}
	}
	return out
}

// The demo's support SLA plans, beside the default "Standard" (8x5).
const (
	planPremium  = "Premium 24/7"
	planBusiness = "Business hours, next business day"
)

// supportPlans are the plans the catalogue's support terms use: the
// PBX appliance and the SIP trunk are looked after around the clock, the
// phones and switches in business hours with next-day resolution.
func supportPlans() []service.SLAPlan {
	allDay := []service.Span{{From: 0, To: 24 * 60}}
	premium := service.StandardPlan()
	premium.Name, premium.Default = planPremium, false
	premium.Hours = service.WeekHours{allDay, allDay, allDay, allDay, allDay, allDay, allDay}
	premium.Targets = map[service.Priority]service.Target{
		service.PriorityCritical: {ResponseMinutes: 15, ResolutionMinutes: 240},
		service.PriorityHigh:     {ResponseMinutes: 30, ResolutionMinutes: 480},
		service.PriorityNormal:   {ResponseMinutes: 120, ResolutionMinutes: 1440},
		service.PriorityLow:      {ResponseMinutes: 240, ResolutionMinutes: 2880},
	}
	business := service.StandardPlan()
	business.Name, business.Default = planBusiness, false
	business.Targets = map[service.Priority]service.Target{
		service.PriorityCritical: {ResponseMinutes: 60, ResolutionMinutes: 540},
		service.PriorityHigh:     {ResponseMinutes: 120, ResolutionMinutes: 540},
		service.PriorityNormal:   {ResponseMinutes: 240, ResolutionMinutes: 540},
		service.PriorityLow:      {ResponseMinutes: 480, ResolutionMinutes: 1080},
	}
	return []service.SLAPlan{premium, business}
}

// seedSupportPlans creates the support plans that do not exist yet and
// returns every plan's ID by name.
func seedSupportPlans(ctx context.Context, st ResourceStore) (map[string]int64, error) {
	have, err := st.ListSLAPlans(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed sla plans: %w", err)
	}
	ids := map[string]int64{}
	for _, p := range have {
		ids[p.Name] = p.ID
	}
	for _, p := range supportPlans() {
		if _, ok := ids[p.Name]; ok {
			continue
		}
		if err := st.SaveSLAPlan(ctx, &p); err != nil {
			return nil, fmt.Errorf("seed sla plan %s: %w", p.Name, err)
		}
		ids[p.Name] = p.ID
	}
	return ids, nil
}

// seedCatalogue creates the support plans, the products with their
// support terms and the warehouses, and returns the warehouse IDs by code.
func seedCatalogue(ctx context.Context, st ResourceStore, res Resources, cat []item) (map[string]int64, error) {
	plans, err := seedSupportPlans(ctx, st)
	if err != nil {
		return nil, err
	}
	for i := range cat {
		if name := cat[i].plan; name != "" {
			id := plans[name]
			cat[i].SupportPlanID = &id
		}
		if err := res.Catalogue.CreateProduct(ctx, &cat[i].Product); err != nil {
			return nil, fmt.Errorf("seed product %s: %w", cat[i].SKU, err)
		}
	}
	whs := map[string]int64{}
	for _, w := range demoWarehouses {
		if err := res.Catalogue.CreateWarehouse(ctx, &w); err != nil {
			return nil, fmt.Errorf("seed warehouse %s: %w", w.Code, err)
		}
		whs[w.Code] = w.ID
	}
	return whs, nil
}

// seedIncoming puts goods on the way: a transfer of T46 phones to Saint
// Petersburg, the PBX appliance from there to Moscow, and supplier orders
// of headsets and T54 phones.
func seedIncoming(ctx context.Context, st ResourceStore, res Resources, cat []item, whs map[string]int64, now time.Time, admin int64) error {
	id := func(sku string) int64 { return cat[itemIndex(cat, sku)].ID }
	for _, t := range []resource.TransferInput{
		{ProductID: id(skuT46), FromWarehouseID: whs[whMSK], ToWarehouseID: whs[whSPB], Qty: 8, ExpectedAt: now.Add(48 * time.Hour)},
		{ProductID: id(skuPBX), FromWarehouseID: whs[whSPB], ToWarehouseID: whs[whMSK], Qty: 1, ExpectedAt: now.Add(72 * time.Hour)},
	} {
		if _, err := res.Stock.StartTransfer(ctx, t, admin); err != nil {
			return fmt.Errorf("seed transfer: %w", err)
		}
	}
	for _, e := range []struct {
		sku, wh string
		qty     int64
		days    int
		note    string
	}{{skuHeadset, whSPB, 30, 6, "PO-7731"}, {skuT54, whMSK, 40, 9, "PO-8120"}} {
		if _, err := res.Stock.ExpectReceipt(ctx, id(e.sku), whs[e.wh], e.qty, now.AddDate(0, 0, e.days), e.note); err != nil {
			return fmt.Errorf("seed expected receipt %s: %w", e.note, err)
		}
	}
	return nil
}

// itemIndex returns the index of the item with a SKU in the catalogue.
func itemIndex(cat []item, sku string) int {
	for i := range cat {
		if cat[i].SKU == sku {
			return i
		}
	}
	panic("demo: no catalogue item " + sku)
}
