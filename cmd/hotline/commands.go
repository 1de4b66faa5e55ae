package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
)

func openStore(ctx context.Context, cfg Config) (*postgres.Services, error) {
	return openStoreWith(ctx, cfg, postgres.Options{Logger: newLogger(io.Discard, cfg.LogLevel)})
}

func openStoreWith(ctx context.Context, cfg Config, opts postgres.Options) (*postgres.Services, error) {
	if opts.BaseCurrency == "" {
		opts.BaseCurrency = cfg.BaseCurrency
	}
	st, err := postgres.Open(ctx, cfg.DatabaseURL, opts)
	if err != nil {
		return nil, fmt.Errorf("open database (HOTLINE_DATABASE_URL): %w", err)
	}
	return postgres.NewServices(st), nil
}

// cmdMigrate: migrate up | down [--steps N] --allow-down | status.
func cmdMigrate(ctx context.Context, args []string, e env) error {
	var steps int
	var allowDown bool
	// The action may come before or after the flags.
	var action []string
	var flags []string
	for _, a := range args {
		if len(action) == 0 && (a == "up" || a == "down" || a == "status") {
			action = append(action, a)
			continue
		}
		flags = append(flags, a)
	}
	cfg, rest, err := parse("migrate", flags, e, func(fs *flag.FlagSet) {
		fs.IntVar(&steps, "steps", 1, "migrations to roll back (down)")
		fs.BoolVar(&allowDown, "allow-down", false, "really roll back (production is forward-only)")
	})
	if err != nil {
		return err
	}
	rest = append(action, rest...)
	if len(rest) != 1 {
		return errors.New("usage: hotline migrate up|down|status [flags]")
	}
	switch rest[0] {
	case "up":
		if err := postgres.MigrateUp(ctx, cfg.DatabaseURL); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		return postgres.MigrateStatus(ctx, cfg.DatabaseURL, e.stdout)
	case "down":
		if !allowDown {
			return errors.New("migrate down refused: production is forward-only; pass --allow-down to roll back")
		}
		if steps < 1 {
			return errors.New("invalid --steps: must be at least 1")
		}
		if err := postgres.MigrateDown(ctx, cfg.DatabaseURL, steps); err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		return postgres.MigrateStatus(ctx, cfg.DatabaseURL, e.stdout)
	case "status":
		return postgres.MigrateStatus(ctx, cfg.DatabaseURL, e.stdout)
	}
	return fmt.Errorf("unknown migrate action %q (want up, down or status)", rest[0])
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// cmdUser: user add --login NAME --role R [--name N] [--email E] [--endpoint E ...].
func cmdUser(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: hotline user add --login NAME --role admin|supervisor|agent [--name \"Full Name\"] [--email name@example.ru] [--endpoint PJSIP/1001 ...]")
	}
	var login, role, name, email string
	var endpoints listFlag
	cfg, _, err := parse("user add", args[1:], e, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "login name (required)")
		fs.StringVar(&role, "role", "", "agent, supervisor or admin (required)")
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&email, "email", "", "e-mail address notifications are sent to (empty: in the app only)")
		fs.Var(&endpoints, "endpoint", "telephony endpoint such as PJSIP/1001 (repeatable)")
	})
	if err != nil {
		return err
	}
	password, generated, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.DB.Close()
	u, err := auth.CreateUser(ctx, st.Users, crm.User{Login: login, Role: crm.Role(role), Name: name, Email: email, Endpoints: endpoints}, password)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(e.stdout, "created %s %q (id %d)\n", u.Role, u.Login, u.ID)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", password)
	}
	return nil
}

// readPassword reads the first line of stdin; when stdin is a terminal or
// empty it generates a password instead.
func readPassword(stdin io.Reader) (pw string, generated bool, err error) {
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			stdin = nil
		}
	}
	if stdin != nil {
		line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("read password from stdin: %w", err)
		}
		if pw = strings.TrimRight(line, "\r\n"); pw != "" {
			return pw, false, nil
		}
	}
	return auth.NewPassword(16), true, nil
}

// cmdToken: token create --user NAME [--name label].
func cmdToken(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: hotline token create --user LOGIN [--name label]")
	}
	var login, label string
	cfg, _, err := parse("token create", args[1:], e, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "user", "", "login of the user the token acts as (required)")
		fs.StringVar(&label, "name", "cli", "label to recognise the token by")
	})
	if err != nil {
		return err
	}
	if login == "" {
		return errors.New("token create: --user is required")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.DB.Close()
	u, _, err := st.Users.GetUserByLogin(ctx, strings.ToLower(login))
	if err != nil {
		return fmt.Errorf("token create: user %q: %w", login, err)
	}
	if u.Disabled {
		return fmt.Errorf("token create: user %q is disabled", login)
	}
	plain, hash := auth.NewToken()
	if _, err := st.Users.CreateAPIToken(ctx, u.ID, label, hash); err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintln(e.stdout, plain)
	fmt.Fprintf(e.stderr, "token %q for %s (%s); it is shown only once. Use: Authorization: Bearer <token>\n", label, u.Login, u.Role)
	return nil
}
