package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"hotline/crm/funnel"
	"hotline/crm/httpapi"
	"hotline/crm/phone"
	"hotline/crm/postgres"
	"hotline/internal/i18n"
	"hotline/metrics"
	"hotline/survey"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/screenpop"
	hsip "hotline/telephony/sip"
	"hotline/telephony/spool"
	"hotline/telephony/statusline"
)

// simulatedNode is the node name of the built-in simulated PBX.
const simulatedNode = "sim"

// telephonyParts is the running telephony side that the HTTP layer needs.
type telephonyParts struct {
	nodes       *ari.Nodes
	tracker     *telephony.Tracker
	clickToCall *telephony.ClickToCall
	metrics     *metrics.Metrics
	hub         screenpop.Hub
	board       screenpop.StatusBoard
	cards       *screenpop.CardBuilder
	popper      *screenpop.Popper
	popMetrics  *screenpop.Metrics
	simulated   bool
	roster      *telephony.EndpointRoster
	cat         *i18n.Catalogue
	// written signals a write to the call log by any replica (the orphan
	// adoption waits on it): see callsWritten.
	written chan struct{}
}

// callsWritten tells the orphan adoption that the call log was written. It
// never blocks.
func (p *telephonyParts) callsWritten() {
	select {
	case p.written <- struct{}{}:
	default:
	}
}

// callLogDelay is how long journaled call updates gather before they are
// written to PostgreSQL: a call's many updates while it is in progress
// become one row write (the spool keeps them meanwhile, and fsyncs those
// not written within HOTLINE_SPOOL_SYNC, whose default is above it).
var callLogDelay = 250 * time.Millisecond

// rosterRefresh is how often the agent roster (endpoint -> agent, for the
// tracker, and the metrics' agent list) reloads from the user directory.
const rosterRefresh = 30 * time.Second

// refreshAgents reloads the roster and the metrics' agent list now: the
// admin pages call it after a user's endpoints, role or status change, so
// the next call to a new endpoint pops to its agent without waiting.
func (p *telephonyParts) refreshAgents(ctx context.Context) error {
	if err := p.roster.Refresh(ctx); err != nil {
		return err
	}
	p.metrics.Refresh()
	return nil
}

// startTelephony builds the ARI clients (or, with no HOTLINE_ARI_URL, the
// built-in simulated PBX with demo traffic), the call tracker with its
// durable spool, and everything fed by its events: screen pops, metrics,
// the survey runner and dialer, the status line and the escalation timers.
// Their goroutines go to svc.components, readiness checks to svc.checks.
func startTelephony(ctx context.Context, cfg Config, log *slog.Logger, st *postgres.Services,
	svc *services, reg prometheus.Registerer, rdb redis.UniversalClient) (*telephonyParts, error) {
	p := &telephonyParts{cat: svc.cat, written: make(chan struct{}, 1)}
	roster := telephony.NewEndpointRoster(st.Users.ListAgentEndpoints)
	if err := roster.Refresh(ctx); err != nil {
		return nil, err
	}
	p.roster = roster
	cfgs, err := ariNodes(ctx, cfg, log, st, svc)
	if err != nil {
		return nil, err
	}
	p.simulated = cfg.ARIURL == ""

	// A call update is durable within HOTLINE_SPOOL_SYNC: in PostgreSQL
	// when the call log has written it by then (the spool's commit), else
	// by the spool's fsync.
	spoolOpts := spool.Options{Sync: spool.SyncInterval, SyncEvery: cmp.Or(cfg.SpoolSync, defaultSpoolSync), Logger: log.With("component", "spool")}
	if cfg.SpoolSyncAll {
		spoolOpts.Sync = spool.SyncAlways
	}
	sp, err := spool.Open(cfg.SpoolDir, spoolOpts)
	if err != nil {
		return nil, fmt.Errorf("open the spool (HOTLINE_SPOOL_DIR %s): %w", cfg.SpoolDir, err)
	}
	svc.closers = append(svc.closers, func() { _ = sp.Close() })
	// Survey writes have a spool of their own (its own reader), fsynced on
	// every append: they are few, and each is a customer's answer.
	surveyDir := filepath.Join(cfg.SpoolDir, "surveys")
	ssp, err := spool.Open(surveyDir, spool.Options{Sync: spool.SyncAlways, Logger: log.With("component", "survey-spool")})
	if err != nil {
		return nil, fmt.Errorf("open the survey spool (%s): %w", surveyDir, err)
	}
	svc.closers = append(svc.closers, func() { _ = ssp.Close() }) // after the runner's Close

	filter := eventFilter()
	for i := range cfgs {
		node := cfgs[i].Node
		cfgs[i].EventFilter = filter
		cfgs[i].Logger = log.With("component", "ari", "node", node)
		cfgs[i].OnConnect = func(ctx context.Context) {
			if err := p.tracker.Reconcile(ctx, node); err != nil && ctx.Err() == nil {
				log.Warn("reconcile after connect", "node", node, "err", err)
			}
		}
		// the journal takes a burst's changes when the burst is folded
		// (FlushOnIdle): the whole tracker, whichever node paused
		cfgs[i].OnIdle = func() {
			if err := p.tracker.Flush(); err != nil {
				log.Error("call journal append failed", "node", node, "err", err)
			}
		}
	}
	if p.nodes, err = ari.NewNodes(cfgs); err != nil {
		return nil, fmt.Errorf("ARI (HOTLINE_ARI_URL): %w", err)
	}
	// One memo of numbers for the tracker, the card and the survey:
	// libphonenumber's parse costs more than folding the event it is for.
	numbers := phone.NewMemo(phone.Normalizer{Region: cfg.PhoneRegion}, 4096)
	channels := telephony.ARIChannels{Nodes: p.nodes}
	p.tracker = telephony.NewTracker(telephony.TrackerOptions{
		Store: st.Calls, Roster: roster, Channels: channels, Journal: sp, FlushOnIdle: true,
		Rules:         cfg.Dialplan.directionRules(),
		Normalize:     func(n string) string { v, _ := numbers.Lookup(n); return v },
		Logger:        log.With("component", "tracker"),
		FlushInterval: 20 * time.Millisecond, WriteDelay: callLogDelay,
		EndedSaved: dealOpener(st, log, svc.cat),
	})
	p.clickToCall = telephony.NewClickToCall(telephony.ClickToCallOptions{Originator: channels, Node: cfgs[0].Node,
		Context: cfg.Dialplan.DialContext, CallerID: cfg.Dialplan.OutboundCallerID, Display: clickToCallDisplay(svc.cat)})

	p.metrics = metrics.New(reg, &rosterAgents{st: st.Users, log: log}, metrics.Options{Logger: log.With("component", "metrics"), Location: cfg.TimeZone})
	p.metrics.SetTracker(p.tracker)
	p.metrics.SetSpool(spoolStats(sp))
	for _, c := range cfgs {
		cl, _ := p.nodes.Get(c.Node)
		p.metrics.AddARINode(c.Node, ariStats(cl))
	}

	startScreenPop(p, st, log, reg, rdb, numbers, svc, cfg.WrapUp)
	ivr := startIVR(cfg, log, st, p.nodes, reg, svc, surveyJournal{ssp}, p.metrics, numbers)
	owner, err := newStreamOwner(cfg.DatabaseURL, !p.simulated, p.nodes, log, reg)
	if err != nil {
		return nil, err
	}

	svc.components = append(svc.components,
		component{Name: "call tracker", Run: p.tracker.Run},
		component{Name: "ARI events", Run: func(ctx context.Context) error {
			return owner.Run(ctx, func(ctx context.Context, c *ari.Client) error {
				var wg sync.WaitGroup
				defer wg.Wait()
				wg.Go(func() { adoptOrphans(ctx, p.tracker, c.Node(), p.written, log) })
				return ivr.own(ctx, c, func(m ari.Message) {
					p.tracker.Handle(m)
					for _, h := range ivr.handlers {
						h(m)
					}
				})
			})
		}},
		component{Name: "metrics", Run: func(ctx context.Context) error { return p.metrics.RunTracker(ctx, p.tracker) }},
		component{Name: "agent roster", Run: func(ctx context.Context) error {
			t := time.NewTicker(rosterRefresh)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
					if err := roster.Refresh(ctx); err != nil {
						log.Warn("roster refresh", "err", err)
					}
					p.metrics.Refresh()
				}
			}
		}},
	)
	svc.checks = append(svc.checks, httpapi.Check{Name: "ari", Func: owner.Ready})
	agentPhone := func(endpoint string, up bool) {
		if login, ok := roster.AgentByEndpoint(endpoint); ok {
			p.metrics.SetAgentOnline(login, up)
		}
	}
	if err := startSIPProbes(cfg, log, reg, svc, agentPhone); err != nil {
		return nil, err
	}
	return p, nil
}

// startSIPProbes checks the configured phones and trunks with SIP OPTIONS
// every 30 s and exports hotline_sip_endpoint_up and its round-trip time.
// A probe named after an agent's endpoint (PJSIP/1001) also tells the
// wallboard, through phone, whether that agent's phone is reachable.
func startSIPProbes(cfg Config, log *slog.Logger, reg prometheus.Registerer, svc *services,
	phone func(endpoint string, up bool)) error {
	if len(cfg.SIPProbes) == 0 {
		return nil
	}
	pinger, err := hsip.NewPinger("", 2*time.Second)
	if err != nil {
		return fmt.Errorf("SIP probes (HOTLINE_SIP_PROBES): %w", err)
	}
	svc.closers = append(svc.closers, pinger.Close)
	mon, err := hsip.NewMonitor(pinger, cfg.SIPProbes, 30*time.Second, reg, log.With("component", "sip-probes"))
	if err != nil {
		return fmt.Errorf("SIP probes (HOTLINE_SIP_PROBES): %w", err)
	}
	svc.components = append(svc.components, component{Name: "SIP probes", Run: func(ctx context.Context) error {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			mon.ProbeAll(ctx)
			for name, r := range mon.Snapshot() {
				phone(name, r.Up)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}})
	return nil
}

// eventFilter is every ARI event type some consumer uses; Asterisk does
// not even send the others (most ChannelVarset and ChannelDialplan).
func eventFilter() []string {
	set := map[string]bool{}
	for _, t := range ari.CallEventTypes {
		set[t] = true
	}
	for _, t := range telephony.EventTypes() {
		set[t] = true
	}
	set[ari.TypeEndpointStateChange] = true
	return slices.Sorted(maps.Keys(set))
}

// rosterAgents gives metrics the logins of the agents (the bounded values
// of its agent label), read from the user directory. When the directory
// cannot be read (PostgreSQL down) it keeps the last list it read, so that
// agents' calls do not count as "unknown" during an outage.
type rosterAgents struct {
	st  agentEndpoints
	log *slog.Logger

	mu   sync.Mutex
	last []string
}

// agentEndpoints reads every agent's endpoints (*postgres.Services).
type agentEndpoints interface {
	ListAgentEndpoints(ctx context.Context) (map[string]string, error)
}

func (a *rosterAgents) Agents() []string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := a.st.ListAgentEndpoints(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.log.Warn("metrics roster: keeping the last one read", "err", err)
		return slices.Clone(a.last)
	}
	out := slices.Collect(maps.Values(m))
	slices.Sort(out)
	a.last = slices.Compact(out)
	return slices.Clone(a.last)
}

// startScreenPop builds the pop hub (Redis when configured), the agent
// status board (on which wrap-up ends by itself after wrapUp), the card
// builder and the popper that follows the tracker.
func startScreenPop(p *telephonyParts, st *postgres.Services, log *slog.Logger, reg prometheus.Registerer,
	rdb redis.UniversalClient, numbers *phone.Memo, svc *services, wrapUp time.Duration) {
	if rdb != nil {
		hub := screenpop.NewRedisHub(rdb, screenpop.RedisOptions{Logger: log.With("component", "screenpop")})
		p.hub, p.board = hub, screenpop.NewRedisStatusBoard(rdb, "")
	} else {
		p.hub, p.board = screenpop.NewLocalHub(0), screenpop.NewLocalStatusBoard()
	}
	p.board = screenpop.WrapUpEnds(p.board, wrapUp, time.Now)
	svc.closers = append(svc.closers, func() { _ = p.hub.Close() })
	p.cards = screenpop.NewCardBuilder(screenpop.CardSources{
		Clients: st.Clients, Recent: st.ScreenPop, Directory: st.ScreenPop, Routes: st.ScreenPop, Tickets: st.Tickets, Products: st.Stock, Surveys: st.Surveys, Phone: numbers,
		Lookup: st.ScreenPop, // the card in one round trip; the sources above say which parts it has
	})
	p.popper = screenpop.NewPopper(screenpop.Options{Cards: p.cards, Hub: p.hub, Agents: st.ScreenPop, Status: p.board,
		Logger: log.With("component", "screenpop"), Tickets: st.DB, FailureText: clickToCallFailureText(p.cat, st.Users)})
	p.popMetrics = screenpop.NewMetrics(reg)
	svc.components = append(svc.components, component{Name: "screen pop", Run: func(ctx context.Context) error {
		return p.popper.RunTracker(ctx, p.tracker.Subscribe)
	}})
}

// ivrParts is what Hotline does on channels it owns (Stasis), fed by the
// event stream of the replica that owns a node.
type ivrParts struct {
	handlers []func(ari.Message)
	runner   *survey.Runner
	dialer   *survey.Dialer
	first    string // the node the campaign dialer originates on
	log      *slog.Logger
}

// own is the work of the replica that owns node c's event stream: close
// the surveys a previous owner left open, run the campaign dialer (on the
// first node), and consume the events until ctx ends.
func (iv *ivrParts) own(ctx context.Context, c *ari.Client, handle func(ari.Message)) error {
	node := c.Node()
	if n, err := iv.runner.Recover(ctx, node); err != nil {
		iv.log.Warn("survey recovery", "node", node, "err", err)
	} else if n > 0 {
		iv.log.Info("closed surveys left open by the previous owner", "node", node, "count", n)
	}
	if node != iv.first {
		return c.Run(ctx, handle)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return iv.dialer.Run(gctx) })
	g.Go(func() error { return c.Run(gctx, handle) })
	return g.Wait()
}

// startIVR starts what Hotline does on channels it owns (Stasis): the
// survey runner and campaign dialer and the self-service status line
// (the escalation timers run with the notifications, startNotify). The runner's recovery, the
// dialer and the handlers run where the event stream is (ivrParts.own).
func startIVR(cfg Config, log *slog.Logger, st *postgres.Services, nodes *ari.Nodes,
	reg prometheus.Registerer, svc *services, journal survey.Journal, agents survey.AgentLabels, numbers *phone.Memo) *ivrParts {
	clientOf := func(node string) *ari.Client {
		if c, ok := nodes.Get(node); ok {
			return c
		}
		return nodes.All()[0]
	}
	runner := survey.NewRunner(survey.Options{
		Store: st.Surveys, Timeline: st.Clients, FollowUps: postgres.SurveyTickets{Tickets: st.Tickets}, App: cfg.ARIApp, Logger: log.With("component", "survey"), Registerer: reg,
		ARI: func(node string) survey.ARI { return clientOf(node) }, Journal: journal, Agents: agents,
		Speech: svc.voice, Language: clientLanguage(cfg), Phone: numbers.E164,
	})
	svc.closers = append(svc.closers, runner.Close)
	dialer := survey.NewDialer(survey.DialerOptions{Store: st.Campaigns, ARI: nodes.All()[0], App: cfg.ARIApp, Context: cfg.Dialplan.DialContext,
		Logger: log.With("component", "survey-dialer")})
	line := statusline.New(statusline.Options{Clients: st.Clients, Tickets: st.Tickets, Users: st.Users, App: cfg.ARIApp, Region: cfg.PhoneRegion,
		Words: statusline.CatalogueWords(svc.cat), Speech: svc.voice, Language: string(cfg.Language),
		Logger: log.With("component", "status-line"),
		ARI:    func(node string) statusline.ARI { return clientOf(node) },
	})
	svc.closers = append(svc.closers, line.Close)
	svc.components = append(svc.components,
		component{Name: "status line", Run: line.Run},
		component{Name: "reservation expiry", Run: func(ctx context.Context) error {
			st.Stock.RunReservationExpiry(ctx, time.Minute)
			return nil
		}},
	)
	return &ivrParts{handlers: []func(ari.Message){runner.Handle, dialer.Handle, line.Handle},
		runner: runner, dialer: dialer, first: nodes.All()[0].Node(), log: log}
}

// surveyJournal is the survey runner's journal: a spool, whose backlog it
// counts for the runner's metrics.
type surveyJournal struct{ *spool.Spool }

var _ survey.Journal = surveyJournal{}

// Pending is the number of survey writes waiting for PostgreSQL.
func (j surveyJournal) Pending() uint64 { return j.Stats().PendingRecords }

// dealOpener is the tracker's EndedSaved hook: when an admin has turned it
// on (funnel settings), it opens a deal at the first stage for the first
// answered call with a new client, for all the calls of a saved batch in
// one statement. It runs on the call-log writer, so it is bounded; a batch
// it misses (PostgreSQL down, a crash) only means deals not opened
// automatically.
func dealOpener(st *postgres.Services, log *slog.Logger, cat *i18n.Catalogue) func(context.Context, []telephony.Call) {
	opener := &funnel.AutoOpener{Store: st.Funnel, Logger: log.With("component", "funnel"), Texts: firstCallTexts(cat)}
	return func(ctx context.Context, ended []telephony.Call) {
		calls := make([]funnel.Call, len(ended))
		for i, c := range ended {
			calls[i] = funnel.Call{Node: c.Node, LinkedID: c.LinkedID, Customer: c.Customer, Agent: c.Agent,
				At: c.StartedAt, Answered: c.AnsweredAt != nil}
		}
		ctx, cancel := context.WithTimeout(ctx, dealOpenerTimeout)
		defer cancel()
		if _, err := opener.HandleCalls(ctx, calls); err != nil && ctx.Err() == nil {
			log.Warn("open deals from first calls", "calls", len(calls), "err", err)
		}
	}
}

// firstCallTexts are the texts of a deal a first call opens and of the
// client it creates, in the centre's language and zone ("Первый звонок
// 07.12.2026", "Звонивший +7 495 765-43-21").
func firstCallTexts(cat *i18n.Catalogue) func(funnel.Call) funnel.FirstCallTexts {
	return func(c funnel.Call) funnel.FirstCallTexts {
		l := cat.For(cat.Default())
		return funnel.FirstCallTexts{
			DealTitle:   l.T("funnel.first_call.deal_title", map[string]any{"Date": l.Date(c.At)}),
			ClientName:  l.T("funnel.first_call.client_name", map[string]any{"Number": l.Phone(c.Customer)}),
			ClientNotes: l.T("funnel.first_call.client_notes", map[string]any{"At": l.DateTime(c.At)}),
		}
	}
}

// dealOpenerTimeout bounds the deal opener's work on a batch of the call
// log, which waits for it.
const dealOpenerTimeout = 5 * time.Second
