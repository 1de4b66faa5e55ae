package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"hotline/deploy"
	hsip "hotline/telephony/sip"
)

// errCheckFailed is returned when check-config found errors; the problems
// themselves were already printed.
var errCheckFailed = errors.New("check-config found errors")

// cmdCheckConfig validates Hotline's configuration (environment and flags)
// and an Asterisk configuration directory: the shipped samples by default,
// or --asterisk-dir. It prints every finding and fails on any error.
func cmdCheckConfig(ctx context.Context, args []string, e env) error {
	var dir, sipList string
	fs := flag.NewFlagSet("hotline check-config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&dir, "asterisk-dir", "", "Asterisk configuration directory to check, e.g. /etc/asterisk (default: the shipped samples)")
	fs.StringVar(&sipList, "sip", "", "comma-separated SIP endpoints to probe with OPTIONS, e.g. trunk=sip:asterisk:5060,1001=sip:1001@10.0.0.21")
	load := configFlags(fs, e.getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	errs := 0
	if sipList != "" {
		n, err := probeSIP(ctx, sipList, e)
		if err != nil {
			return err
		}
		errs += n
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(e.stdout, "hotline settings: error: %v\n", err)
		errs++
	} else {
		fmt.Fprintln(e.stdout, "hotline settings: ok")
		errs += settingWarnings(cfg, e)
	}

	fsys, label, prefix, err := asteriskFS(dir)
	if err != nil {
		return err
	}
	opts := deploy.AsteriskOptions{App: cfg.ARIApp, User: cfg.ARIUser}
	if dir != "" {
		// your PBX's ari.conf must hold HOTLINE_ARI_PASSWORD (the shipped
		// sample holds a placeholder, flagged on its own)
		opts.Password = cfg.ARIPassword
	}
	problems, err := deploy.CheckAsterisk(fsys, opts)
	if err != nil {
		return fmt.Errorf("check the Asterisk configuration in %s: %w", label, err)
	}
	nErr, nWarn := 0, 0
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "%s%s\n", prefix, p)
		if p.Severity == deploy.Error {
			nErr++
		} else {
			nWarn++
		}
	}
	fmt.Fprintf(e.stdout, "asterisk configuration %s: %d error(s), %d warning(s)\n", label, nErr, nWarn)
	if errs+nErr > 0 {
		return errCheckFailed
	}
	return nil
}

// probeSIP sends one OPTIONS to each endpoint of list (name=uri or uri,
// comma-separated), prints the results and returns how many are down.
func probeSIP(ctx context.Context, list string, e env) (int, error) {
	p, err := hsip.NewPinger("", 2*time.Second)
	if err != nil {
		return 0, err
	}
	defer p.Close()
	down := 0
	for _, entry := range strings.Split(list, ",") {
		name, uri, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok {
			name, uri = entry, entry
		}
		r := p.Ping(ctx, name, uri)
		if r.Up {
			fmt.Fprintf(e.stdout, "sip %s (%s): ok, %d in %v\n", name, uri, r.Status, r.RTT.Round(time.Millisecond))
			continue
		}
		down++
		fmt.Fprintf(e.stdout, "sip %s (%s): error: %v\n", name, uri, r.Err)
	}
	return down, nil
}

// asteriskFS returns the directory to check, its label in the summary and
// the prefix of its file names in the findings.
func asteriskFS(dir string) (fsys fs.FS, label, prefix string, err error) {
	if dir == "" {
		sub, err := fs.Sub(deploy.Files, "asterisk")
		if err != nil {
			return nil, "", "", fmt.Errorf("shipped Asterisk samples: %w", err)
		}
		return sub, "deploy/asterisk (shipped samples)", "deploy/asterisk/", nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, "", "", fmt.Errorf("--asterisk-dir: %w", err)
	}
	if !st.IsDir() {
		return nil, "", "", fmt.Errorf("--asterisk-dir: %s is not a directory", dir)
	}
	dir = strings.TrimRight(dir, "/")
	return os.DirFS(dir), dir, dir + "/", nil
}

// settingWarnings prints risky but valid settings; it returns the number
// of errors among them.
func settingWarnings(cfg Config, e env) int {
	errs := 0
	if cfg.ARIURL != "" && (cfg.ARIPassword == "" || strings.Contains(cfg.ARIPassword, "CHANGE-ME")) {
		fmt.Fprintln(e.stdout, "hotline settings: error: HOTLINE_ARI_PASSWORD is empty or still the sample CHANGE-ME value")
		errs++
	}
	if cfg.ARIURL == "" {
		fmt.Fprintln(e.stdout, "hotline settings: warning: HOTLINE_ARI_URL is empty: serve runs the built-in simulated PBX")
	}
	for _, u := range plainARIURLs(cfg.ARIURL) {
		fmt.Fprintf(e.stdout, "hotline settings: warning: HOTLINE_ARI_URL %s is plain HTTP to another host: the ARI password "+
			"and every call cross the network in clear text; use https:// (http.conf tlsenable)\n", u)
	}
	if strings.Contains(cfg.MetricsToken, "CHANGE-ME") {
		fmt.Fprintln(e.stdout, "hotline settings: error: HOTLINE_METRICS_TOKEN is still the sample CHANGE-ME value")
		errs++
	}
	if cfg.MetricsToken == "" && cfg.ARIURL != "" {
		fmt.Fprintf(e.stdout, "hotline settings: warning: HOTLINE_METRICS_TOKEN is empty: /metrics answers every local process on %s\n", cfg.MetricsAddr)
	}
	errs += voiceWarnings(cfg, e)
	if strings.Contains(cfg.DatabaseURL, "CHANGE-ME") {
		fmt.Fprintln(e.stdout, "hotline settings: error: HOTLINE_DATABASE_URL still holds the sample CHANGE-ME password")
		errs++
	}
	return errs
}

// plainARIURLs returns the ARI URLs (of a comma-separated, optionally named
// list) that use http:// to a host other than this one.
func plainARIURLs(list string) []string {
	var out []string
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if name, rest, ok := strings.Cut(e, "="); ok && !strings.Contains(name, "/") {
			e = rest
		}
		u, err := url.Parse(e)
		if err != nil || u.Scheme != "http" {
			continue
		}
		if h := u.Hostname(); h == "localhost" || (net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback()) {
			continue
		}
		out = append(out, redactURL(e))
	}
	return out
}
