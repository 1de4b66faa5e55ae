package postgres

import (
	"context"
	"time"
)

// RecordLoginFailure counts one failed login against each key (e.g.
// "login:olga" and "ip:10.0.0.7") at at, and drops failures older than
// forgetBefore so that the table stays as small as the window.
func (s *SessionService) RecordLoginFailure(ctx context.Context, keys []string, at, forgetBefore time.Time) error {
	_, err := s.db.pool.Exec(ctx, `WITH gone AS (DELETE FROM login_failures WHERE at < $3)
		INSERT INTO login_failures (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k`, keys, at, forgetBefore)
	return translate(err, "record login failure")
}

// LoginFailures returns how many failed logins each of keys has had since
// since (keys without any are absent).
func (s *SessionService) LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string]int, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT key, count(*) FROM login_failures
		WHERE key = ANY($1) AND at > $2 GROUP BY key`, keys, since)
	if err != nil {
		return nil, translate(err, "count login failures")
	}
	defer rows.Close()
	out := make(map[string]int, len(keys))
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, translate(err, "count login failures")
		}
		out[k] = n
	}
	return out, translate(rows.Err(), "count login failures")
}

// LoginFailureTimes returns when key's failed logins since since happened,
// oldest first (at most the newest 1000).
func (s *SessionService) LoginFailureTimes(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT at FROM (SELECT at FROM login_failures
		WHERE key = $1 AND at > $2 ORDER BY at DESC LIMIT 1000) AS newest ORDER BY at`, key, since)
	if err != nil {
		return nil, translate(err, "list login failures")
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return nil, translate(err, "list login failures")
		}
		out = append(out, at)
	}
	return out, translate(rows.Err(), "list login failures")
}

// ClearLoginFailures forgets a key's failures (after a successful login).
func (s *SessionService) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return translate(err, "clear login failures")
}
