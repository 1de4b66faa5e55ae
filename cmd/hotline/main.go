// Command hotline is the Hotline call-centre service: `hotline serve` runs
// the HTTP API, pages and (when configured) the telephony side; the other
// subcommands manage the database, demo data, users and API tokens.
// Configuration is read here only: environment variables, overridden by flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"hotline/crm/resource/doctext"
)

// version is set by the linker (make build).
var version = "dev"

// env is the process environment and standard streams a command runs with;
// tests supply their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// timerSlack applies HOTLINE_TIMER_SLACK to the process (main sets
	// applyTimerSlack, which may start the program again); nil in tests
	// that run commands in their own process.
	timerSlack func(time.Duration) error
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == doctext.ChildCommand {
		// Not a command for people: serve runs it to read one PDF (see documentText).
		os.Exit(doctext.ChildMain(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, timerSlack: applyTimerSlack}
	code := exitCode(run(ctx, os.Args[1:], e), e.stderr)
	stop()
	os.Exit(code)
}

// exitCode reports err on w and gives the process's exit status: 0 for
// success and for a requested -h/--help, the code of an exitError
// (healthcheck), 2 for any other error.
func exitCode(err error, w io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintln(w, "hotline: "+err.Error())
	if ex := (exitError{}); errors.As(err, &ex) {
		return ex.code
	}
	return 2
}

const usage = `usage: hotline <command> [flags]

commands:
  serve [--demo]                    run the service (--demo: create, migrate and seed the database)
  migrate up|down|status            apply, roll back (--steps N --allow-down) or list migrations
  demo seed                         load demo data into an empty database
  user add --login NAME --role R    add a user (password from stdin, or generated and printed)
  token create --user NAME          print a new bearer API token for a user
  check-config [--asterisk-dir D]   check the settings and an Asterisk configuration (default: the shipped samples)
  callgen --target sip:N@HOST ...   place scripted SIP test calls; --check-api checks them in Hotline
  healthcheck [--live]              exit 0 when the Hotline on HOTLINE_HTTP_ADDR is ready (/readyz; --live: /healthz), else 1
  version                           print the version

Run "hotline <command> -h" for the flags of a command.`

// run dispatches a subcommand.
func run(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, e)
	case "migrate":
		return cmdMigrate(ctx, rest, e)
	case "demo":
		return cmdDemo(ctx, rest, e)
	case "user":
		return cmdUser(ctx, rest, e)
	case "token":
		return cmdToken(ctx, rest, e)
	case "callgen":
		return cmdCallgen(ctx, rest, e)
	case "check-config":
		return cmdCheckConfig(ctx, rest, e)
	case "healthcheck":
		return cmdHealthcheck(ctx, rest, e)
	case "version", "--version", "-version":
		fmt.Fprintln(e.stdout, "hotline "+version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, usage)
		return nil
	}
	fmt.Fprintln(e.stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// parse parses a subcommand's flags and the configuration.
func parse(name string, args []string, e env, define func(fs *flag.FlagSet)) (Config, []string, error) {
	fs := flag.NewFlagSet("hotline "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if define != nil {
		define(fs)
	}
	load := configFlags(fs, e.getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	cfg, err := load()
	return cfg, fs.Args(), err
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
