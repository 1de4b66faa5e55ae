package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/funnel"
)

// TestBrowserSalesChartConverted: deals won this month in roubles and in
// dollars; without a dollar rate the chart says one deal is left out; an
// admin types a rate on the rates page and the chart's amount is the sum
// in roubles at that rate, also in the CSV; the plan of contracts shows.
func TestBrowserSalesChartConverted(t *testing.T) {
	t.Parallel()
	s, client := newDealSite(t)
	ctx := context.Background()
	if _, err := s.store.DB.Pool().Exec(ctx, `UPDATE users SET role = 'admin' WHERE login = 'sveta'`); err != nil {
		t.Fatal(err)
	}
	f, err := s.store.Funnel.GetFunnel(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	won := funnelNow().Add(-2 * time.Hour)
	for _, d := range []funnel.Deal{
		{ClientID: client.ID, OwnerID: s.users["ivan"].ID, Title: "Рубли", Amount: 100_000_00, Currency: "RUB", Status: funnel.StatusWon},
		{ClientID: client.ID, OwnerID: s.users["ivan"].ID, Title: "Доллары", Amount: 1_000_00, Currency: "USD", Status: funnel.StatusWon},
		{ClientID: client.ID, OwnerID: s.users["petr"].ID, Title: "Открыта", Amount: 5_00, Currency: "RUB"},
	} {
		if err := s.store.Funnel.CreateDeal(ctx, &d, nil, won); err != nil {
			t.Fatal(err)
		}
	}
	day, _ := funnel.ParseDate("2026-11-01")
	if err := s.store.Funnel.SavePlan(ctx, funnel.PlanKey{FunnelID: f.ID, Kind: funnel.Month, Start: day}, map[int64]int{f.Last().ID: 3}); err != nil {
		t.Fatal(err)
	}
	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	u := s.ts.URL
	if err := chromedp.Do(tctx, signInTo(u, "/funnel/sales?periods=3", "sveta", "#sales-chart")); err != nil {
		t.Fatalf("sales page: %v", err)
	}
	if msg := textOf(t, tctx, "#sales-unconverted"); !strings.Contains(msg, "1 выигранная сделка") {
		t.Fatalf("unconverted %q", msg)
	}
	err = chromedp.Do(tctx, chromedp.Navigate(u+"/admin/rates"), chromedp.WaitVisible(chromedp.ID("rate-form")),
		chromedp.SetValue(chromedp.ID("rate-currency"), "USD"),
		chromedp.SetValue(chromedp.ID("rate-day"), "2026-11-01"),
		chromedp.SendKeys(chromedp.ID("rate-value"), "92,5"))
	if err == nil {
		err = clickAndWait(tctx, "#rate-save", "#rates")
	}
	if err == nil {
		err = chromedp.Do(tctx, chromedp.Navigate(u+"/funnel/sales?periods=3"), chromedp.WaitVisible(chromedp.ID("sales-table")))
	}
	if err != nil {
		t.Fatalf("rate: %v", err)
	}
	table := textOf(t, tctx, "#sales-table")
	// 100 000 ₽ + 1 000 $ × 92.5 = 192 500 ₽, 2 won against a plan of 3.
	if !strings.Contains(table, "192\u00a0500,00") || !strings.Contains(table, "2026-11\t2\t3") {
		t.Fatalf("table %q", table)
	}
	if n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("#sales-chart rect.won").length`)); err != nil || n != 3 {
		t.Fatalf("chart bars %d: %v", n, err)
	}
	if people := textOf(t, tctx, "#sales-people"); !strings.Contains(people, "Иван Операторов") || strings.Contains(people, "Пётр") {
		t.Fatalf("people %q", people)
	}
	screenshot(t, tctx, "sales-chart")
	b := (&site{t: t, store: s.store, ts: s.ts}).browser()
	b.login("sveta")
	resp, err := b.hc.Get(u + "/funnel/sales.csv?periods=3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "2026-11,2026-11-01,2,3,192500.00,0") {
		t.Fatalf("csv %d %s", resp.StatusCode, body)
	}
	agent := (&site{t: t, store: s.store, ts: s.ts}).browser()
	agent.login("petr")
	if resp, _ := agent.get("/admin/rates"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent on rates: %d", resp.StatusCode)
	}
	if _, body := agent.get("/funnel/sales?periods=3"); strings.Contains(body, "192") {
		t.Fatal("an agent sees another's sales")
	}
	_ = crm.RoleAdmin
}
