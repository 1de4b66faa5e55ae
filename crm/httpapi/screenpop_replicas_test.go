package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/internal/cutproxy"
	"hotline/internal/testneed"
	"hotline/telephony/screenpop"
)

const redisAddr = "127.0.0.1:6379"

// replica is one Hotline HTTP front with its own Redis hub and popper,
// sharing the database and Redis with the others.
type replica struct {
	env    env
	popper *screenpop.Popper
}

func newReplica(t *testing.T, base *env, redisAddr, prefix string) *replica {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, DialTimeout: 300 * time.Millisecond,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	hub := screenpop.NewRedisHub(rdb, screenpop.RedisOptions{Prefix: prefix, RetryEvery: 100 * time.Millisecond})
	t.Cleanup(func() { _ = hub.Close() })
	srv := httpapi.New(httpapi.Options{Users: base.store.Users, Sessions: base.store.Sessions, PhoneRegion: "RU"})
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: base.store.Clients, Recent: base.store.ScreenPop, Directory: base.store.ScreenPop})
	popper := screenpop.NewPopper(screenpop.Options{Cards: cards, Hub: hub, Agents: base.store.ScreenPop})
	httpapi.RegisterScreenPop(srv, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Cards: cards, Timeline: base.store.Clients})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	r := &replica{env: *base, popper: popper}
	r.env.srv, r.env.ts = srv, ts
	return r
}

// Two replicas share PostgreSQL and Redis: the ringing event is handled by
// one, the agent's socket is held by the other, and the pop arrives. While
// Redis is cut, sockets on the handling replica still get their pops, and
// the other replica's agent gets the pop of the still-live call once Redis
// is back. Nothing crashes.
func TestTwoReplicasShareRedis(t *testing.T) {
	probe := redis.NewClient(&redis.Options{Addr: redisAddr})
	if err := probe.Ping(context.Background()).Err(); err != nil {
		testneed.Missing(t, "redis at %s not reachable (scripts/deps.sh starts it): %v", redisAddr, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "hotline:test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := probe.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			probe.Del(ctx, keys...)
		}
		_ = probe.Close()
	})
	base := newPopEnv(t) // users, endpoints and the database
	ctx := context.Background()
	base.newClient("Replica Client", "+79260000001")
	px := cutproxy.New(t, redisAddr)
	r1, r2 := newReplica(t, base.env, px.Addr(), prefix), newReplica(t, base.env, px.Addr(), prefix)

	onR2, _ := r2.env.login(crm.RoleAgent).socket("", nil) // agent1's console is on replica 2
	onR1, _ := (&popEnv{env: &r1.env}).loginAs("agent2").socket("", nil)
	mustFrame(t, onR2)
	mustFrame(t, onR1)

	popMust(t, r1.popper.Ringing(ctx, screenpop.Ringing{CallID: "r-1", Endpoint: "PJSIP/1001", Caller: "+79260000001"}))
	if f := mustFrame(t, onR2); f.CallID != "r-1" || f.Card.Clients[0].Name != "Replica Client" {
		t.Fatalf("cross-replica pop = %+v", f)
	}

	px.Cut()
	_ = r1.popper.Ringing(ctx, screenpop.Ringing{CallID: "r-2", Endpoint: "PJSIP/1002", Caller: "+79260000001"})
	if f, ok := readFrame(t, onR1, 2*time.Second); !ok || f.CallID != "r-2" {
		t.Errorf("same-replica pop during the Redis loss: %+v %v", f, ok)
	}
	err := r1.popper.Ringing(ctx, screenpop.Ringing{CallID: "r-3", Endpoint: "PJSIP/1001", Caller: "+79260000001"})
	if err == nil {
		t.Error("publishing across a lost Redis reported success")
	}
	if f, ok := readFrame(t, onR2, 300*time.Millisecond); ok {
		t.Errorf("pop crossed a cut Redis: %+v", f)
	}
	time.Sleep(300 * time.Millisecond)
	px.Restore()
	if f, ok := readFrame(t, onR2, 15*time.Second); !ok || f.CallID != "r-3" || f.State != "ringing" {
		t.Errorf("after Redis returned, replica 2 got %+v (%v), want the live call r-3", f, ok)
	}
	for _, r := range []*replica{r1, r2} {
		resp, _ := r.env.anon().do("GET", "/healthz", nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("replica unhealthy after the loss: %d", resp.StatusCode)
		}
	}
}
