package main

import (
	"context"
	"errors"
	"fmt"

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
	defer st.Close()
	return seedDemo(ctx, st, e, cfg)
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
	defer st.Close()
	users, err := st.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(users) > 0 {
		fmt.Fprintf(e.stdout, "Database already has %d users: demo data not loaded again (logins were printed on first start).\n", len(users))
		return nil
	}
	return seedDemo(ctx, st, e, cfg)
}

// seedDemo loads demo data into an empty database and prints the logins.
func seedDemo(ctx context.Context, st *postgres.Store, e env, _ Config) error {
	fmt.Fprintln(e.stdout, "Loading demo data (a few hundred clients, staff logins)...")
	logins, err := demo.Seed(ctx, st, demo.Options{})
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	if len(logins) == 0 {
		return errors.New("demo seed: the database already has users; seed only an empty database")
	}
	fmt.Fprintln(e.stdout, "Demo logins (shown once; passwords are random):")
	return logins.Print(e.stdout)
}
