package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"hotline/telephony/ari"
	"hotline/telephony/lease"
)

// leasePrefix names each node's event-stream lease: hotline-ari:<node>.
const leasePrefix = "hotline-ari:"

// streamOwner runs the event streams of the Asterisk nodes. With leases
// (several replicas against real Asterisk nodes), each node's stream, and
// the work that needs its events, runs only in the replica holding the
// node's lease; every replica still serves HTTP, WebSockets and pops.
type streamOwner struct {
	nodes  *ari.Nodes
	leases map[string]*lease.Lease // by node; nil: no leases (simulated PBX)
	log    *slog.Logger
}

// newStreamOwner makes one lease per node in the database dsn when leased
// is true, and exports hotline_ari_lease_held{node}.
func newStreamOwner(dsn string, leased bool, nodes *ari.Nodes, log *slog.Logger, reg prometheus.Registerer) (*streamOwner, error) {
	o := &streamOwner{nodes: nodes, log: log}
	if !leased {
		return o, nil
	}
	o.leases = map[string]*lease.Lease{}
	for _, c := range nodes.All() {
		node := c.Node()
		l, err := lease.New(dsn, leasePrefix+node, lease.Options{Logger: log.With("component", "lease", "node", node)})
		if err != nil {
			return nil, err
		}
		o.leases[node] = l
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "hotline_ari_lease_held",
			Help:        "1 when this replica holds the node's event-stream lease and consumes its ARI events.",
			ConstLabels: prometheus.Labels{"node": node},
		}, func() float64 {
			if l.Held() {
				return 1
			}
			return 0
		})
		if err := reg.Register(g); err != nil {
			return nil, fmt.Errorf("register the lease metric of %s: %w", node, err)
		}
	}
	return o, nil
}

// Run runs every node's work(ctx, client) until ctx is done: directly, or
// each time this replica takes the node's lease (work's context then ends
// as soon as the lease is lost).
func (o *streamOwner) Run(ctx context.Context, work func(ctx context.Context, c *ari.Client) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range o.nodes.All() {
		run := func(ctx context.Context) error { return work(ctx, c) }
		if l := o.leases[c.Node()]; l != nil {
			g.Go(func() error { return l.Run(gctx, run) })
		} else {
			g.Go(func() error { return run(gctx) })
		}
	}
	return g.Wait()
}

// Ready reports an error when this replica owns a node's stream but its
// event socket is not connected. A standby is ready: it serves HTTP.
func (o *streamOwner) Ready(context.Context) error {
	for _, c := range o.nodes.All() {
		if l := o.leases[c.Node()]; l != nil && !l.Held() {
			continue
		}
		if !c.Connected() {
			return fmt.Errorf("the ARI event socket of node %s is not connected", c.Node())
		}
	}
	return nil
}
