//go:build unix

package ari

import (
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRESTRoundTrip is one ARI REST call (GET /channels/{id}, JSON
// decoded) against a local net/http server, through net/http's Transport
// and through the client's pool. Beside ns/op and allocations it reports
// the process's CPU time (cpu-ns/op) and OS context switches (ctxsw/op) per
// call, from getrusage: they include the server's share, the same in both,
// so the difference is the client's. The -spaced runs' CPU includes the
// pause's own timer wake-up, also the same in both.
func BenchmarkRESTRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(channelAnswer))
	defer srv.Close()
	b.Run("pause-only", func(b *testing.B) {
		start := takeRusage()
		for b.Loop() {
			time.Sleep(pause)
		}
		start.report(b)
	})
	for _, path := range []string{"net-http", "pool"} {
		c, err := NewClient(Config{URL: srv.URL, User: testUser, Password: testPass, App: "hotline"})
		if err != nil {
			b.Fatal(err)
		}
		pool := c.rest
		if path == "net-http" {
			c.rest = nil
		}
		ctx := context.Background()
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			start := takeRusage()
			for b.Loop() {
				if _, err := c.Channels().Get(ctx, "c1"); err != nil {
					b.Fatal(err)
				}
			}
			start.report(b)
		})
		// One call at a time with pauses, like a service between calls: the
		// threads go idle, so each goroutine wake-up is an OS context
		// switch, as in production. Everything includes the pause (see
		// pause-only). Run with -benchtime=3000x.
		b.Run(path+"-spaced", func(b *testing.B) {
			b.ReportAllocs()
			start := takeRusage()
			for b.Loop() {
				if _, err := c.Channels().Get(ctx, "c1"); err != nil {
					b.Fatal(err)
				}
				time.Sleep(pause)
			}
			start.report(b)
		})
		b.Run(path+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			start := takeRusage()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Channels().Get(ctx, "c1"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			start.report(b)
		})
		pool.closeIdle()
		c.http.CloseIdleConnections()
	}
}

// pause is the -spaced runs' idle time between calls.
const pause = 500 * time.Microsecond

type rusage struct {
	cpu   time.Duration
	ctxsw int64
}

func takeRusage() rusage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return rusage{
		cpu:   time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		ctxsw: int64(ru.Nvcsw + ru.Nivcsw),
	}
}

func (start rusage) report(b *testing.B) {
	end := takeRusage()
	n := float64(b.N)
	b.ReportMetric(float64(end.cpu-start.cpu)/n, "cpu-ns/op")
	b.ReportMetric(float64(end.ctxsw-start.ctxsw)/n, "ctxsw/op")
}
