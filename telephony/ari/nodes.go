package ari

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// nodeName is what a node may be called in "name=url" entries and logs.
var nodeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)

// ParseNodes reads a comma-separated list of Asterisk nodes, as in
// HOTLINE_ARI_URL, into one Config per node:
//
//	http://10.0.0.5:8088,http://10.0.0.6:8088
//	pbx1=http://10.0.0.5:8088,pbx2=https://ari:secret@10.0.0.6:8089/ari
//
// A node is named by its "name=" prefix, or else by the URL's host:port.
// user and password apply to nodes whose URL carries no credentials of its
// own; app is the Stasis application for all. Errors name the entry by
// position and never repeat a password.
func ParseNodes(urlList, user, password, app string) ([]Config, error) {
	if strings.TrimSpace(urlList) == "" {
		return nil, errors.New("ari: no Asterisk node given (want e.g. http://127.0.0.1:8088)")
	}
	if app == "" {
		return nil, errors.New("ari: application name is empty")
	}
	var out []Config
	seen := map[string]int{}
	for i, entry := range strings.Split(urlList, ",") {
		n := i + 1
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("ari: node %d of %q is empty (stray comma?)", n, redactList(urlList))
		}
		name, raw := splitNodeName(entry)
		if name != "" && !nodeName.MatchString(name) {
			return nil, fmt.Errorf("ari: node %d: name %q may only hold letters, digits and . _ : -", n, name)
		}
		u, err := parseBaseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("ari: node %d: %w", n, err)
		}
		cfg := Config{Node: name, User: user, Password: password, App: app}
		if u.User != nil {
			cfg.User = u.User.Username()
			cfg.Password, _ = u.User.Password()
			u.User = nil
		}
		if cfg.Node == "" {
			cfg.Node = u.Host
		}
		if cfg.User == "" {
			return nil, fmt.Errorf("ari: node %d (%s): no ARI user given", n, cfg.Node)
		}
		if prev, dup := seen[cfg.Node]; dup {
			return nil, fmt.Errorf("ari: nodes %d and %d are both named %q", prev, n, cfg.Node)
		}
		seen[cfg.Node] = n
		cfg.URL = u.String()
		out = append(out, cfg)
	}
	return out, nil
}

// splitNodeName splits "name=url"; a "=" after the scheme belongs to the URL.
func splitNodeName(entry string) (name, raw string) {
	eq := strings.Index(entry, "=")
	scheme := strings.Index(entry, "://")
	if eq < 0 || (scheme >= 0 && eq > scheme) {
		return "", entry
	}
	return strings.TrimSpace(entry[:eq]), strings.TrimSpace(entry[eq+1:])
}

func redactList(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		parts[i] = redactURL(p)
	}
	return strings.Join(parts, ",")
}

// Nodes holds one Client per Asterisk node, e.g. from ParseNodes.
type Nodes struct {
	clients []*Client
	byName  map[string]*Client
}

// NewNodes makes a client for every config; node names must be unique.
func NewNodes(cfgs []Config) (*Nodes, error) {
	if len(cfgs) == 0 {
		return nil, fmt.Errorf("ari: no Asterisk node configured")
	}
	n := &Nodes{byName: map[string]*Client{}}
	for i, cfg := range cfgs {
		c, err := NewClient(cfg)
		if err != nil {
			return nil, fmt.Errorf("ari: node %d: %w", i+1, err)
		}
		if _, dup := n.byName[c.Node()]; dup {
			return nil, fmt.Errorf("ari: node name %q used twice", c.Node())
		}
		n.byName[c.Node()] = c
		n.clients = append(n.clients, c)
	}
	return n, nil
}

// Get returns the client of the named node.
func (n *Nodes) Get(node string) (*Client, bool) {
	c, ok := n.byName[node]
	return c, ok
}

// All returns the clients in configuration order.
func (n *Nodes) All() []*Client { return append([]*Client(nil), n.clients...) }

// Run runs every node's event socket (Client.Run) until ctx is done.
// handle is called from one goroutine per node, so concurrently for
// different nodes; Message.Node tells them apart.
func (n *Nodes) Run(ctx context.Context, handle func(Message)) error {
	var wg sync.WaitGroup
	errs := make([]error, len(n.clients))
	for i, c := range n.clients {
		wg.Go(func() { errs[i] = c.Run(ctx, handle) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Connected reports whether every node's event socket is open.
func (n *Nodes) Connected() bool {
	for _, c := range n.clients {
		if !c.Connected() {
			return false
		}
	}
	return true
}

// Stats returns each node's counters by node name.
func (n *Nodes) Stats() map[string]Stats {
	out := make(map[string]Stats, len(n.clients))
	for _, c := range n.clients {
		out[c.Node()] = c.Stats()
	}
	return out
}
