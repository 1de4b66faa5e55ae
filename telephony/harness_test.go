package telephony_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/telephony"
	"hotline/telephony/ari"
)

// restChannels is a small ARI REST reader for the tests (the production
// wiring uses the ari client).
type restChannels struct {
	base  string // http://host:port
	reads atomic.Int64
}

var _ telephony.Channels = (*restChannels)(nil)

func (r *restChannels) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/ari"+path, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth("hotline", "hotline-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (r *restChannels) LinkedID(ctx context.Context, _, id string) (string, error) {
	r.reads.Add(1)
	var v struct{ Value string }
	err := r.get(ctx, "/channels/"+url.PathEscape(id)+"/variable?variable="+url.QueryEscape(telephony.LinkedIDVar), &v)
	return v.Value, err
}

func (r *restChannels) List(ctx context.Context, _ string) ([]telephony.LiveChannel, error) {
	var chans []struct {
		ID, Name, State string
		Caller          struct{ Number string }
		CreationTime    string            `json:"creationtime"`
		ChannelVars     map[string]string `json:"channelvars"`
	}
	if err := r.get(ctx, "/channels", &chans); err != nil {
		return nil, err
	}
	out := make([]telephony.LiveChannel, 0, len(chans))
	for _, c := range chans {
		created, _ := telephony.ParseTime(c.CreationTime)
		out = append(out, telephony.LiveChannel{ID: c.ID, Name: c.Name, State: c.State,
			CallerNumber: c.Caller.Number, LinkedID: c.ChannelVars[telephony.LinkedIDVar], CreatedAt: created})
	}
	return out, nil
}

// eventLoop connects to the emulator's event socket, reconciles after every
// (re)connect and feeds frames to handle until ctx ends.
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

type mapRoster map[string]string

func (r mapRoster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

var agents = mapRoster{"PJSIP/1001": "alice", "PJSIP/1002": "bob", "PJSIP/1003": "carol"}

var rules = telephony.DirectionRules{InboundContexts: []string{"from-trunk"}, TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}}
