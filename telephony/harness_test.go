package telephony_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/telephony"
	"hotline/telephony/ari"
)

// eventLoop is a bare event socket reader for the reference tracker: it
// connects, optionally reconciles, and feeds frames to the tracker.
type eventLoop struct {
	base      string // where the event socket is (maybe through a proxy)
	app       string
	node      string
	tracker   *telephony.Tracker
	connects  atomic.Int64
	reconcile func(ctx context.Context) error
	mu        sync.Mutex
	errs      []error
}

func (l *eventLoop) run(ctx context.Context, t *testing.T) {
	u := strings.Replace(l.base, "http", "ws", 1) + "/ari/events?app=" + l.app + "&subscribeAll=true&api_key=hotline:hotline-secret"
	for ctx.Err() == nil {
		conn, _, err := websocket.Dial(ctx, u, nil)
		if err != nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		conn.SetReadLimit(1 << 20)
		l.connects.Add(1)
		if l.reconcile != nil {
			if err := l.reconcile(ctx); err != nil && ctx.Err() == nil {
				l.mu.Lock()
				l.errs = append(l.errs, err)
				l.mu.Unlock()
			}
		}
		for {
			_, raw, err := conn.Read(ctx)
			if err != nil {
				break
			}
			typ, _ := ari.PeekType(raw)
			l.tracker.Handle(ari.Message{Node: l.node, Type: typ, Raw: raw})
		}
		conn.CloseNow()
	}
}

// ariFeed runs the production wiring: an ari client for one node whose
// OnConnect reconciles the tracker and whose frames go to Handle.
type ariFeed struct {
	client   *ari.Client
	connects atomic.Int64
	mu       sync.Mutex
	errs     []error
}

type oneNode struct{ c *ari.Client }

func (o oneNode) Get(node string) (*ari.Client, bool) { return o.c, node == o.c.Node() }

func startARIFeed(ctx context.Context, t *testing.T, base string, tr func(*ari.Client) *telephony.Tracker) *ariFeed {
	t.Helper()
	f := &ariFeed{}
	var tracker *telephony.Tracker
	c, err := ari.NewClient(ari.Config{
		Node: "pbx1", URL: base, User: "hotline", Password: "hotline-secret", App: "hotline",
		ReconnectMin: 5 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
		OnConnect: func(ctx context.Context) {
			f.connects.Add(1)
			if err := tracker.Reconcile(ctx, "pbx1"); err != nil && ctx.Err() == nil {
				f.mu.Lock()
				f.errs = append(f.errs, err)
				f.mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	tracker = tr(c)
	go c.Run(ctx, tracker.Handle)
	return f
}

type mapRoster map[string]string

func (r mapRoster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

var agents = mapRoster{"PJSIP/1001": "alice", "PJSIP/1002": "bob", "PJSIP/1003": "carol"}

var rules = telephony.DirectionRules{InboundContexts: []string{"from-trunk"}, TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}}
