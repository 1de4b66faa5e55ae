package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"
)

// exitError makes main exit with code instead of 2.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// cmdHealthcheck is the container's health command (the runtime image has
// no shell, wget or curl): it GETs /readyz (or, with --live, /healthz) of
// the Hotline listening on HOTLINE_HTTP_ADDR on this host and exits 0 when
// it answers 200, 1 otherwise (Docker's "unhealthy").
func cmdHealthcheck(ctx context.Context, args []string, e env) error {
	var live bool
	var timeout time.Duration
	cfg, _, err := parse("healthcheck", args, e, func(fs *flag.FlagSet) {
		fs.BoolVar(&live, "live", false, "check /healthz (the process answers) instead of /readyz (ready for traffic)")
		fs.DurationVar(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
	})
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitError{code: 1, err: err}
	}
	path := "/readyz"
	if live {
		path = "/healthz"
	}
	url := "http://" + localAddr(cfg.HTTPAddr) + path
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return exitError{code: 1, err: fmt.Errorf("not healthy: GET %s: %w", url, errors.Unwrap(err))}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return exitError{code: 1, err: fmt.Errorf("not healthy: GET %s: %s", url, resp.Status)}
	}
	fmt.Fprintf(e.stdout, "ok: GET %s: %s\n", url, resp.Status)
	return nil
}

// localAddr is the address at which this host reaches a listener on addr:
// an unspecified host (":8080", "0.0.0.0:8080", "[::]:8080") is loopback.
func localAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
