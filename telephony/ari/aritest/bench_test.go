package aritest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkSimulatedCalls measures how fast the emulator produces and
// delivers realistic call traffic (inbound 7001 calls answered by the agent,
// the customer hangs up: ~83 events each, as sip-inbound-dtmf) to one
// WebSocket client, 50 calls at a time; it reports events/s.
func BenchmarkSimulatedCalls(b *testing.B) {
	s := New(Options{Speed: 1000, Seed: 12, Agents: []string{"1001"}})
	defer s.Close()
	a := connectApp(b, s)
	in := Inbound{HangupAfter: 5 * time.Second, Phones: map[string]Phone{"1001": {AnswerAfter: 2 * time.Second}}}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := 0; i < b.N; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := s.InboundCall(context.Background(), in); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	a.settle(s)
	b.StopTimer()
	b.ReportMetric(float64(len(a.snapshot()))/time.Since(start).Seconds(), "events/s")
}
