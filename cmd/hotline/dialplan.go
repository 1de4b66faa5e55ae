package main

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"hotline/crm"
	"hotline/deploy"
	"hotline/internal/i18n"
	"hotline/telephony"
)

// DialplanNames are the names in the PBX's dialplan Hotline depends on:
// where click-to-call dials out, and which trunks and contexts calls from
// outside start on. Every PBX names them its own way (deploy/asterisk's
// names are the defaults); calls on other endpoints are still told apart
// by the agent roster (an agent's endpoint is inside, any other outside).
type DialplanNames struct {
	DialContext     string
	Trunks          []string // endpoints, e.g. PJSIP/pstn
	InboundContexts []string
	// OutboundCallerID is the caller id a click-to-call's callee sees; ""
	// is the agent's own (the dialplan's outbound caller id rules).
	OutboundCallerID string
}

// The trunks and inbound contexts of deploy/asterisk and of the callgen trunk.
var (
	defaultTrunks          = []string{"PJSIP/customers", "PJSIP/pstn", "PJSIP/callgen"}
	defaultInboundContexts = []string{"from-trunk", "from-pstn"}
)

// contextNameRe is an Asterisk context name as Hotline accepts it (79
// characters at most: AST_MAX_CONTEXT is 80 with the terminator).
var contextNameRe = regexp.MustCompile(`^[A-Za-z0-9_+.-]{1,79}$`)

// endpointRe is a channel technology and resource: PJSIP/pstn, SIP/carrier.
var endpointRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*/[A-Za-z0-9_.+@-]{1,79}$`)

func checkDialContext(v string, c *Config) error {
	if !contextNameRe.MatchString(v) {
		return fmt.Errorf("%q: want a dialplan context name such as from-internal (letters, digits, '_', '-', '.', '+')", v)
	}
	c.Dialplan.DialContext = v
	return nil
}

// commaList splits a comma-separated setting, dropping empty entries.
func commaList(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func checkTrunks(v string, c *Config) error {
	c.Dialplan.Trunks = nil
	for _, e := range commaList(v) {
		if !strings.Contains(e, "/") {
			e = "PJSIP/" + e
		}
		if !endpointRe.MatchString(e) {
			return fmt.Errorf("%q: want endpoints such as PJSIP/pstn or carrier, separated by commas", e)
		}
		c.Dialplan.Trunks = append(c.Dialplan.Trunks, e)
	}
	return nil
}

func checkInboundContexts(v string, c *Config) error {
	c.Dialplan.InboundContexts = nil
	for _, e := range commaList(v) {
		if !contextNameRe.MatchString(e) {
			return fmt.Errorf("%q: want dialplan context names such as from-pstn, separated by commas", e)
		}
		c.Dialplan.InboundContexts = append(c.Dialplan.InboundContexts, e)
	}
	return nil
}

// callerIDRe is "Name" <number> or a bare number.
var callerIDRe = regexp.MustCompile(`^(?:"([^"<>]{0,64})"\s*)?<?(\+?[0-9]{2,20})>?$`)

func checkOutboundCallerID(v string, c *Config) error {
	if v == "" {
		return nil
	}
	if !callerIDRe.MatchString(v) {
		return fmt.Errorf(`%q: want "Name" <+74950000000> or a number`, v)
	}
	c.Dialplan.OutboundCallerID = v
	return nil
}

// directionRules are the tracker's rules from the dialplan names.
func (d DialplanNames) directionRules() telephony.DirectionRules {
	return telephony.DirectionRules{InboundContexts: d.InboundContexts, TrunkEndpoints: d.Trunks}
}

// dialplanProblems checks the dialplan names Hotline is configured with
// against an Asterisk configuration: the dial context exists and dials an
// E.164 number of the phone region, and the trunks of pjsip.conf and their
// contexts are among HOTLINE_TRUNKS and HOTLINE_INBOUND_CONTEXTS. Each
// finding suggests the values to set.
func dialplanProblems(fsys fs.FS, cfg Config) ([]deploy.Problem, error) {
	d := cfg.Dialplan
	if d.DialContext == "" {
		d.DialContext = telephony.DefaultDialContext
	}
	out, err := deploy.CheckDialContext(fsys, deploy.DialContextOptions{Context: d.DialContext, Number: sampleNumber(cfg.PhoneRegion)})
	if err != nil {
		return nil, err
	}
	t, err := deploy.FindTrunks(fsys)
	if err != nil {
		return nil, err
	}
	missing := func(have, found []string) []string {
		var m []string
		for _, f := range found {
			if !slices.Contains(have, f) {
				m = append(m, f)
			}
		}
		return m
	}
	if m := missing(d.Trunks, t.Endpoints); len(m) > 0 {
		out = append(out, deploy.Problem{File: "pjsip.conf", Severity: deploy.Warning, Message: fmt.Sprintf(
			"trunks %s are not in HOTLINE_TRUNKS: calls from them are told inbound only by the agent roster; set HOTLINE_TRUNKS=%s",
			strings.Join(m, ", "), strings.Join(t.Endpoints, ","))})
	}
	if m := missing(d.InboundContexts, t.Contexts); len(m) > 0 {
		out = append(out, deploy.Problem{File: "pjsip.conf", Severity: deploy.Warning, Message: fmt.Sprintf(
			"the trunks' contexts %s are not in HOTLINE_INBOUND_CONTEXTS; set HOTLINE_INBOUND_CONTEXTS=%s",
			strings.Join(m, ", "), strings.Join(t.Contexts, ","))})
	}
	return out, nil
}

// sampleNumber is an E.164 number of region, as click-to-call dials it.
func sampleNumber(region string) string {
	if region == "" {
		region = "RU"
	}
	if n := phonenumbers.GetExampleNumberForType(region, phonenumbers.FIXED_LINE); n != nil {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	return "+74957654321"
}

// clickToCallDisplay is the text the agent's phone shows while a
// click-to-call rings it ("Звонок +7 495 765-43-21"), in the centre's
// language.
func clickToCallDisplay(cat *i18n.Catalogue) func(number string) string {
	return func(number string) string {
		l := cat.For(cat.Default())
		return l.T("c2c.display", map[string]any{"Number": l.Phone(number)})
	}
}

// agentLanguage reads the users' language of agents.
type agentLanguage interface {
	GetUserByLogin(ctx context.Context, login string) (crm.User, string, error)
}

// clickToCallFailureText is what the console tells an agent whose
// click-to-call failed, in the agent's language (the centre's when the
// agent chose none).
func clickToCallFailureText(cat *i18n.Catalogue, users agentLanguage) func(ctx context.Context, agent, failure, number string) string {
	return func(ctx context.Context, agent, failure, number string) string {
		lang := cat.Default()
		if u, _, err := users.GetUserByLogin(ctx, agent); err == nil {
			if ul, err := i18n.ParseLang(u.Language); err == nil {
				lang = ul
			}
		}
		l := cat.For(lang)
		if number != "" {
			number = l.Phone(number)
		}
		return l.T("c2c.failure."+failure, map[string]any{"Number": number})
	}
}
