package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nyaruka/phonenumbers"
	"github.com/redis/go-redis/v9"

	"hotline/crm/httpapi"
	"hotline/internal/i18n"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/screenpop"
	"hotline/telephony/voice"
)

// Config is everything `hotline` reads from the environment and flags.
type Config struct {
	DatabaseURL  string
	HTTPAddr     string
	RedisURL     string
	ARIURL       string
	ARIUser      string
	ARIPassword  string
	ARIApp       string
	PhoneRegion  string
	LogLevel     slog.Level
	CookieSecure bool
	Notify       NotifyConfig // outbound e-mail and SMS
	SpoolDir     string
	SIPProbes    map[string]string // name -> SIP URI of phones and trunks to check with OPTIONS
	MetricsToken string            // bearer token /metrics requires; "" leaves it open
	Dialplan     DialplanNames     // the PBX's dialplan names Hotline depends on
	MetricsAddr  string            // the listener of /metrics, apart from HTTPAddr
	Language     i18n.Lang         // the centre's language: pages for users who chose none, e-mails, prompts
	TimeZone     *time.Location    // the centre's zone: every time people read, every "today"
	BaseCurrency string            // ISO 4217 code the sales chart converts amounts to
	WrapUp       time.Duration     // wrap-up after an answered call ends by itself after this long
	TTSCommand   *voice.Command    // the speech synthesizer prompts are made with
	MediaBaseURL string            // how Asterisk reaches Hotline's prompt audio; "" = http://HOTLINE_HTTP_ADDR
	TimerSlack   time.Duration     // how late the kernel may wake serve's threads (0: the host's); see timerslack.go
	SpoolSync    time.Duration     // the most a call update waits to be durable (in PostgreSQL, else fsynced); 0: defaultSpoolSync
	SpoolSyncAll bool              // HOTLINE_SPOOL_SYNC=0: fsync every call update

	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// setting is one configuration value: its variable, flag, default and check.
type setting struct {
	env, flag, def, usage string
	secret                bool
	check                 func(v string, c *Config) error // parses v into c
}

var appNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// settings lists every configuration value; README's table follows it.
func settings() []setting {
	return []setting{
		{env: "HOTLINE_DATABASE_URL", flag: "database-url", def: "postgres://postgres@127.0.0.1:5432/hotline?sslmode=disable",
			usage: "PostgreSQL URL", secret: true, check: checkDatabaseURL},
		{env: "HOTLINE_HTTP_ADDR", flag: "http-addr", def: "127.0.0.1:8080", usage: "HTTP listen address host:port", check: checkHTTPAddr},
		{env: "HOTLINE_REDIS_URL", flag: "redis-url", usage: "Redis URL (empty: single node, in-process fan-out)", secret: true, check: checkRedisURL},
		{env: "HOTLINE_ARI_URL", flag: "ari-url", usage: "Asterisk ARI base URL, e.g. http://127.0.0.1:8088 (empty: no PBX)", check: checkARIURL},
		{env: "HOTLINE_ARI_USER", flag: "ari-user", usage: "ARI user", check: func(v string, c *Config) error { c.ARIUser = v; return nil }},
		{env: "HOTLINE_ARI_PASSWORD", flag: "ari-password", usage: "ARI password", secret: true,
			check: func(v string, c *Config) error { c.ARIPassword = v; return nil }},
		{env: "HOTLINE_ARI_APP", flag: "ari-app", def: "hotline", usage: "ARI (Stasis) application name", check: checkARIApp},
		{env: "HOTLINE_PHONE_REGION", flag: "phone-region", def: "RU", usage: "default region for numbers without a country code", check: checkRegion},
		{env: "HOTLINE_LOG_LEVEL", flag: "log-level", def: "info", usage: "debug, info, warn or error", check: checkLogLevel},
		{env: "HOTLINE_COOKIE_SECURE", flag: "cookie-secure", def: "false", usage: "mark the session cookie Secure (set true behind HTTPS)", check: checkCookieSecure},
		{env: "HOTLINE_PUBLIC_URL", flag: "public-url", usage: "the address people open Hotline at, for links in e-mails and SMS, e.g. https://desk.example.ru (empty: http://HOTLINE_HTTP_ADDR)", check: checkPublicURL},
		{env: "HOTLINE_SMTP_URL", flag: "smtp-url", usage: "mail server for outbound e-mail: smtp://user:pass@host:587 (STARTTLS when offered), smtp://host:25 (plain relay), smtps://user:pass@host:465 (empty: e-mails wait in the outbox)",
			secret: true, check: checkSMTPURL},
		{env: "HOTLINE_MAIL_FROM", flag: "mail-from", usage: "sender of outbound e-mail, e.g. \"Support <desk@example.ru>\" (required with HOTLINE_SMTP_URL)", check: checkMailFrom},
		{env: "HOTLINE_SMS_URL", flag: "sms-url", usage: "SMS gateway URL template with {number} and {text}, e.g. https://sms.example.ru/send?key=K&to={number}&text={text} (empty: no SMS)",
			secret: true, check: checkSMSURL},
		{env: "HOTLINE_SMS_METHOD", flag: "sms-method", def: "GET", usage: "GET, or POST to send the template's query as a form", check: checkSMSMethod},
		{env: "HOTLINE_SIP_PROBES", flag: "sip-probes", usage: "phones and trunks to check with SIP OPTIONS every 30 s, name=sip:uri,... (empty: none)", check: checkSIPProbes},
		{env: "HOTLINE_METRICS_ADDR", flag: "metrics-addr", def: "127.0.0.1:9464",
			usage: "listen address host:port of /metrics, apart from the HTTP address (not loopback: HOTLINE_METRICS_TOKEN required)", check: checkMetricsAddr},
		{env: "HOTLINE_METRICS_TOKEN", flag: "metrics-token", usage: "bearer token Prometheus must send to /metrics (empty: open, allowed only on a loopback HOTLINE_METRICS_ADDR)",
			secret: true, check: checkMetricsToken},
		{env: "HOTLINE_TRUSTED_PROXIES", flag: "trusted-proxies", usage: "reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For gives the client address (empty: none)",
			check: checkTrustedProxies},
		{env: "HOTLINE_LANGUAGE", flag: "language", def: "ru", usage: "the centre's language (ru or en) for users who chose none, e-mails and prompts", check: checkLanguage},
		{env: "HOTLINE_TIME_ZONE", flag: "time-zone", def: i18n.DefaultZone, usage: "the centre's IANA time zone: times people read and every day, week and month of reports", check: checkTimeZone},
		{env: "HOTLINE_BASE_CURRENCY", flag: "base-currency", def: "RUB", usage: "the centre's ISO 4217 currency: the sales chart converts every amount to it with the rates on /admin/rates", check: checkBaseCurrency},
		{env: "HOTLINE_DIAL_CONTEXT", flag: "dial-context", def: telephony.DefaultDialContext,
			usage: "dialplan context where click-to-call and survey campaigns dial out (the context of the agents' phones)", check: checkDialContext},
		{env: "HOTLINE_TRUNKS", flag: "trunks", def: strings.Join(defaultTrunks, ","),
			usage: "trunk endpoints, comma-separated (PJSIP/carrier or carrier): a call that starts there is inbound", check: checkTrunks},
		{env: "HOTLINE_INBOUND_CONTEXTS", flag: "inbound-contexts", def: strings.Join(defaultInboundContexts, ","),
			usage: "dialplan contexts of calls from outside, comma-separated: a call that starts there is inbound", check: checkInboundContexts},
		{env: "HOTLINE_OUTBOUND_CALLER_ID", flag: "outbound-caller-id",
			usage: `caller id the callee of a click-to-call sees, "Name" <+74950000000> (empty: the agent's own, from the dialplan)`, check: checkOutboundCallerID},
		{env: "HOTLINE_WRAPUP_SECONDS", flag: "wrapup-seconds", def: "60", usage: "seconds of wrap-up after an answered call before the agent is available again (1-3600; the agent may end it sooner)", check: checkWrapUp},
		{env: "HOTLINE_TTS_COMMAND", flag: "tts-command", def: voice.DefaultCommand,
			usage: "speech synthesizer for prompts, run without a shell: {text} or {textfile}, {voice} (ru, en) and the WAV file {out}", check: checkTTSCommand},
		{env: "HOTLINE_MEDIA_BASE_URL", flag: "media-base-url", usage: "base URL Asterisk fetches prompt audio from, e.g. http://10.0.0.2:8080 (empty: http://HOTLINE_HTTP_ADDR)", check: checkMediaBaseURL},
		{env: "HOTLINE_SPOOL_DIR", flag: "spool-dir", def: "var/spool", usage: "directory of the durable spool for call events and survey writes while PostgreSQL is down",
			check: func(v string, c *Config) error { c.SpoolDir = v; return nil }},
		{env: "HOTLINE_SPOOL_SYNC", flag: "spool-sync", def: defaultSpoolSync.String(),
			usage: "the most a call update waits to be durable: written to PostgreSQL by then, or else fsynced in the spool (0: fsync every update)", check: checkSpoolSync},
		{env: "HOTLINE_TIMER_SLACK", flag: "timer-slack", def: defaultTimerSlack.String(),
			usage: "how late the kernel may wake serve's threads, to wake them together (Linux; 0: the host's, e.g. systemd's TimerSlackNSec)", check: checkTimerSlack},
	}
}

// configFlags registers every setting on fs. The returned function, called
// after fs.Parse, applies flags over environment over defaults and checks
// each value; its error is one line naming the variable (or flag).
// Flags are registered without defaults so that --help and a mistyped flag
// never print a value taken from the environment: the usage line shows the
// built-in default (URLs with their password redacted) and, for a secret,
// only whether it is set.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	list := settings()
	values := make([]*string, len(list))
	for i, s := range list {
		values[i] = fs.String(s.flag, "", s.usage+" [$"+s.env+"]"+shownDefault(s, getenv))
	}
	return func() (Config, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		var c Config
		for i, s := range list {
			v := s.def
			if e, ok := lookup(getenv, s.env); ok {
				v = e
			}
			if set[s.flag] {
				v = *values[i]
			}
			if err := s.check(strings.TrimSpace(v), &c); err != nil {
				name := s.env
				if set[s.flag] {
					name = "--" + s.flag
				}
				return Config{}, fmt.Errorf("invalid %s: %v", name, err)
			}
		}
		if err := c.Notify.check(); err != nil {
			return Config{}, err
		}
		if c.ARIURL != "" && c.ARIUser == "" {
			return Config{}, fmt.Errorf("invalid HOTLINE_ARI_USER: required when HOTLINE_ARI_URL is set")
		}
		if c.MetricsToken == "" && !loopback(c.MetricsAddr) {
			return Config{}, fmt.Errorf("invalid HOTLINE_METRICS_ADDR: %q is reachable from other hosts and /metrics names every agent: "+
				"set HOTLINE_METRICS_TOKEN (openssl rand -hex 32) for Prometheus, or listen on 127.0.0.1", c.MetricsAddr)
		}
		return c, nil
	}
}

// shownDefault is the "(default ...)" note of a setting's usage line: the
// built-in default with any URL password redacted, and for a secret set in
// the environment only "(set)", never its value.
func shownDefault(s setting, getenv func(string) string) string {
	_, inEnv := lookup(getenv, s.env)
	switch {
	case s.secret && inEnv:
		return " (set in the environment)"
	case s.def == "":
		return ""
	case s.secret:
		return fmt.Sprintf(" (default %q)", redactPassword(s.def))
	}
	return fmt.Sprintf(" (default %q)", s.def)
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

func checkDatabaseURL(v string, c *Config) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return fmt.Errorf("want a URL such as postgres://user@host:5432/hotline?sslmode=disable")
	}
	if _, err := pgxpool.ParseConfig(v); err != nil {
		return fmt.Errorf("not a valid PostgreSQL URL (check its parameters)")
	}
	c.DatabaseURL = v
	return nil
}

func checkHTTPAddr(v string, c *Config) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q: want host:port such as 127.0.0.1:8080", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port must be a number 0-65535", v)
	}
	c.HTTPAddr = v
	return nil
}

// checkMetricsAddr accepts host:port like HOTLINE_HTTP_ADDR; it must
// differ from it (/metrics is never served to agents' browsers).
func checkMetricsAddr(v string, c *Config) error {
	var tmp Config
	if err := checkHTTPAddr(v, &tmp); err != nil {
		return err
	}
	if v == c.HTTPAddr && !strings.HasSuffix(v, ":0") {
		return fmt.Errorf("%q is HOTLINE_HTTP_ADDR too: /metrics needs a listener of its own", v)
	}
	c.MetricsAddr = v
	return nil
}

// loopback reports whether a listen address host:port accepts connections
// from this host only: 127.0.0.0/8, ::1 or localhost. An empty host,
// 0.0.0.0, another address or a host name listens beyond it.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkRedisURL(v string, c *Config) error {
	if v == "" {
		return nil
	}
	if _, err := redis.ParseURL(v); err != nil {
		return fmt.Errorf("want a URL such as redis://127.0.0.1:6379/0")
	}
	c.RedisURL = v
	return nil
}

// checkARIURL accepts one ARI base URL or a comma-separated list of them,
// each optionally named ("pbx1=http://10.0.0.5:8088"); credentials belong
// in HOTLINE_ARI_USER and HOTLINE_ARI_PASSWORD, never in the URL.
func checkARIURL(v string, c *Config) error {
	if v == "" {
		return nil
	}
	var entries []string
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		raw := e
		if name, rest, ok := strings.Cut(e, "="); ok && !strings.Contains(name, "/") {
			if !appNameRe.MatchString(name) {
				return fmt.Errorf("%q: node name %q: want letters, digits, '.', '_' or '-'", redactURL(e), name)
			}
			raw = rest
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return fmt.Errorf("%q: want an http(s) URL without credentials such as http://127.0.0.1:8088 (several: name=url,name=url)", redactURL(raw))
		}
		entries = append(entries, strings.TrimRight(e, "/"))
	}
	if _, err := ari.ParseNodes(strings.Join(entries, ","), "check", "check", "hotline"); err != nil {
		return err
	}
	c.ARIURL = strings.Join(entries, ",")
	return nil
}

// checkSIPProbes parses "name=sip:host:port,..." (a bare URI names itself).
func checkSIPProbes(v string, c *Config) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	c.SIPProbes = map[string]string{}
	for _, entry := range strings.Split(v, ",") {
		entry = strings.TrimSpace(entry)
		name, uri, ok := strings.Cut(entry, "=")
		if !ok {
			name, uri = entry, entry
		}
		if !strings.HasPrefix(uri, "sip:") || len(uri) < 5 || !appNameRe.MatchString(strings.NewReplacer(":", "_", "@", "_").Replace(name)) {
			return fmt.Errorf("%q: want name=sip:host[:port] entries separated by commas", entry)
		}
		c.SIPProbes[name] = uri
	}
	return nil
}

func checkTrustedProxies(v string, c *Config) error {
	p, err := httpapi.ParseTrustedProxies(v)
	if err != nil {
		return err
	}
	c.TrustedProxies = p
	return nil
}

func checkARIApp(v string, c *Config) error {
	if !appNameRe.MatchString(v) {
		return fmt.Errorf("%q: want 1-64 characters of letters, digits, '.', '_' or '-'", v)
	}
	c.ARIApp = v
	return nil
}

func checkRegion(v string, c *Config) error {
	r := strings.ToUpper(v)
	if phonenumbers.GetCountryCodeForRegion(r) == 0 {
		return fmt.Errorf("%q: want a two-letter region such as RU, GB or US", v)
	}
	c.PhoneRegion = r
	return nil
}

func checkLogLevel(v string, c *Config) error {
	if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("%q: want debug, info, warn or error", v)
	}
	return nil
}

func checkWrapUp(v string, c *Config) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || time.Duration(n)*time.Second > screenpop.MaxWrapUp {
		return fmt.Errorf("%q: want whole seconds from 1 to %d", v, int(screenpop.MaxWrapUp/time.Second))
	}
	c.WrapUp = time.Duration(n) * time.Second
	return nil
}

// defaultSpoolSync is HOTLINE_SPOOL_SYNC's default: above the call log's
// write delay (callLogDelay) and its round trip, so that while PostgreSQL
// keeps up the updates are durable there and the spool is never fsynced.
const defaultSpoolSync = 500 * time.Millisecond

func checkSpoolSync(v string, c *Config) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > 10*time.Second {
		return fmt.Errorf("%q: want a duration from 0 (fsync every update) to 10s, such as 500ms", v)
	}
	c.SpoolSync, c.SpoolSyncAll = d, d == 0
	return nil
}

func checkCookieSecure(v string, c *Config) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q: want true or false", v)
	}
	c.CookieSecure = b
	return nil
}

// checkMetricsToken accepts an empty token (no protection) or one of at
// least 16 visible ASCII characters, as it travels in an HTTP header. The
// error never repeats the value.
func checkMetricsToken(v string, c *Config) error {
	if v == "" {
		return nil
	}
	if len(v) < 16 {
		return fmt.Errorf("too short: use at least 16 characters, e.g. openssl rand -hex 32")
	}
	for _, r := range v {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("only visible ASCII characters, no spaces (it is sent as an HTTP header)")
		}
	}
	c.MetricsToken = v
	return nil
}

// checkBaseCurrency takes a current ISO 4217 code such as RUB (any case).
func checkBaseCurrency(v string, c *Config) error {
	code := strings.ToUpper(v)
	if len(code) != 3 {
		return fmt.Errorf("%q: want an ISO 4217 code such as RUB, EUR or KZT", v)
	}
	if !currency.IsValid(code) || code == "XXX" || code == "XTS" {
		return fmt.Errorf("%q: not an ISO 4217 currency code (such as RUB, EUR or KZT)", v)
	}
	c.BaseCurrency = code
	return nil
}

func checkLanguage(v string, c *Config) error {
	l, err := i18n.ParseLang(v)
	if err != nil {
		return fmt.Errorf("%q: want ru or en", v)
	}
	c.Language = l
	return nil
}

// checkTimeZone loads an IANA zone name such as Europe/Moscow; "Local" is
// refused because the centre's days must not depend on the host.
func checkTimeZone(v string, c *Config) error {
	if v == "" || v == "Local" {
		return fmt.Errorf("%q: want an IANA time zone such as Europe/Moscow or Asia/Yekaterinburg", v)
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return fmt.Errorf("%q: unknown time zone; want an IANA name such as Europe/Moscow or Asia/Yekaterinburg", v)
	}
	c.TimeZone = loc
	return nil
}

// redactURL drops any user info from a URL before it is shown.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	return u.String()
}

// redactPassword replaces the password of a URL's user info with "xxxxx",
// keeping the rest for the reader; text that is not a URL with user info is
// returned whole.
func redactPassword(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User == nil {
		return v
	}
	return u.Redacted()
}
