package sip

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"
)

// PingResult is one SIP OPTIONS probe of an endpoint.
type PingResult struct {
	Endpoint string // the name it is reported under, e.g. PJSIP/1001
	URI      string
	// Up is true when the endpoint answered with a final status below 500
	// (200, or 401/404/405: it is there and speaking SIP).
	Up     bool
	Status int           // the final status, 0 when nothing answered
	RTT    time.Duration // request to final response
	Err    error         // why it is down
	At     time.Time
}

// Pinger sends SIP OPTIONS requests.
type Pinger struct {
	ua       *sipgo.UserAgent
	client   *sipgo.Client
	bindHost string
	timeout  time.Duration
}

// pingerAgent names the pinger in its From header and User-Agent, so an
// endpoint's logs show who probes it.
const pingerAgent = "hotline-health"

// NewPinger makes a pinger whose requests time out after timeout (default
// 2 s), sent from bindHost (default: any address).
func NewPinger(bindHost string, timeout time.Duration) (*Pinger, error) {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(pingerAgent))
	if err != nil {
		return nil, fmt.Errorf("sip pinger: %w", err)
	}
	var opts []sipgo.ClientOption
	if bindHost != "" {
		opts = append(opts, sipgo.WithClientHostname(bindHost))
	}
	c, err := sipgo.NewClient(ua, opts...)
	if err != nil {
		_ = ua.Close()
		return nil, fmt.Errorf("sip pinger: %w", err)
	}
	return &Pinger{ua: ua, client: c, bindHost: bindHost, timeout: timeout}, nil
}

// Close releases the pinger's transports.
func (p *Pinger) Close() { _ = p.client.Close(); _ = p.ua.Close() }

// Ping sends one OPTIONS to uri (sip:host[:port] or sip:user@host[:port]).
func (p *Pinger) Ping(ctx context.Context, endpoint, uri string) PingResult {
	r := PingResult{Endpoint: endpoint, URI: uri, At: time.Now()}
	var u sip.Uri
	if err := sip.ParseUri(uri, &u); err != nil || u.Host == "" {
		r.Err = fmt.Errorf("%q: want sip:[user@]host[:port]", uri)
		return r
	}
	if u.Port == 0 {
		u.Port = 5060
	}
	req := sip.NewRequest(sip.OPTIONS, u)
	req.SetDestination(net.JoinHostPort(u.Host, strconv.Itoa(u.Port)))
	p.addHeaders(req, u)
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	start := time.Now()
	res, err := p.client.Do(ctx, req)
	r.RTT = time.Since(start)
	if err != nil {
		r.Err = fmt.Errorf("no answer within %v: %w", p.timeout, err)
		return r
	}
	r.Status = res.StatusCode
	r.Up = res.StatusCode < 500
	if !r.Up {
		r.Err = fmt.Errorf("answered %d %s", res.StatusCode, res.Reason)
	}
	return r
}

// addHeaders completes an OPTIONS request beyond sipgo's minimum, as SIPp
// showed was missing: From names this host rather than sipgo's default
// "localhost" (the bind address, or the one that routes to the endpoint),
// Accept says which bodies the answer may carry (RFC 3261 11.1: SHOULD),
// and User-Agent says who probes.
func (p *Pinger) addHeaders(req *sip.Request, u sip.Uri) {
	host := p.bindHost
	if host == "" {
		if h, err := localAddrFor(u, "udp"); err == nil {
			host = h
		}
	}
	if host != "" {
		from := &sip.FromHeader{DisplayName: pingerAgent, Address: sip.Uri{Scheme: "sip", User: pingerAgent, Host: host}, Params: sip.NewParams()}
		from.Params.Add("tag", sip.GenerateTagN(16))
		req.AppendHeader(from)
	}
	req.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	req.AppendHeader(sip.NewHeader("User-Agent", pingerAgent))
}

// Monitor probes endpoints at an interval and exports
// hotline_sip_endpoint_up{endpoint} and
// hotline_sip_endpoint_rtt_seconds{endpoint}.
type Monitor struct {
	pinger    *Pinger
	endpoints map[string]string // name -> URI
	interval  time.Duration
	log       *slog.Logger

	mu   sync.Mutex
	last map[string]PingResult
}

// NewMonitor probes endpoints (name -> SIP URI) every interval (default
// 30 s) and registers its metrics on reg (if not nil).
func NewMonitor(p *Pinger, endpoints map[string]string, interval time.Duration, reg prometheus.Registerer, log *slog.Logger) (*Monitor, error) {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Monitor{pinger: p, endpoints: endpoints, interval: interval, log: log, last: map[string]PingResult{}}
	if reg != nil {
		if err := reg.Register(m); err != nil {
			return nil, fmt.Errorf("sip monitor metrics: %w", err)
		}
	}
	return m, nil
}

// Run probes every endpoint at once, then every interval, until ctx ends.
func (m *Monitor) Run(ctx context.Context) error {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.ProbeAll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ProbeAll probes every endpoint concurrently and records the results.
func (m *Monitor) ProbeAll(ctx context.Context) {
	var wg sync.WaitGroup
	for name, uri := range m.endpoints {
		wg.Go(func() {
			r := m.pinger.Ping(ctx, name, uri)
			if ctx.Err() != nil {
				return
			}
			m.mu.Lock()
			prev, seen := m.last[name]
			m.last[name] = r
			m.mu.Unlock()
			if !r.Up && (!seen || prev.Up) {
				m.log.Warn("sip endpoint down", "endpoint", name, "uri", uri, "err", r.Err)
			}
		})
	}
	wg.Wait()
}

// Snapshot returns the latest result of every probed endpoint.
func (m *Monitor) Snapshot() map[string]PingResult {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]PingResult, len(m.last))
	for k, v := range m.last {
		out[k] = v
	}
	return out
}

var (
	descUp  = prometheus.NewDesc("hotline_sip_endpoint_up", "1 when the SIP endpoint answered its last OPTIONS probe below 500.", []string{"endpoint"}, nil)
	descRTT = prometheus.NewDesc("hotline_sip_endpoint_rtt_seconds", "Round-trip time of the last answered OPTIONS probe.", []string{"endpoint"}, nil)
)

// Describe implements prometheus.Collector.
func (m *Monitor) Describe(ch chan<- *prometheus.Desc) { ch <- descUp; ch <- descRTT }

// Collect implements prometheus.Collector.
func (m *Monitor) Collect(ch chan<- prometheus.Metric) {
	for name, r := range m.Snapshot() {
		up := 0.0
		if r.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, name)
		if r.Status != 0 {
			ch <- prometheus.MustNewConstMetric(descRTT, prometheus.GaugeValue, r.RTT.Seconds(), name)
		}
	}
}
