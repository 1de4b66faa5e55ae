package screenpop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions configures a RedisHub. Zero values are safe defaults.
type RedisOptions struct {
	// Prefix starts every key and channel name; default "hotline:pop:".
	Prefix string
	// LiveTTL is how long an agent's live set outlives its last update;
	// default 12 hours.
	LiveTTL time.Duration
	// Buffer is each subscription's buffer (DefaultBuffer when zero).
	Buffer int
	// RetryEvery is how often publishes that failed while Redis was away are
	// retried; default one second.
	RetryEvery time.Duration
	// MaxPending bounds the publishes kept for retry; default 10000.
	MaxPending int
	Logger     *slog.Logger
}

// RedisHub is a Hub over Redis: a pub/sub channel per agent carries pops to
// whichever replica holds the agent's sockets, and a hash per agent keeps
// the live pops for replay. Subscribers on the publishing replica are served
// directly, so they keep receiving pops while Redis is away; publishes that
// fail are retried until Redis returns, and a replica whose subscription
// comes back replays the live set, so pops of calls still live arrive.
type RedisHub struct {
	rdb    redis.UniversalClient
	opts   RedisOptions
	origin string
	fan    *fanout
	ps     *redis.PubSub
	log    *slog.Logger

	mu      sync.Mutex
	pending map[string]envelope // agent+"\x00"+key -> latest failed publish
	subMu   sync.Mutex          // orders agent channel (un)subscriptions

	stop chan struct{}
	wg   sync.WaitGroup
}

var _ Hub = (*RedisHub)(nil)

// envelope is a Message on the Redis channel and in the live hash.
type envelope struct {
	Origin string          `json:"o"`
	Agent  string          `json:"a"`
	Key    string          `json:"k"`
	Seq    int64           `json:"s"`
	Live   bool            `json:"l"`
	Data   json.RawMessage `json:"d"`
	Popped int64           `json:"p,omitempty"` // unix nanoseconds
}

// publishScript writes or deletes the live entry unless a newer one is there,
// refreshes the TTL and publishes, in one round trip. Stored values start with
// the sequence number zero-padded to 20 digits so they compare as strings.
var publishScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and string.sub(cur, 1, 20) >= ARGV[2] then return 0 end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
`)

// NewRedisHub starts a hub on rdb. Close stops it; rdb stays open.
func NewRedisHub(rdb redis.UniversalClient, opts RedisOptions) *RedisHub {
	if opts.Prefix == "" {
		opts.Prefix = "hotline:pop:"
	}
	if opts.LiveTTL <= 0 {
		opts.LiveTTL = 12 * time.Hour
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = time.Second
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 10000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	h := &RedisHub{
		rdb:     rdb,
		opts:    opts,
		origin:  hex.EncodeToString(b[:]),
		fan:     newFanout(opts.Buffer),
		log:     opts.Logger.With("component", "screenpop.redis"),
		pending: map[string]envelope{},
		stop:    make(chan struct{}),
	}
	// The control channel keeps the connection in subscribe mode from the
	// start; agents' channels are added as their consoles connect.
	h.fan.onLast = h.unsubscribe
	h.fan.ttl = opts.LiveTTL
	h.ps = rdb.Subscribe(context.Background(), opts.Prefix+"ctl")
	msgs := h.ps.ChannelWithSubscriptions(redis.WithChannelSize(1024),
		redis.WithChannelHealthCheckInterval(time.Second),
		redis.WithChannelPingTimeout(time.Second),
		redis.WithChannelReconnectTimeout(2*time.Second))
	h.wg.Add(2)
	go h.receive(msgs)
	go h.retry()
	return h
}

func (h *RedisHub) channel(agent string) string { return h.opts.Prefix + "agent:" + agent }
func (h *RedisHub) liveKey(agent string) string { return h.opts.Prefix + "live:" + agent }

// Publish serves local subscribers at once, then writes m to Redis. When
// Redis is away the write is kept and retried, and the error is returned for
// logging only: the pop is not lost.
func (h *RedisHub) Publish(ctx context.Context, m Message) error {
	if h.fan.record(m) {
		h.fan.deliver(m)
	}
	env := envelope{Origin: h.origin, Agent: m.Agent, Key: m.Key, Seq: m.Seq, Live: m.Live, Data: m.Data}
	if !m.Popped.IsZero() {
		env.Popped = m.Popped.UnixNano()
	}
	if err := h.write(ctx, env); err != nil {
		h.keepPending(env)
		return fmt.Errorf("publish pop to redis (kept for retry): %w", err)
	}
	return nil
}

func (h *RedisHub) write(ctx context.Context, env envelope) error {
	raw, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("encode pop envelope: %w", err)
	}
	live := "0"
	if env.Live {
		live = "1"
	}
	return publishScript.Run(ctx, h.rdb,
		[]string{h.liveKey(env.Agent), h.channel(env.Agent)},
		env.Key, fmt.Sprintf("%020d", env.Seq), string(raw), live,
		strconv.FormatInt(h.opts.LiveTTL.Milliseconds(), 10)).Err()
}

func (h *RedisHub) keepPending(env envelope) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := env.Agent + "\x00" + env.Key
	if cur, ok := h.pending[id]; ok && cur.Seq >= env.Seq {
		return
	}
	if len(h.pending) >= h.opts.MaxPending {
		h.log.Warn("pop retry queue full; dropping a pending pop", "agent", env.Agent)
		return
	}
	h.pending[id] = env
}

// retry re-sends the pending publishes until they go through.
func (h *RedisHub) retry() {
	defer h.wg.Done()
	t := time.NewTicker(h.opts.RetryEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.flushPending()
		}
	}
}

func (h *RedisHub) flushPending() {
	h.mu.Lock()
	batch := make([]envelope, 0, len(h.pending))
	for _, env := range h.pending {
		batch = append(batch, env)
	}
	h.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	sortEnvelopes(batch)
	for _, env := range batch {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := h.write(ctx, env)
		cancel()
		if err != nil {
			return // still away; try again later
		}
		h.mu.Lock()
		id := env.Agent + "\x00" + env.Key
		if cur, ok := h.pending[id]; ok && cur.Seq == env.Seq {
			delete(h.pending, id)
		}
		h.mu.Unlock()
	}
	h.log.Info("pending pops written to redis", "count", len(batch))
}

func sortEnvelopes(es []envelope) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Seq < es[j-1].Seq; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// receive delivers messages from other replicas and, whenever an agent's
// channel is (re)subscribed, replays that agent's live set from Redis.
func (h *RedisHub) receive(msgs <-chan any) {
	defer h.wg.Done()
	for raw := range msgs {
		switch m := raw.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" || !strings.HasPrefix(m.Channel, h.opts.Prefix+"agent:") {
				continue
			}
			agent := strings.TrimPrefix(m.Channel, h.opts.Prefix+"agent:")
			h.wg.Add(1)
			go func() {
				defer h.wg.Done()
				h.catchUp(agent)
			}()
		case *redis.Message:
			var env envelope
			if err := json.Unmarshal([]byte(m.Payload), &env); err != nil {
				h.log.Warn("bad pop envelope on redis", "channel", m.Channel, "err", err)
				continue
			}
			if env.Origin == h.origin {
				continue // served locally when published
			}
			msg := Message{Agent: env.Agent, Key: env.Key, Seq: env.Seq, Live: env.Live, Data: env.Data}
			if env.Popped != 0 {
				msg.Popped = time.Unix(0, env.Popped)
			}
			if h.fan.record(msg) {
				h.fan.deliver(msg)
			}
		}
	}
}

// unsubscribe stops listening on an agent's channel once no console of the
// agent is connected here any more.
func (h *RedisHub) unsubscribe(agent string) {
	h.subMu.Lock()
	defer h.subMu.Unlock()
	if h.fan.hasSubscribers(agent) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := h.ps.Unsubscribe(ctx, h.channel(agent)); err != nil {
		h.log.Debug("unsubscribe agent channel", "agent", agent, "err", err)
	}
}

// catchUp delivers the agent's live set to local subscribers after its
// channel was subscribed (first console, or Redis back after a loss).
func (h *RedisHub) catchUp(agent string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	msgs, err := h.redisLive(ctx, agent)
	if err != nil {
		h.log.Warn("replay live pops from redis", "agent", agent, "err", err)
		return
	}
	for _, m := range msgs {
		if h.fan.record(m) {
			m.Replay = true
			h.fan.deliver(m)
		}
	}
}

// Subscribe registers a local subscriber, makes sure this replica listens on
// the agent's channel, and replays the live set (from Redis, plus what this
// replica knows when Redis is away).
func (h *RedisHub) Subscribe(ctx context.Context, agent string) (*Subscription, error) {
	h.subMu.Lock()
	first := !h.fan.hasSubscribers(agent)
	s, err := h.fan.add(agent)
	if err == nil && first {
		if err := h.ps.Subscribe(ctx, h.channel(agent)); err != nil {
			h.log.Warn("subscribe agent channel (will resubscribe when redis returns)", "agent", agent, "err", err)
		}
	}
	h.subMu.Unlock()
	if err != nil {
		return nil, err
	}
	live, err := h.Live(ctx, agent)
	if err != nil {
		h.log.Warn("read live pops", "agent", agent, "err", err)
	}
	h.fan.replay(s, live)
	return s, nil
}

// Live returns the agent's live pops: Redis's set with this replica's
// publishes still waiting for Redis applied on top; when Redis is away, what
// this replica knows (and the error).
func (h *RedisHub) Live(ctx context.Context, agent string) ([]Message, error) {
	remote, err := h.redisLive(ctx, agent)
	if err != nil {
		return h.fan.liveOf(agent), err
	}
	byKey := make(map[string]Message, len(remote))
	for _, m := range remote {
		byKey[m.Key] = m
	}
	h.mu.Lock()
	for _, env := range h.pending {
		if env.Agent != agent {
			continue
		}
		if cur, ok := byKey[env.Key]; ok && cur.Seq >= env.Seq {
			continue
		}
		if env.Live {
			byKey[env.Key] = Message{Agent: env.Agent, Key: env.Key, Seq: env.Seq, Live: true, Data: env.Data}
		} else {
			delete(byKey, env.Key)
		}
	}
	h.mu.Unlock()
	out := make([]Message, 0, len(byKey))
	for _, m := range byKey {
		out = append(out, m)
	}
	sortBySeq(out)
	return out, nil
}

func (h *RedisHub) redisLive(ctx context.Context, agent string) ([]Message, error) {
	vals, err := h.rdb.HGetAll(ctx, h.liveKey(agent)).Result()
	if err != nil {
		return nil, fmt.Errorf("read live pops of %s: %w", agent, err)
	}
	out := make([]Message, 0, len(vals))
	for _, v := range vals {
		if len(v) <= 20 {
			continue
		}
		var env envelope
		if err := json.Unmarshal([]byte(v[20:]), &env); err != nil {
			continue
		}
		out = append(out, Message{Agent: env.Agent, Key: env.Key, Seq: env.Seq, Live: true, Data: env.Data})
	}
	sortBySeq(out)
	return out, nil
}

// Close stops the hub: subscriptions end, the Redis subscription closes and
// pending publishes are abandoned.
func (h *RedisHub) Close() error {
	select {
	case <-h.stop:
		return nil
	default:
	}
	close(h.stop)
	h.fan.close()
	err := h.ps.Close()
	h.wg.Wait()
	if err != nil {
		return fmt.Errorf("close redis subscription: %w", err)
	}
	return nil
}
