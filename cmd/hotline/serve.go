package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/metrics"
	"hotline/telephony/voice"
)

// component is a long-running part of the service. Run blocks until ctx is
// done (returning nil) or the component fails (stopping the service).
type component struct {
	Name string
	Run  func(ctx context.Context) error
}

// services is what serve builds before it starts listening: the goroutines to
// run and the readiness checks /readyz reports.
type services struct {
	components []component
	checks     []httpapi.Check
	closers    []func()
	cat        *i18n.Catalogue
	voice      *voice.Voice   // prompts' audio, for the IVR and the prompts page
	prompts    *promptReadier // makes survey prompts' audio before callers need it
	metrics    http.Handler   // /metrics behind the scrape token, for its own listener
}

// listener is one HTTP server and the socket it serves.
type listener struct {
	srv *http.Server
	ln  net.Listener
}

func cmdServe(ctx context.Context, args []string, e env) error {
	var demoMode bool
	cfg, _, err := parse("serve", args, e, func(fs *flag.FlagSet) {
		fs.BoolVar(&demoMode, "demo", false, "create the database if missing, migrate, and load demo data when it is empty")
	})
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	if e.timerSlack != nil { // before anything starts: it may start the program again
		if err := e.timerSlack(cfg.TimerSlack); err != nil {
			log.Warn("running with the host's timer slack", slog.Any("err", err))
		}
	}
	if demoMode {
		stopPG, err := privatePostgres(ctx, &cfg, log)
		defer stopPG()
		if err != nil {
			return err
		}
		if err := prepareDemo(ctx, cfg, e); err != nil {
			return err
		}
	}
	st, err := openStoreWith(ctx, cfg, postgres.Options{Logger: log, Text: documentText(log)})
	if err != nil {
		return err
	}
	defer st.DB.Close()

	api, svc, err := buildService(ctx, cfg, log, st)
	defer svc.close()
	if err != nil {
		return err
	}
	web, err := listen("HOTLINE_HTTP_ADDR", cfg.HTTPAddr, api.Handler(), log)
	if err != nil {
		return err
	}
	mon, err := listen("HOTLINE_METRICS_ADDR", cfg.MetricsAddr, metricsMux(svc.metrics), log)
	if err != nil {
		_ = web.ln.Close()
		return err
	}
	log.Info("hotline serving", slog.String("url", "http://"+web.ln.Addr().String()),
		slog.String("metrics", "http://"+mon.ln.Addr().String()+"/metrics"), slog.String("version", version))
	fmt.Fprintf(e.stdout, "Hotline is running on http://%s (Ctrl+C stops it)\n", web.ln.Addr())
	return runAll(ctx, log, []listener{web, mon}, svc.components)
}

// listen opens the socket of an HTTP server for h on addr, the value of
// the setting named name.
func listen(name, addr string, h http.Handler, log *slog.Logger) (listener, error) {
	srv := &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listener{}, fmt.Errorf("listen on %s %s: %w", name, addr, err)
	}
	return listener{srv: srv, ln: ln}, nil
}

// metricsMux serves /metrics (GET and HEAD) and nothing else: the
// listener of HOTLINE_METRICS_ADDR is for Prometheus only.
func metricsMux(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return mux
}

// buildService builds everything serve runs: the HTTP API and pages with
// every feature mounted, and the components (telephony, timers, janitors)
// with their readiness checks. svc is never nil; close it when done.
func buildService(ctx context.Context, cfg Config, log *slog.Logger, st *postgres.Services) (*httpapi.Server, *services, error) {
	svc := &services{}
	cat, err := i18n.Load(i18n.Options{Default: cfg.Language, Zone: cfg.TimeZone, Logger: log})
	if err != nil {
		return nil, svc, err
	}
	cfg.TimeZone = cat.Zone() // the centre's days: counters, reports, "today"
	svc.cat = cat
	if moved, err := st.Funnel.FollowCentreZone(ctx, cat.Zone().String()); err != nil {
		return nil, svc, fmt.Errorf("funnel in the centre's zone: %w", err)
	} else if moved {
		log.Info("funnel periods now follow the centre's zone", "zone", cat.Zone().String())
	}
	if svc.voice, err = startVoice(ctx, cfg, log, st); err != nil {
		return nil, svc, err
	}
	svc.prompts = newPromptReadier(svc.voice, st, log.With("component", "survey prompts"))
	svc.components = append(svc.components, component{Name: "survey prompts", Run: svc.prompts.Run})
	svc.components = append(svc.components, sessionJanitor(st, log), callPartitions(st, log))
	svc.components = append(svc.components, nightlyReclassify(st.Priority, cfg.TimeZone, log, nightlyOptions{}))
	rdb, err := startRedis(cfg, svc)
	if err != nil {
		return nil, svc, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics.RegisterBuildInfo(reg, version)
	tel, err := startTelephony(ctx, cfg, log, st, svc, reg, rdb)
	if err != nil {
		return nil, svc, err
	}
	notices, err := startNotify(ctx, cfg, log, st, svc, tel.metrics, cat, tel.callsWritten)
	if err != nil {
		return nil, svc, err
	}
	api := httpapi.New(httpapi.Options{
		Users: st.Users, Sessions: st.Sessions, Ping: st.DB.Ping,
		Logger: log, Version: version, PhoneRegion: cfg.PhoneRegion,
		CookieSecure: cfg.CookieSecure, Checks: svc.checks, I18n: cat, TrustedProxies: cfg.TrustedProxies,
	})
	pages, err := web.Mount(api, web.Options{Users: st.Users, Teams: st.Teams, Logger: log})
	if err != nil {
		return nil, svc, fmt.Errorf("pages: %w", err)
	}
	mountFeatures(api, pages, tel, st, svc.prompts, log, cfg.BaseCurrency)
	mountNotify(api, pages, notices, st)
	// Prometheus authenticates with its own token (HOTLINE_METRICS_TOKEN),
	// not a user's session or API token, on a listener of its own.
	svc.metrics = metrics.RequireBearer(cfg.MetricsToken, metrics.Handler(reg))
	mountMedia(api, svc.voice)
	pages.MountPrompts(web.PromptPageDeps{Surveys: readySurveys{st.Surveys, svc.prompts}, Audio: st.Voice, Voice: svc.voice, Catalogue: cat})
	return api, svc, nil
}

// close runs the closers in reverse order of their registration.
func (s *services) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// runAll serves HTTP on every listener and runs the components until ctx
// ends (SIGTERM or SIGINT) or one of them fails, then shuts everything down
// gracefully.
func runAll(ctx context.Context, log *slog.Logger, listeners []listener, comps []component) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, l := range listeners {
		g.Go(func() error {
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http %s: %w", l.srv.Addr, err)
			}
			return nil
		})
	}
	for _, c := range comps {
		g.Go(func() error {
			if err := c.Run(gctx); err != nil && gctx.Err() == nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		var errs []error
		for _, l := range listeners {
			errs = append(errs, l.srv.Shutdown(sctx))
		}
		return errors.Join(errs...)
	})
	err := g.Wait()
	log.Info("stopped", slog.Any("err", err))
	return err
}

// sessionJanitor deletes expired sessions every hour.
func sessionJanitor(st *postgres.Services, log *slog.Logger) component {
	return component{Name: "session janitor", Run: func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				n, err := st.Sessions.DeleteExpiredSessions(ctx)
				if err != nil {
					log.Warn("delete expired sessions", slog.Any("err", err))
					continue
				}
				log.Debug("deleted expired sessions", slog.Int64("count", n))
			}
		}
	}}
}

// callPartitions makes the monthly partitions of the call log ahead of
// time: at start, then daily (each run is cheap and idempotent, and all
// replicas may run it). A call of a month without a partition still lands,
// in the default partition, and moves to its month's partition next run.
func callPartitions(st *postgres.Services, log *slog.Logger) component {
	return component{Name: "calls partitions", Run: func(ctx context.Context) error {
		t := time.NewTicker(24 * time.Hour)
		defer t.Stop()
		for {
			n, err := st.Calls.EnsureCallPartitions(ctx, postgres.CallPartitionsAhead)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("calls partitions", slog.Any("err", err))
			case n > 0:
				log.Info("made monthly partitions of calls", slog.Int("count", n))
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}}
}

// startRedis connects to Redis when HOTLINE_REDIS_URL is set (screen pops
// and agent states then travel between replicas through it) and adds its
// readiness check; without it the client is nil and everything is in-process.
func startRedis(cfg Config, svc *services) (redis.UniversalClient, error) {
	if cfg.RedisURL == "" {
		return nil, nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("invalid HOTLINE_REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opts)
	svc.closers = append(svc.closers, func() { _ = rdb.Close() })
	svc.checks = append(svc.checks, httpapi.Check{Name: "redis", Func: func(ctx context.Context) error {
		return rdb.Ping(ctx).Err()
	}})
	return rdb, nil
}
