package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/telephony"
)

// benchBoard is a busy centre: 50 agents and 30 calls in progress.
func benchBoard(b *testing.B) (*Metrics, []telephony.Event) {
	b.Helper()
	var agents AgentList
	for i := range 50 {
		agents = append(agents, fmt.Sprintf("agent%02d", i))
	}
	now := dayStart
	m := New(prometheus.NewRegistry(), agents, Options{Now: func() time.Time { return now }, Location: time.UTC})
	for i := range 30 {
		for _, e := range newCall(fmt.Sprintf("busy%d", i), telephony.Inbound, 0).start().
			ring(agents[i], 1).answer(agents[i], 2).events {
			m.Observe(e)
		}
	}
	call := newCall("c1", telephony.Inbound, 10).start().ring("agent40", 11).answer("agent40", 13).
		hold("agent40", 20, 30).end(90, telephony.OutcomeAnswered, 3, 2, 67, 10)
	return m, call.events
}

// BenchmarkObserveCall folds the six events of one call into the metrics
// and the board of a busy centre; the floor only copies the events.
func BenchmarkObserveCall(b *testing.B) {
	m, events := benchBoard(b)
	b.Run("floor", func(b *testing.B) {
		var sink telephony.Event
		for range b.N {
			for _, e := range events {
				sink = e
			}
		}
		_ = sink
	})
	b.Run("observe", func(b *testing.B) {
		for range b.N {
			for _, e := range events {
				m.Observe(e)
			}
		}
	})
	b.Run("snapshot", func(b *testing.B) {
		for range b.N {
			_ = m.Snapshot()
		}
	})
}

// BenchmarkObserveConcurrent folds the six events of one call (start, ring,
// answer, hold, unhold, end) while other calls are in progress, each
// answered by a roster agent: the cost of an event should not grow with the
// calls it does not concern. In the calls=N cases each busy agent is on one
// call and the measured call goes to a free agent; in shared=N the N calls
// are spread over 10 agents, and the measured call goes to one of them, on
// N/10 calls already.
func BenchmarkObserveConcurrent(b *testing.B) {
	for _, bc := range []struct {
		name           string
		calls, agents  int
		measuredByBusy bool
	}{
		{"calls=5", 5, 5, false}, {"calls=50", 50, 50, false}, {"calls=500", 500, 500, false},
		{"shared=500", 500, 10, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			agents := AgentList{"free"}
			for i := range bc.agents {
				agents = append(agents, fmt.Sprintf("agent%03d", i))
			}
			now := dayStart
			m := New(prometheus.NewRegistry(), agents, Options{Now: func() time.Time { return now }, Location: time.UTC})
			for i := range bc.calls {
				agent := agents[1+i%bc.agents]
				for _, e := range newCall(fmt.Sprintf("busy%03d", i), telephony.Inbound, 0).start().
					ring(agent, 1).answer(agent, 2).events {
					m.Observe(e)
				}
			}
			agent := agents[0]
			if bc.measuredByBusy {
				agent = agents[1]
			}
			events := newCall("c1", telephony.Inbound, 10).start().ring(agent, 11).answer(agent, 13).
				hold(agent, 20, 30).end(90, telephony.OutcomeAnswered, 3, 2, 67, 10).events
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				for _, e := range events {
					m.Observe(e)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
		})
	}
}
