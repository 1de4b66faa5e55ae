package screenpop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/internal/cutproxy"
	"hotline/internal/testneed"
)

func msg(agent, key string, seq int64, live bool) Message {
	return Message{Agent: agent, Key: key, Seq: seq, Live: live, Data: fmt.Appendf(nil, `{"seq":%d}`, seq)}
}

func recv(t *testing.T, s *Subscription, within time.Duration) Message {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatalf("subscription of %s closed: %v", s.agent, s.Err())
		}
		return m
	case <-time.After(within):
		t.Fatalf("no message for %s within %v", s.agent, within)
	}
	return Message{}
}

func quiet(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if ok {
			t.Fatalf("unexpected message for %s: %s", s.agent, m.Data)
		}
	case <-time.After(100 * time.Millisecond):
	}
}

// testHubContract checks what every Hub must do.
func testHubContract(t *testing.T, newHub func(t *testing.T) (pub, sub Hub)) {
	ctx := context.Background()
	t.Run("fan-out to every console of the agent only", func(t *testing.T) {
		pub, sub := newHub(t)
		a1, a2, b := subscribe(t, sub, "alice"), subscribe(t, sub, "alice"), subscribe(t, sub, "bob")
		must(t, pub.Publish(ctx, msg("alice", "c1", 1, true)))
		for _, s := range []*Subscription{a1, a2} {
			if m := recv(t, s, 3*time.Second); m.Key != "c1" || m.Seq != 1 || m.Replay {
				t.Errorf("got %+v", m)
			}
		}
		quiet(t, b)
	})
	t.Run("replay of live pops, older copies ignored", func(t *testing.T) {
		pub, sub := newHub(t)
		must(t, pub.Publish(ctx, msg("alice", "c1", 1, true)))
		must(t, pub.Publish(ctx, msg("alice", "c2", 2, true)))
		must(t, pub.Publish(ctx, msg("alice", "c2", 3, false)))
		must(t, pub.Publish(ctx, msg("alice", "c1", 4, true)))
		must(t, pub.Publish(ctx, msg("alice", "c1", 2, true))) // stale
		s := subscribe(t, sub, "alice")
		m := recv(t, s, 3*time.Second)
		if m.Key != "c1" || m.Seq != 4 || !m.Replay {
			t.Errorf("replayed %+v, want c1 seq 4 as replay", m)
		}
		quiet(t, s)
	})
	t.Run("slow subscriber dropped and told", func(t *testing.T) {
		pub, sub := newHub(t)
		slow, fast := subscribe(t, sub, "alice"), subscribe(t, sub, "alice")
		n := 3 * DefaultBuffer
		got := make(chan int)
		go func() {
			count := 0
			for m := range fast.C {
				count++
				if m.Seq == int64(n) {
					break
				}
			}
			got <- count
		}()
		for i := 1; i <= n; i++ {
			must(t, pub.Publish(ctx, msg("alice", fmt.Sprint("k", i), int64(i), false)))
			if i%DefaultBuffer == 0 {
				time.Sleep(20 * time.Millisecond) // let the fast reader keep up
			}
		}
		select {
		case c := <-got:
			if c != n {
				t.Errorf("fast subscriber got %d of %d", c, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("fast subscriber starved")
		}
		deadline := time.After(3 * time.Second)
		for {
			select {
			case _, ok := <-slow.C:
				if ok {
					continue
				}
				if slow.Err() != ErrSlowConsumer {
					t.Errorf("slow subscriber ended with %v, want ErrSlowConsumer", slow.Err())
				}
				return
			case <-deadline:
				t.Fatal("slow subscriber was not dropped")
			}
		}
	})
}

func TestLocalHub(t *testing.T) {
	testHubContract(t, func(t *testing.T) (Hub, Hub) {
		h := NewLocalHub(0)
		t.Cleanup(func() { _ = h.Close() })
		return h, h
	})
}

const redisAddr = "127.0.0.1:6379"

func newRedis(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// redisPrefix returns a key prefix unique to the test and deletes its keys
// at the end; it skips the test when Redis is not running.
func redisPrefix(t testing.TB) string {
	t.Helper()
	rdb := newRedis(t, redisAddr)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		testneed.Missing(t, "redis at %s not reachable (scripts/deps.sh starts it): %v", redisAddr, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "hotline:test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return prefix
}

func newRedisHub(t testing.TB, addr, prefix string) *RedisHub {
	t.Helper()
	h := NewRedisHub(newRedis(t, addr), RedisOptions{Prefix: prefix, RetryEvery: 100 * time.Millisecond})
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func TestRedisHub(t *testing.T) {
	testHubContract(t, func(t *testing.T) (Hub, Hub) {
		prefix := redisPrefix(t)
		return newRedisHub(t, redisAddr, prefix), newRedisHub(t, redisAddr, prefix)
	})
}

// Two replicas share Redis through a proxy that is cut: consoles on the
// publishing replica keep receiving pops; consoles on the other replica
// receive the pops of calls still live once Redis is back.
func TestRedisLossLosesNoLivePops(t *testing.T) {
	prefix := redisPrefix(t)
	px := cutproxy.New(t, redisAddr)
	a, b := newRedisHub(t, px.Addr(), prefix), newRedisHub(t, px.Addr(), prefix)
	ctx := context.Background()
	onA, onB := subscribe(t, a, "alice"), subscribe(t, b, "bob")

	must(t, a.Publish(ctx, msg("bob", "before", 1, true)))
	if m := recv(t, onB, 3*time.Second); m.Key != "before" {
		t.Fatalf("cross-replica pop before the loss: %+v", m)
	}

	px.Cut()
	cctx, cancel := context.WithTimeout(ctx, time.Second)
	if err := a.Publish(cctx, msg("alice", "local", 2, true)); err == nil {
		t.Log("publish during the loss reported no error (connection not yet noticed)")
	}
	if m := recv(t, onA, time.Second); m.Key != "local" {
		t.Errorf("same-replica pop during the loss: %+v", m)
	}
	if err := a.Publish(cctx, msg("bob", "during", 3, true)); err == nil {
		t.Error("publish to a lost Redis reported success")
	}
	_ = a.Publish(cctx, msg("bob", "ended-during", 4, true))
	cancel()
	_ = a.Publish(ctx, msg("bob", "ended-during", 5, false)) // that call ended and was closed meanwhile
	quiet(t, onB)

	time.Sleep(500 * time.Millisecond)
	px.Restore()
	m := recv(t, onB, 10*time.Second)
	if m.Key != "during" || m.Seq != 3 {
		t.Errorf("after Redis returned got %+v, want the live pop 'during'", m)
	}
	for {
		select {
		case m := <-onB.C:
			if m.Live {
				t.Errorf("after Redis returned got live %s seq %d; only 'during' is live", m.Key, m.Seq)
			}
			continue
		case <-time.After(300 * time.Millisecond):
		}
		break
	}
	live, err := b.Live(ctx, "bob")
	must(t, err)
	if len(live) != 2 {
		t.Errorf("bob's live set has %d pops, want before and during", len(live))
	}
}

func TestLiveSetForgetsCardsNobodyClosed(t *testing.T) {
	h := NewLocalHub(0)
	defer h.Close()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	h.fan.now = func() time.Time { return now }
	ctx := context.Background()
	must(t, h.Publish(ctx, msg("alice", "old", 1, true)))
	now = now.Add(LiveTTL - time.Minute)
	must(t, h.Publish(ctx, msg("alice", "new", 2, true)))
	now = now.Add(2 * time.Minute)
	live, _ := h.Live(ctx, "alice")
	if len(live) != 1 || live[0].Key != "new" {
		t.Errorf("live = %+v, want only the card updated within LiveTTL", live)
	}
	now = now.Add(LiveTTL)
	for i := range 1024 { // records trigger a sweep of every agent
		must(t, h.Publish(ctx, msg(fmt.Sprint("agent", i), "k", int64(10+i), false)))
	}
	h.fan.mu.Lock()
	n := len(h.fan.live)
	h.fan.mu.Unlock()
	if n != 0 {
		t.Errorf("%d agents still hold expired live pops after a sweep", n)
	}
}
