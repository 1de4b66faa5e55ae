package screenpop

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/crm"
)

// AgentStatus is what an agent is doing, as supervisors see it.
type AgentStatus string

// The agent statuses. Wrap-up is set when an answered call ends and cleared
// when the agent saves the note or closes the card.
const (
	StatusAvailable AgentStatus = "available"
	StatusPaused    AgentStatus = "paused"
	StatusWrapUp    AgentStatus = "wrap_up"
)

// Validate checks that s is a known status.
func (s AgentStatus) Validate() error {
	switch s {
	case StatusAvailable, StatusPaused, StatusWrapUp:
		return nil
	}
	return crm.Invalid("status", "must be available, paused or wrap_up")
}

// StatusEntry is one agent's status and since when.
type StatusEntry struct {
	Agent  string      `json:"agent"`
	Status AgentStatus `json:"status"`
	Since  time.Time   `json:"since"`
	// Until is when wrap-up ends by itself (see WrapUpEnds); nil otherwise.
	Until *time.Time `json:"until,omitempty"`
}

// StatusBoard keeps every agent's status where all replicas see it.
type StatusBoard interface {
	Set(ctx context.Context, e StatusEntry) error
	Get(ctx context.Context, agent string) (StatusEntry, error) // unknown agents are available
	All(ctx context.Context) ([]StatusEntry, error)             // sorted by agent
}

// LocalStatusBoard is an in-process StatusBoard for a single replica.
type LocalStatusBoard struct {
	mu sync.Mutex
	m  map[string]StatusEntry
}

var _ StatusBoard = (*LocalStatusBoard)(nil)

// NewLocalStatusBoard returns an empty board.
func NewLocalStatusBoard() *LocalStatusBoard { return &LocalStatusBoard{m: map[string]StatusEntry{}} }

// Set records an agent's status.
func (b *LocalStatusBoard) Set(_ context.Context, e StatusEntry) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[e.Agent] = e
	return nil
}

// Get returns an agent's status.
func (b *LocalStatusBoard) Get(_ context.Context, agent string) (StatusEntry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.m[agent]; ok {
		return e, nil
	}
	return StatusEntry{Agent: agent, Status: StatusAvailable}, nil
}

// All returns every recorded status.
func (b *LocalStatusBoard) All(_ context.Context) ([]StatusEntry, error) {
	b.mu.Lock()
	out := make([]StatusEntry, 0, len(b.m))
	for _, e := range b.m {
		out = append(out, e)
	}
	b.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Agent < out[j].Agent })
	return out, nil
}

// RedisStatusBoard is a StatusBoard in one Redis hash shared by replicas.
type RedisStatusBoard struct {
	rdb redis.UniversalClient
	key string
}

var _ StatusBoard = (*RedisStatusBoard)(nil)

// NewRedisStatusBoard keeps statuses in the hash prefix+"status" (prefix
// defaults to "hotline:pop:").
func NewRedisStatusBoard(rdb redis.UniversalClient, prefix string) *RedisStatusBoard {
	if prefix == "" {
		prefix = "hotline:pop:"
	}
	return &RedisStatusBoard{rdb: rdb, key: prefix + "status"}
}

// Set records an agent's status.
func (b *RedisStatusBoard) Set(ctx context.Context, e StatusEntry) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	if err := b.rdb.HSet(ctx, b.key, e.Agent, raw).Err(); err != nil {
		return &crm.Error{Kind: crm.KindUnavailable, Message: "status board unavailable", Err: err}
	}
	return nil
}

// Get returns an agent's status.
func (b *RedisStatusBoard) Get(ctx context.Context, agent string) (StatusEntry, error) {
	raw, err := b.rdb.HGet(ctx, b.key, agent).Bytes()
	if err == redis.Nil {
		return StatusEntry{Agent: agent, Status: StatusAvailable}, nil
	}
	if err != nil {
		return StatusEntry{}, &crm.Error{Kind: crm.KindUnavailable, Message: "status board unavailable", Err: err}
	}
	var e StatusEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return StatusEntry{}, fmt.Errorf("decode status of %s: %w", agent, err)
	}
	return e, nil
}

// All returns every recorded status.
func (b *RedisStatusBoard) All(ctx context.Context) ([]StatusEntry, error) {
	vals, err := b.rdb.HGetAll(ctx, b.key).Result()
	if err != nil {
		return nil, &crm.Error{Kind: crm.KindUnavailable, Message: "status board unavailable", Err: err}
	}
	out := make([]StatusEntry, 0, len(vals))
	for _, v := range vals {
		var e StatusEntry
		if json.Unmarshal([]byte(v), &e) == nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agent < out[j].Agent })
	return out, nil
}

// SetStatus records the agent's status now.
func (p *Popper) SetStatus(ctx context.Context, agent string, s AgentStatus) (StatusEntry, error) {
	if err := s.Validate(); err != nil {
		return StatusEntry{}, err
	}
	if p.opts.Status == nil {
		return StatusEntry{}, crm.Errorf(crm.KindUnavailable, "agent statuses are not kept in this installation")
	}
	e := StatusEntry{Agent: agent, Status: s, Since: p.opts.Now()}
	return e, p.opts.Status.Set(ctx, e)
}

// moveStatus sets to when the agent's status is from: wrap-up begins when
// an available agent's call ends, and ends with the note or the card.
func (p *Popper) moveStatus(ctx context.Context, agent string, from, to AgentStatus) {
	if p.opts.Status == nil {
		return
	}
	cur, err := p.opts.Status.Get(ctx, agent)
	if err != nil || cur.Status != from {
		return
	}
	if err := p.opts.Status.Set(ctx, StatusEntry{Agent: agent, Status: to, Since: p.opts.Now()}); err != nil {
		p.log.Warn("set agent status", "agent", agent, "status", to, "err", err)
	}
}
