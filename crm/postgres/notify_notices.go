package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"hotline/crm/notify"
)

// Staff's in-app notices (ticket_notifications): listed unread first,
// counted for the bell, marked read up to an id. Reading wakes the user's
// other bells through NotifyChannel, as a new notice does.

// Notifications returns a user's newest notifications, unread first.
func (s *NotifyService) Notifications(ctx context.Context, userID int64, limit int) ([]notify.Notification, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT n.id, n.user_id, n.ticket_id, n.kind, n.args, n.body, n.at, n.read_at, t.subject
		FROM ticket_notifications n JOIN tickets t ON t.id = n.ticket_id
		WHERE n.user_id = $1 ORDER BY n.read_at IS NOT NULL, n.at DESC, n.id DESC LIMIT $2`, userID, clampLimit(limit))
	if err != nil {
		return nil, translate(err, "notifications")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Notification, error) {
		var n notify.Notification
		err := r.Scan(&n.ID, &n.UserID, &n.TicketID, &n.Kind, &n.Args, &n.Body, &n.At, &n.ReadAt, &n.Subject)
		return n, err
	})
}

// UnreadNotifications counts a user's unread notifications.
func (s *NotifyService) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM ticket_notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, translate(err, "unread notifications")
}

// MarkNotificationsRead marks the user's notifications up to id as read
// and returns how many changed.
func (s *NotifyService) MarkNotificationsRead(ctx context.Context, userID, upTo int64) (int, error) {
	n := 0
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE ticket_notifications SET read_at = $3
			WHERE user_id = $1 AND id <= $2 AND read_at IS NULL`, userID, upTo, s.db.now())
		if err != nil {
			return translate(err, "mark notifications read")
		}
		if n = int(tag.RowsAffected()); n > 0 { // the user's other bells re-count
			_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, strconv.FormatInt(userID, 10))
		}
		return translate(err, "wake bell")
	})
	return n, err
}

var (
	_ notify.Service = (*NotifyService)(nil)
	_ notify.Notices = (*NotifyService)(nil)
)
