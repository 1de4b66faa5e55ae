package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/notify"
)

// NotificationTemplate returns an admin's wording of a template in a
// language; ok is false when they kept the catalogue's.
func (s *NotifyService) NotificationTemplate(ctx context.Context, key, lang string) (t notify.Template, ok bool, err error) {
	err = s.db.pool.QueryRow(ctx, `SELECT key, lang, subject, body, updated_at FROM notification_templates
		WHERE key = $1 AND lang = $2`, key, lang).Scan(&t.Key, &t.Lang, &t.Subject, &t.Body, &t.UpdatedAt)
	if err == pgx.ErrNoRows {
		return notify.Template{}, false, nil
	}
	if err != nil {
		return notify.Template{}, false, translate(err, "notification template")
	}
	t.Custom = true
	return t, true, nil
}

// NotificationTemplates returns every template admins changed.
func (s *NotifyService) NotificationTemplates(ctx context.Context) ([]notify.Template, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT key, lang, subject, body, updated_at FROM notification_templates ORDER BY key, lang`)
	if err != nil {
		return nil, translate(err, "notification templates")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Template, error) {
		t := notify.Template{Custom: true}
		err := r.Scan(&t.Key, &t.Lang, &t.Subject, &t.Body, &t.UpdatedAt)
		return t, err
	})
}

// SaveNotificationTemplate stores an admin's wording (checked first).
func (s *NotifyService) SaveNotificationTemplate(ctx context.Context, t notify.Template, by *int64) error {
	if err := t.Validate(); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO notification_templates (key, lang, subject, body, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key, lang) DO UPDATE
		SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
		t.Key, t.Lang, t.Subject, t.Body, s.db.now(), by)
	return translate(err, "save notification template")
}

// ResetNotificationTemplate goes back to the catalogue's wording.
func (s *NotifyService) ResetNotificationTemplate(ctx context.Context, key, lang string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM notification_templates WHERE key = $1 AND lang = $2`, key, lang)
	return translate(err, "reset notification template")
}

// ClientNotify returns how a client wants to hear about their requests.
func (s *NotifyService) ClientNotify(ctx context.Context, clientID int64) (notify.Preference, error) {
	var p notify.Preference
	err := s.db.pool.QueryRow(ctx, `SELECT notify FROM clients WHERE id = $1`, clientID).Scan(&p)
	return p, translate(err, "client notify")
}

// SetClientNotify records how a client wants to hear about their requests
// (notify.PreferNone opts out).
func (s *NotifyService) SetClientNotify(ctx context.Context, clientID int64, p notify.Preference) error {
	if !p.Valid() {
		return crm.Invalid("notify", "must be one of auto, email, sms, none")
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE clients SET notify = $2, updated_at = now() WHERE id = $1`, clientID, p)
	if err != nil {
		return translate(err, "set client notify")
	}
	if tag.RowsAffected() == 0 {
		return crm.Errorf(crm.KindNotFound, "no client %d", clientID)
	}
	return nil
}
