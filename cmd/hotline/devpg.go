package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// `serve --demo` (what `make run` runs) on a machine where PostgreSQL is
// installed but no server is running starts a private cluster for the demo
// under var/pg (beside the spool), on a free loopback port, and stops it when
// serve returns: on Ctrl+C, SIGTERM or a start-up error. It is done here
// rather than in a script the Makefile calls so that one process owns the
// cluster's whole life (the same shutdown path as every other component),
// the database URL is read by the same code that uses it, and the test runs
// it in-process. Only --demo does it, and only for a loopback URL: a
// production server never starts a database of its own.

// findPG finds PostgreSQL's programs (a variable for the test of a machine
// without them).
var findPG = pgPrograms

// pgPrograms finds initdb and pg_ctl: on PATH, else the newest of Debian's
// /usr/lib/postgresql/<version>/bin.
func pgPrograms() (initdb, pgctl string, ok bool) {
	if i, err := exec.LookPath("initdb"); err == nil {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return i, p, true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isFile(i) && isFile(p) {
			return i, p, true
		}
	}
	return "", "", false
}

// pgVersion is the major version in a /usr/lib/postgresql/<v>/bin path.
func pgVersion(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// privatePostgres starts the demo's private cluster when nothing listens at
// cfg.DatabaseURL's loopback address, and points cfg.DatabaseURL at it. stop
// is never nil; call it when serve is done.
func privatePostgres(ctx context.Context, cfg *Config, log *slog.Logger) (stop func(), err error) {
	stop = func() {}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil || !isLoopback(u.Hostname()) {
		return stop, nil // checked by config; a remote server is not ours to replace
	}
	addr := net.JoinHostPort(u.Hostname(), cmpOr(u.Port(), "5432"))
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		return stop, nil
	}
	initdb, pgctl, ok := findPG()
	if !ok {
		return stop, fmt.Errorf("no PostgreSQL at %s and none installed: apt-get install postgresql (then make run again), or docker compose -f deploy/compose.yaml up", addr)
	}
	pg := &devCluster{dir: filepath.Join(filepath.Dir(filepath.Clean(cfg.SpoolDir)), "pg"), initdb: initdb, pgctl: pgctl, log: log}
	if err := pg.start(ctx); err != nil {
		return stop, fmt.Errorf("no PostgreSQL at %s; the private one under %s did not start: %w", addr, pg.dir, err)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(pg.port))
	cfg.DatabaseURL = u.String()
	log.Warn("no PostgreSQL server was listening: started a private one for the demo (stopped on exit)",
		"instead_of", addr, "addr", u.Host, "dir", pg.dir)
	return pg.stop, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// devCluster is a private PostgreSQL cluster: data in dir/data, its socket
// in dir, listening on 127.0.0.1:port with trust authentication.
type devCluster struct {
	dir, initdb, pgctl string
	port               int
	cred               *syscall.Credential // run as this user (when we are root)
	log                *slog.Logger
}

func (c *devCluster) data() string { return filepath.Join(c.dir, "data") }

// start creates the cluster if needed and starts it on a free port. As
// root, PostgreSQL refuses to run: the programs run as the user postgres,
// who is given the directory.
func (c *devCluster) start(ctx context.Context) error {
	dir, err := filepath.Abs(c.dir)
	if err != nil {
		return err
	}
	c.dir = dir
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil { // var/, which postgres must traverse
		return err
	}
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if os.Geteuid() == 0 {
		if err := c.runAsPostgres(); err != nil {
			return err
		}
	}
	if !isFile(filepath.Join(c.data(), "PG_VERSION")) {
		if err := c.run(ctx, c.initdb, "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"); err != nil {
			return fmt.Errorf("initdb: %w", err)
		}
		conf := fmt.Sprintf("\n# hotline serve --demo\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n",
			strings.ReplaceAll(c.dir, "'", "''"))
		if err := appendFile(filepath.Join(c.data(), "postgresql.conf"), conf); err != nil {
			return err
		}
	}
	if c.run(ctx, c.pgctl, "status", "-D", c.data()) == nil {
		// left running by a serve that was killed: ours, restart it on a free port
		_ = c.run(ctx, c.pgctl, "stop", "-D", c.data(), "-m", "fast", "-w")
	}
	if c.port, err = freePort(); err != nil {
		return err
	}
	return c.run(ctx, c.pgctl, "start", "-D", c.data(), "-w", "-t", "60",
		"-l", filepath.Join(c.dir, "postgresql.log"), "-o", "-p "+strconv.Itoa(c.port))
}

// stop stops the cluster, waiting up to a minute.
func (c *devCluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.run(ctx, c.pgctl, "stop", "-D", c.data(), "-m", "fast", "-w"); err != nil {
		c.log.Warn("stop the private PostgreSQL", "dir", c.dir, "err", err)
		return
	}
	c.log.Info("private PostgreSQL stopped", "dir", c.dir)
}

// runAsPostgres makes the programs run as the user postgres, owner of dir.
func (c *devCluster) runAsPostgres() error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return errors.New("running as root, and PostgreSQL refuses to run as root: no user postgres to run it as (run make run as another user)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return filepath.WalkDir(c.dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// run runs a PostgreSQL program; its output is returned in the error.
func (c *devCluster) run(ctx context.Context, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(prog), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func appendFile(name, text string) error {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// freePort is a loopback TCP port nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
