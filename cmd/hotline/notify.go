package main

import (
	"context"
	"log/slog"
	"net/url"
	"os"

	"hotline/crm/httpapi"
	"hotline/crm/notify"
	"hotline/crm/postgres"
	"hotline/crm/service"
	"hotline/crm/sms"
	"hotline/crm/smtp"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/metrics"
)

// notifyParts is what tells people: the bell the pages ring.
type notifyParts struct {
	bell *notify.Bell
}

// startNotify starts the escalation timers (counting breaches in m), the
// outbox dispatcher (e-mail through HOTLINE_SMTP_URL, SMS through
// HOTLINE_SMS_URL; without them messages wait in the outbox) and the
// listener that rings bells on this replica for notices from any replica
// and wakes them (and callsWritten) for work from any replica.
func startNotify(ctx context.Context, cfg Config, log *slog.Logger, st *postgres.Services, svc *services,
	m *metrics.Metrics, cat *i18n.Catalogue, callsWritten func()) (*notifyParts, error) {
	dispatcher, err := outboxDispatcher(cfg, log, st.Notify, cat)
	if err != nil {
		return nil, err
	}

	classes, err := st.Priority.List(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(classes))
	for _, c := range classes {
		codes = append(codes, c.Code)
	}
	var breaches service.BreachCounter
	if m != nil {
		m.InitSLABreaches(codes)
		breaches = m
	}
	host, _ := os.Hostname()
	esc := service.NewEscalator(service.EscalatorOptions{Store: st.Tickets, Next: st.Tickets, Callbacks: st.Tickets, Worker: host,
		Breaches: breaches, Logger: log.With("component", "escalation")})

	bell := notify.NewBell()
	svc.components = append(svc.components,
		component{Name: "escalation timers", Run: esc.Run},
		component{Name: "outbox", Run: dispatcher.Run},
		component{Name: "notification listener", Run: func(ctx context.Context) error {
			return st.Notify.ListenAll(ctx, bell.Wake, workWaker(esc, dispatcher, callsWritten))
		}},
	)
	return &notifyParts{bell: bell}, nil
}

// workWaker wakes the escalator, the dispatcher and the orphan adoption
// (callsWritten) for the work announced
// on postgres.WorkChannel by any replica ("": anything may have changed).
func workWaker(esc *service.Escalator, d *notify.Dispatcher, callsWritten func()) func(kind string) {
	return func(kind string) {
		switch kind {
		case postgres.WorkTimers:
			esc.TimersChanged()
		case postgres.WorkCalls:
			esc.CallsChanged()
			callsWritten()
		case postgres.WorkOutbox:
			d.Wake()
		case "":
			esc.TimersChanged()
			esc.CallsChanged()
			callsWritten()
			d.Wake()
		}
	}
}

// outboxDispatcher delivers the outbox: e-mail through HOTLINE_SMTP_URL
// and SMS through HOTLINE_SMS_URL (without them messages wait), worded by
// admins' templates or the catalogue, with links to HOTLINE_PUBLIC_URL.
func outboxDispatcher(cfg Config, log *slog.Logger, outbox interface {
	notify.Service
	notify.OutboxDue
}, cat *i18n.Catalogue) (*notify.Dispatcher, error) {
	n := cfg.Notify
	public := n.PublicURL
	if public == "" {
		public = "http://" + cfg.HTTPAddr
	}
	o := notify.DispatcherOptions{Outbox: outbox, Due: outbox, Templates: notify.CatalogueWording(cat, outbox), StatusText: notify.StatusText(cat),
		PublicURL: public, Logger: log.With("component", "outbox")}
	if u, err := url.Parse(public); err == nil {
		o.MessageDomain = u.Hostname()
	}
	if n.SMTPURL != "" {
		mailer, err := smtp.New(smtp.Options{URL: n.SMTPURL, From: n.MailFrom})
		if err != nil {
			return nil, err // checked with the settings
		}
		o.Mailer = mailer
		log.Info("e-mail goes out through the mail server", "server", mailer.Addr()) // never the URL: it holds the password
	} else {
		log.Info("HOTLINE_SMTP_URL is not set: e-mails wait in the outbox until it is")
	}
	if n.SMSURL != "" {
		g, err := sms.New(sms.Options{URL: n.SMSURL, Method: n.SMSMethod})
		if err != nil {
			return nil, err
		}
		o.SMS = g
	}
	return notify.NewDispatcher(o), nil
}

// mountNotify adds the notification operations, the bell's socket and
// the notification pages.
func mountNotify(api *httpapi.Server, pages *web.Pages, n *notifyParts, st *postgres.Services) {
	httpapi.RegisterNotifications(api, httpapi.NotificationDeps{Notices: st.Notify, Notify: st.Notify})
	httpapi.RegisterBell(api, httpapi.BellDeps{Notices: st.Notify, Bell: n.bell})
	pages.MountNotify(web.NotifyPageDeps{Notices: st.Notify, Notify: st.Notify})
}
