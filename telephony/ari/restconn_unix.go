//go:build unix

package ari

import (
	"net"
	"syscall"
)

// liveness tells whether an idle connection can take a request: the server
// has neither closed it (a read would say EOF or reset) nor sent anything
// unasked (an idle connection's next bytes can only be an error, such as a
// 408 or a TLS close_notify). It peeks at the socket without blocking, so
// taking a connection costs one system call and no goroutine. Without it
// the pool would find a closed connection only by sending a request on it,
// and a POST that met a closed connection could not be retried.
type liveness struct {
	raw  syscall.RawConn // nil: cannot peek, assume open
	buf  [1]byte
	n    int
	err  error
	peek func(fd uintptr) bool // made once: no allocation per check
}

func newLiveness(c net.Conn) *liveness {
	l := &liveness{}
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			l.raw = raw
		}
	}
	l.peek = func(fd uintptr) bool {
		l.n, _, l.err = syscall.Recvfrom(int(fd), l.buf[:], syscall.MSG_PEEK)
		return true // do not wait for readability: the socket is non-blocking
	}
	return l
}

func (l *liveness) alive() bool {
	if l.raw == nil {
		return true
	}
	if err := l.raw.Read(l.peek); err != nil {
		return false
	}
	return l.n <= 0 && (l.err == syscall.EAGAIN || l.err == syscall.EWOULDBLOCK)
}
