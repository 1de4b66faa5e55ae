package ari

import (
	"context"
	"strings"
	"sync"
	"testing"
)

func TestParseNodes(t *testing.T) {
	type node struct{ name, url, user, pass string }
	cases := []struct {
		name, in string
		want     []node
	}{
		{"one node", "http://127.0.0.1:8088", []node{{"127.0.0.1:8088", "http://127.0.0.1:8088/ari", "u", "p"}}},
		{"two nodes with spaces", " http://10.0.0.5:8088/ari , https://pbx2:8089 ",
			[]node{{"10.0.0.5:8088", "http://10.0.0.5:8088/ari", "u", "p"}, {"pbx2:8089", "https://pbx2:8089/ari", "u", "p"}}},
		{"named", "pbx1=http://10.0.0.5:8088,pbx2=http://10.0.0.6:8088",
			[]node{{"pbx1", "http://10.0.0.5:8088/ari", "u", "p"}, {"pbx2", "http://10.0.0.6:8088/ari", "u", "p"}}},
		{"own credentials", "edge=http://ari:other@10.0.0.7:8088", []node{{"edge", "http://10.0.0.7:8088/ari", "ari", "other"}}},
		{"ws scheme", "ws://h:8088/ari/events", []node{{"h:8088", "http://h:8088/ari", "u", "p"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNodes(tc.in, "u", "p", "hotline")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d nodes, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Node != w.name || g.URL != w.url || g.User != w.user || g.Password != w.pass || g.App != "hotline" {
					t.Errorf("node %d: %+v, want %+v", i, g, w)
				}
				if _, err := NewClient(g); err != nil {
					t.Errorf("node %d does not make a client: %v", i, err)
				}
			}
		})
	}
}

func TestParseNodesErrors(t *testing.T) {
	cases := []struct {
		name, in, user, app, want string
	}{
		{"empty", "  ", "u", "hotline", "no Asterisk node"},
		{"stray comma", "http://a:1,,http://b:2", "u", "hotline", "node 2 of"},
		{"bad scheme", "http://a:1,ftp://b", "u", "hotline", "node 2: URL \"ftp://b\": scheme"},
		{"no host", "http://", "u", "hotline", "no host"},
		{"duplicate", "http://a:1,http://a:1/ari", "u", "hotline", `nodes 1 and 2 are both named "a:1"`},
		{"duplicate names", "x=http://a:1,x=http://b:1", "u", "hotline", `both named "x"`},
		{"bad name", "my pbx=http://a:1", "u", "hotline", "name \"my pbx\""},
		{"no user", "http://a:1", "", "hotline", "no ARI user"},
		{"no app", "http://a:1", "u", "", "application name"},
		{"unparsable", "http://u:secret@[::1", "u", "hotline", "does not parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseNodes(tc.in, tc.user, "p", tc.app)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}
}

func TestNodesRunEveryNode(t *testing.T) {
	f1, f2 := newFakeARI(t), newFakeARI(t)
	cfgs, err := ParseNodes("pbx1="+f1.URL()+",pbx2="+f2.URL(), testUser, testPass, "hotline")
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := NewNodes(cfgs)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]string{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- nodes.Run(ctx, func(m Message) {
			mu.Lock()
			seen[m.Node] = m.Type
			mu.Unlock()
		})
	}()
	c1, c2 := f1.waitConn(), f2.waitConn()
	f1.send(c1, `{"type":"ChannelCreated","application":"hotline"}`)
	f2.send(c2, `{"type":"ChannelDestroyed","application":"hotline"}`)
	eventually(t, "events from both nodes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 2
	})
	if seen["pbx1"] != TypeChannelCreated || seen["pbx2"] != TypeChannelDestroyed {
		t.Errorf("events by node %v", seen)
	}
	eventually(t, "both connected", nodes.Connected)
	if st := nodes.Stats(); st["pbx1"].Connects != 1 || st["pbx2"].Events[TypeChannelDestroyed] != 1 {
		t.Errorf("stats %+v", st)
	}
	if c, ok := nodes.Get("pbx2"); !ok || c.Node() != "pbx2" || len(nodes.All()) != 2 {
		t.Error("Get/All")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if nodes.Connected() {
		t.Error("still connected after Run returned")
	}
}

func TestNewNodesErrors(t *testing.T) {
	if _, err := NewNodes(nil); err == nil {
		t.Error("no nodes accepted")
	}
	_, err := NewNodes([]Config{{Node: "a", URL: "http://h:1", App: "x"}, {Node: "a", URL: "http://h:2", App: "x"}})
	if err == nil || !strings.Contains(err.Error(), `"a" used twice`) {
		t.Errorf("duplicate: %v", err)
	}
	_, err = NewNodes([]Config{{URL: "http://h:1"}})
	if err == nil || !strings.Contains(err.Error(), "node 1") {
		t.Errorf("bad config: %v", err)
	}
}
