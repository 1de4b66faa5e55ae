// Package lease makes sure one replica at a time does something, such as
// consuming an Asterisk node's ARI event stream: a Lease is a PostgreSQL
// session-level advisory lock held on a dedicated connection. The holder
// runs its work while the lock is held and the connection answers its
// keep-alive pings; when the connection is lost (the holder's network, a
// restart of PostgreSQL, pg_terminate_backend) the work is cancelled at
// once, and when the holder dies PostgreSQL ends its session and frees the
// lock. Standbys retry every few seconds and take over.
package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// Options tune a Lease; zero values take the defaults.
type Options struct {
	// Retry is how often a standby tries to take the lock (default 2s).
	Retry time.Duration
	// KeepAlive is how often the holder pings its connection (default 5s),
	// so that PostgreSQL does not end the session as idle and a silent
	// network is found; a ping that fails or takes longer than KeepAlive
	// loses the lease. Between pings the holder waits on the connection
	// itself: PostgreSQL ending the session (a restart,
	// pg_terminate_backend) is seen at once, without a wake-up while all
	// is well.
	KeepAlive time.Duration
	// Settle is how long a new holder waits after taking the lock before
	// it starts the work (default 1s), so that a previous holder whose
	// session was just ended has noticed and stopped.
	Settle time.Duration
	// IdleSessionTimeout makes PostgreSQL end the lease session when the
	// holder stops pinging, e.g. behind a network partition (default 15s,
	// at least three KeepAlives: the holder has stopped by then).
	IdleSessionTimeout time.Duration
	// Logger receives acquisitions and losses (default: discarded).
	Logger *slog.Logger
}

// Lease is one named lock. Its methods are safe for concurrent use.
type Lease struct {
	cfg  *pgx.ConnConfig
	name string
	opts Options
	log  *slog.Logger
	held atomic.Bool
}

// New returns the lease called name (e.g. "hotline-ari:pbx1") in the
// database dsn. It connects only in Run.
func New(dsn, name string, opts Options) (*Lease, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("lease %s: parse the database URL: %w", name, err)
	}
	if name == "" {
		return nil, errors.New("lease: empty name")
	}
	if opts.Retry <= 0 {
		opts.Retry = 2 * time.Second
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 5 * time.Second
	}
	if opts.Settle <= 0 {
		opts.Settle = time.Second
	}
	if opts.IdleSessionTimeout <= 0 {
		opts.IdleSessionTimeout = 15 * time.Second
	}
	opts.IdleSessionTimeout = max(opts.IdleSessionTimeout, 3*opts.KeepAlive)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Lease{cfg: cfg, name: name, opts: opts, log: log.With("lease", name)}, nil
}

// Held reports whether this process holds the lease and runs its work.
func (l *Lease) Held() bool { return l.held.Load() }

// Run takes the lease whenever it is free and runs work while it is held,
// with a context cancelled as soon as the lease is lost; it then waits for
// work to return and tries again. Run returns nil when ctx is done, or
// work's error if work fails while holding the lease (the lock is
// released first).
func (l *Lease) Run(ctx context.Context, work func(ctx context.Context) error) error {
	for {
		err := l.hold(ctx, work)
		if ctx.Err() != nil {
			return nil
		}
		var werr workError
		if errors.As(err, &werr) {
			return werr.err
		}
		if err != nil {
			l.log.Warn("lease: not held", slog.Any("err", err))
		}
		if !sleep(ctx, l.opts.Retry) {
			return nil
		}
	}
}

// workError marks an error returned by the work itself.
type workError struct{ err error }

func (w workError) Error() string { return w.err.Error() }

// hold connects, waits until it has the lock, and runs work until the
// lease is lost, work returns or ctx is done.
func (l *Lease) hold(ctx context.Context, work func(ctx context.Context) error) error {
	conn, err := l.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for {
		ok, err := l.tryLock(ctx, conn)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if !sleep(ctx, l.opts.Retry) {
			return nil
		}
	}
	l.log.Info("lease: acquired")
	if !l.alive(ctx, conn, l.opts.Settle) {
		return errors.New("connection lost while settling")
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	l.held.Store(true)
	go func() { done <- work(wctx); cancel() }() // ends watch's wait
	lost := l.watch(wctx, conn, done)
	cancel()
	werr := <-done
	l.held.Store(false)
	if lost != nil {
		l.log.Warn("lease: lost, work stopped", slog.Any("err", lost))
		return lost
	}
	ucx, ucancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer ucancel()
	if _, err := conn.Exec(ucx, "SELECT pg_advisory_unlock(hashtext($1))", l.name); err != nil {
		l.log.Warn("lease: release", slog.Any("err", err))
	}
	l.log.Info("lease: released")
	if werr != nil && ctx.Err() == nil {
		return workError{err: werr}
	}
	return nil
}

// connect opens the dedicated session and makes PostgreSQL end it when
// the holder goes quiet.
func (l *Lease) connect(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg := l.cfg.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "hotline-lease"
	// A context that ends a wait on the connection (watch) sets a deadline
	// on the socket rather than asking PostgreSQL to cancel a query: the
	// wait has none.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	ms := l.opts.IdleSessionTimeout.Milliseconds()
	if _, err := conn.Exec(cctx, fmt.Sprintf("SET idle_session_timeout = %d", ms)); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("set idle_session_timeout: %w", err)
	}
	return conn, nil
}

func (l *Lease) tryLock(ctx context.Context, conn *pgx.Conn) (bool, error) {
	qctx, cancel := context.WithTimeout(ctx, 2*l.opts.KeepAlive+time.Second)
	defer cancel()
	var ok bool
	if err := conn.QueryRow(qctx, "SELECT pg_try_advisory_lock(hashtext($1))", l.name).Scan(&ok); err != nil {
		return false, fmt.Errorf("try the lock: %w", err)
	}
	return ok, nil
}

// alive pings conn every KeepAlive for d; false when a ping fails.
func (l *Lease) alive(ctx context.Context, conn *pgx.Conn, d time.Duration) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if !sleep(ctx, min(l.opts.KeepAlive, time.Until(end))) {
			return true // ctx done: the caller sees it
		}
		if l.ping(ctx, conn) != nil {
			return false
		}
	}
	return true
}

// watch waits on the connection until work returns or ctx is done (nil),
// or the connection fails (the error: the lease is lost), pinging it every
// KeepAlive. While it waits, the connection's socket is read: PostgreSQL
// ending the session is seen at once.
func (l *Lease) watch(ctx context.Context, conn *pgx.Conn, done chan error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-done:
			done <- err // hand it back to hold
			return nil
		default:
		}
		wctx, cancel := context.WithTimeout(ctx, l.opts.KeepAlive)
		err := conn.PgConn().WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && wctx.Err() == nil, err != nil && !pgconn.Timeout(err):
			return fmt.Errorf("lease session: %w", err)
		}
		if err := l.ping(ctx, conn); err != nil && ctx.Err() == nil {
			return err
		}
	}
}

func (l *Lease) ping(ctx context.Context, conn *pgx.Conn) error {
	pctx, cancel := context.WithTimeout(ctx, l.opts.KeepAlive)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		return fmt.Errorf("keep-alive: %w", err)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
