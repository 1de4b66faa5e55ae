//go:build unix

package ari

import (
	"net"
	"syscall"
)

// connAlive reports whether an idle connection can take a request: the
// server has neither closed it (a read would say EOF or reset) nor sent
// anything unasked (an idle connection's next bytes can only be an error,
// such as a 408 or a TLS close_notify). It peeks without blocking, so
// taking a connection costs one system call and no goroutine. Without it
// the pool would find a closed connection only by sending a request on it,
// and a POST that met a closed connection could not be retried.
func connAlive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var buf [1]byte
	var peekErr error
	var n int
	// Returning true: do not wait for readability; the socket is non-blocking.
	err = raw.Read(func(fd uintptr) bool {
		n, _, peekErr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK)
		return true
	})
	return err == nil && n <= 0 && (peekErr == syscall.EAGAIN || peekErr == syscall.EWOULDBLOCK)
}
