package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"hotline/crm/demo"
	"hotline/crm/postgres"
)

// cmdDemo: demo seed.
func cmdDemo(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "seed" {
		return errors.New("usage: hotline demo seed")
	}
	cfg, _, err := parse("demo seed", args[1:], e, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.DB.Close()
	if err := seedDemo(ctx, st, e, cfg); err != nil {
		return err
	}
	return seedDemoModules(ctx, st, e)
}

// prepareDemo makes a database ready for `serve --demo`: created if
// missing, migrated, and seeded when it has no users yet.
func prepareDemo(ctx context.Context, cfg Config, e env) error {
	if err := postgres.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("create database (HOTLINE_DATABASE_URL): %w", err)
	}
	if err := postgres.MigrateUp(ctx, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.DB.Close()
	users, err := st.Users.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(users) > 0 {
		if b, err := os.ReadFile(demoLoginsFile(cfg)); err == nil {
			fmt.Fprintf(e.stdout, "Database already has %d users; demo logins (from %s):\n%s", len(users), demoLoginsFile(cfg), b)
			return nil
		}
		fmt.Fprintf(e.stdout, "Database already has %d users: demo data not loaded again (add a login with `hotline user add`).\n", len(users))
		return nil
	}
	if err := seedDemo(ctx, st, e, cfg); err != nil {
		return err
	}
	return seedDemoModules(ctx, st, e)
}

// seedDemo loads demo data into an empty database and prints the logins.
func seedDemo(ctx context.Context, st *postgres.Services, e env, cfg Config) error {
	fmt.Fprintln(e.stdout, "Loading demo data (a few hundred clients, staff logins)...")
	logins, err := demo.Seed(ctx, st.Clients, demo.Staff{Users: st.Users, Teams: st.Teams}, demo.Options{Language: string(cfg.Language)})
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	if len(logins) == 0 {
		return errors.New("demo seed: the database already has users; seed only an empty database")
	}
	file := demoLoginsFile(cfg)
	fmt.Fprintln(e.stdout, "Demo logins (passwords are random; also kept in "+file+"):")
	var buf bytes.Buffer
	if err := logins.Print(io.MultiWriter(e.stdout, &buf)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err == nil {
		_ = os.WriteFile(file, buf.Bytes(), 0o600)
	}
	return nil
}

// demoLoginsFile keeps the demo logins of `serve --demo` so that a later
// start can show them again (only for the demo; real logins are never
// stored): beside the spool, var/demo-logins.txt by default.
func demoLoginsFile(cfg Config) string {
	return filepath.Join(filepath.Dir(filepath.Clean(cfg.SpoolDir)), "demo-logins.txt")
}

// seedDemoModules adds the demo data of the modules beyond the CRM core:
// deals in every stage of the sales funnel with plans; products, stock,
// reservations, money, documents and a project.
func seedDemoModules(ctx context.Context, st *postgres.Services, e env) error {
	n, err := demo.SeedFunnel(ctx, demo.FunnelSeedDeps{Users: st.Users, Clients: st.Clients, Funnels: st.Funnel, Deals: st.Funnel}, demo.FunnelOptions{AutoOpenDeals: true})
	if err != nil {
		return fmt.Errorf("demo funnel: %w", err)
	}
	fmt.Fprintf(e.stdout, "Demo sales funnel: %d deals.\n", n)
	if err := demo.SeedResources(ctx, demoResourceStoreOf(st), demoResources(st), demo.Staff{Users: st.Users, Teams: st.Teams}, st.KB, time.Now()); err != nil {
		return fmt.Errorf("demo stock, money and documents: %w", err)
	}
	if _, err := demo.SeedPriority(ctx, st.Clients, st.Priority); err != nil {
		return err
	}
	return nil
}
