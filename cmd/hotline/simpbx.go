package main

// The ARI nodes Hotline watches: the configured Asterisk, or the built-in
// simulated PBX with demo traffic and demo customers.

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// ariNodes returns the configured Asterisk nodes or, when none is
// configured, starts the simulated PBX with demo traffic and returns it.
func ariNodes(ctx context.Context, cfg Config, log *slog.Logger, st *postgres.Services, svc *services) ([]ari.Config, error) {
	if cfg.ARIURL != "" {
		cfgs, err := ari.ParseNodes(cfg.ARIURL, cfg.ARIUser, cfg.ARIPassword, cfg.ARIApp)
		if err != nil {
			return nil, fmt.Errorf("invalid HOTLINE_ARI_URL: %w", err)
		}
		return cfgs, nil
	}
	endpoints, err := st.Users.ListAgentEndpoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("simulated PBX: %w", err)
	}
	agents := slices.Sorted(maps.Keys(endpoints))
	var resources []string
	for _, e := range agents {
		if r, ok := strings.CutPrefix(e, "PJSIP/"); ok {
			resources = append(resources, r)
		}
	}
	customers, names := demoCallers(ctx, st)
	sim := aritest.New(aritest.Options{
		ChannelVarsLinkedID: true, Agents: resources, Speed: 1, DialContext: cfg.Dialplan.DialContext,
		Callees: demoCallee,
		Logger:  log.With("component", "simulated-pbx"),
	})
	svc.closers = append(svc.closers, sim.Close)
	log.Warn("no HOTLINE_ARI_URL: running against the built-in simulated PBX with demo traffic",
		"url", sim.URL(), "agents", resources)
	svc.components = append(svc.components, component{Name: "simulated PBX traffic", Run: func(ctx context.Context) error {
		err := sim.RunDemo(ctx, aritest.DemoOptions{Agents: agents, Customers: customers, Names: names, CallsPerMinute: 6,
			AgentsNow: func(ctx context.Context) ([]string, error) { // agents added on the admin pages get calls too
				endpoints, err := st.Users.ListAgentEndpoints(ctx)
				return slices.Sorted(maps.Keys(endpoints)), err
			}})
		if ctx.Err() != nil {
			return nil
		}
		return err
	}})
	return []ari.Config{{Node: simulatedNode, URL: sim.URL(), User: "hotline", Password: "hotline-secret", App: cfg.ARIApp}}, nil
}

// demoAnswers are what demo customers press when a campaign's survey
// calls them: scores for the first questions, then the end.
var demoAnswers = []string{"55", "45", "54", "44", "35", "5", "53", "25"}

// demoCallee is the phone of a demo customer called through the pstn
// trunk (a campaign, click-to-call): it answers after 3 s and, ten
// seconds in (after the survey's greeting), presses scores that depend on
// the number; one number in eight is busy and one never answers.
func demoCallee(number string) aritest.Phone {
	h := fnv.New32a()
	h.Write([]byte(number))
	n := int(h.Sum32() % 8)
	switch n {
	case 0:
		return aritest.Phone{Busy: true}
	case 1:
		return aritest.Phone{NeverAnswer: true}
	}
	return aritest.Phone{AnswerAfter: 3 * time.Second, Digits: demoAnswers[n], DigitsAfter: 10 * time.Second, HangupAfter: time.Minute}
}

// demoCallers picks the numbers the simulated customers call from: the
// first clients' phones (so pops find them) plus one unknown number.
func demoCallers(ctx context.Context, st *postgres.Services) (numbers, names []string) {
	page, err := st.Clients.ListClients(ctx, crm.ClientFilter{Limit: 40})
	if err == nil {
		for _, c := range page.Items {
			for _, ct := range c.Contacts {
				if ct.Kind == crm.ContactPhone {
					numbers = append(numbers, ct.Value)
					names = append(names, c.Name)
					break
				}
			}
		}
	}
	numbers = append(numbers, "+74951234567", "+74997000000")
	names = append(names, "Ivan Petrov", "")
	return numbers, names
}
