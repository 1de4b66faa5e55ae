//go:build unix

package ari

import (
	"errors"
	"syscall"
)

// readNow reads what the socket holds now without waiting (Go's sockets
// are non-blocking: EAGAIN means nothing to read).
func readNow(raw syscall.RawConn, p []byte) (int, readState) {
	var n int
	var rerr error
	err := raw.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), p)
		return true // never wait for the poller
	})
	switch {
	case err != nil:
		return 0, readOther
	case rerr == nil && n > 0:
		return n, readData
	case errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK):
		return 0, readEmpty
	}
	return 0, readOther
}
