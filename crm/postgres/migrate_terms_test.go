package postgres_test

import (
	"context"
	"testing"

	"hotline/crm/postgres"
)

// productTermsVersion is the migration that gives products a support
// priority and SLA plan.
const productTermsVersion = 160

// TestProductTermsMigrationKeepsProducts: existing products get no support
// priority or plan, the new columns refuse unknown priorities and plans,
// and down drops them keeping the products.
func TestProductTermsMigrationKeepsProducts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, productTermsVersion-1)
	exec := func(sql string) error { _, err := conn.Exec(ctx, sql); return err }
	if err := exec(`INSERT INTO products (sku, name, support, support_months) VALUES ('PBX', 'PBX appliance', '24/7', 36)`); err != nil {
		t.Fatal(err)
	}
	if err := postgres.MigrateUpTo(ctx, dsn, productTermsVersion); err != nil {
		t.Fatal(err)
	}
	var prio, plan *string
	if err := conn.QueryRow(ctx, `SELECT support_priority, support_plan_id::text FROM products WHERE sku = 'PBX'`).Scan(&prio, &plan); err != nil || prio != nil || plan != nil {
		t.Fatalf("existing product after up: priority %v, plan %v, %v; want none", prio, plan, err)
	}
	if err := exec(`UPDATE products SET support_priority = 'urgent'`); err == nil {
		t.Fatal("an unknown support priority was accepted")
	}
	if err := exec(`UPDATE products SET support_plan_id = 987654`); err == nil {
		t.Fatal("an unknown SLA plan was accepted")
	}
	if err := exec(`UPDATE products SET support_priority = 'critical', support_plan_id = (SELECT id FROM sla_plans WHERE is_default)`); err != nil {
		t.Fatal(err)
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'products' AND column_name IN ('support_priority', 'support_plan_id')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("down left %d support columns (%v)", n, err)
	}
	var months int
	if err := conn.QueryRow(ctx, `SELECT support_months FROM products WHERE sku = 'PBX'`).Scan(&months); err != nil || months != 36 {
		t.Fatalf("product after down: %d months, %v", months, err)
	}
}
