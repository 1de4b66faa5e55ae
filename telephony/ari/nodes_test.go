package ari

import (
	"strings"
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
