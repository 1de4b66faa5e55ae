package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	hsip "hotline/telephony/sip"
)

// cmdCallgen places scripted SIP test calls (telephony/sip) and, with
// --check-api, checks through Hotline's API that each was logged and each
// survey answer stored; it prints a pass/fail table and fails when a call
// did not pass.
func cmdCallgen(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("hotline callgen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	target := fs.String("target", "", "number and PBX to call, e.g. sip:7001@asterisk:5060 (required)")
	trunk := fs.String("trunk", "callgen", "the PBX endpoint callgen calls in as (pjsip.conf [callgen]); the default --user")
	user := fs.String("user", "", "digest auth username (default: --trunk)")
	password := fs.String("password", "", "digest auth password [$HOTLINE_CALLGEN_PASSWORD]")
	from := fs.String("from", "+7999000%04d", "caller number of call N, fmt pattern")
	rate := fs.Float64("rate", 1, "calls started per second")
	concurrency := fs.Int("concurrency", 1, "most calls at once")
	calls := fs.Int("calls", 1, "number of calls")
	script := fs.String("script", "ring,talk:5s,hangup", "steps: ring[:timeout], talk:D, wait:D, dtmf:DIGITS, hangup")
	transport := fs.String("transport", "udp", "udp or tcp")
	bind := fs.String("bind", "", "local IP for SIP and RTP (default: the one routing to the target)")
	checkAPI := fs.String("check-api", "", "Hotline's URL, e.g. http://hotline:8080: check each call in the call log and survey responses")
	token := fs.String("token", "", "API token of a supervisor or admin for --check-api [$HOTLINE_API_TOKEN]")
	wait := fs.Duration("check-wait", 30*time.Second, "how long --check-api waits for calls to appear")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Secrets come from the environment after parsing, never as flag
	// defaults, so that usage text cannot print them.
	if *password == "" {
		*password = e.getenv("HOTLINE_CALLGEN_PASSWORD")
	}
	if *token == "" {
		*token = e.getenv("HOTLINE_API_TOKEN")
	}
	if *target == "" {
		return errors.New("callgen: --target is required, e.g. --target sip:7001@asterisk:5060")
	}
	if *checkAPI != "" && *token == "" {
		return errors.New("callgen: --check-api needs --token (or HOTLINE_API_TOKEN)")
	}
	steps, err := hsip.ParseScript(*script)
	if err != nil {
		return fmt.Errorf("callgen: --script: %w", err)
	}
	if *user == "" {
		*user = *trunk
	}
	g, err := hsip.NewGenerator(hsip.Options{
		Target: *target, User: *user, Password: *password, From: *from,
		Rate: *rate, Concurrency: *concurrency, Calls: *calls, Script: steps,
		Transport: *transport, BindHost: *bind, Logger: newLogger(e.stderr, slog.LevelError),
	})
	if err != nil {
		return err
	}
	defer g.Close()
	fmt.Fprintf(e.stdout, "calling %s: %d call(s), %.2f/s, %d at once, script %s\n", *target, *calls, *rate, *concurrency, *script)
	results := g.Run(ctx)
	verdicts, err := verdictsOf(ctx, results, hsip.CheckOptions{BaseURL: *checkAPI, Token: *token, Wait: *wait})
	if err != nil {
		return err
	}
	return hsip.PrintTable(e.stdout, verdicts)
}

// verdictsOf checks the calls through the API when opts.BaseURL is set;
// otherwise a call passes when it was answered and followed its script.
func verdictsOf(ctx context.Context, results []hsip.Result, opts hsip.CheckOptions) ([]hsip.Verdict, error) {
	if opts.BaseURL != "" {
		return hsip.CheckAPI(ctx, opts, results)
	}
	verdicts := make([]hsip.Verdict, 0, len(results))
	for _, r := range results {
		v := hsip.Verdict{Result: r}
		if r.Err != nil || !r.Answered {
			v.Problem = "call not completed: " + fmt.Sprint(r.Err)
		}
		verdicts = append(verdicts, v)
	}
	return verdicts, nil
}
