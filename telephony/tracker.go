package telephony

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"hotline/telephony/ari"
)

// Roster maps an endpoint ("PJSIP/1001") to the login of the agent who uses it.
type Roster interface {
	AgentByEndpoint(endpoint string) (login string, ok bool)
}

// LiveChannel is a channel Asterisk reports as existing (GET /channels).
type LiveChannel struct {
	ID           string
	Name         string
	State        string
	CallerNumber string
	CallerName   string
	Context      string // the dialplan position GET /channels reports
	Exten        string
	LinkedID     string // "" when channelvars do not carry it
	CreatedAt    time.Time
}

// Channels reads Asterisk channel state over REST, per node.
type Channels interface {
	// LinkedID reads CHANNEL(linkedid) of a channel.
	LinkedID(ctx context.Context, node, channelID string) (string, error)
	// List returns the channels that exist now.
	List(ctx context.Context, node string) ([]LiveChannel, error)
}

// CallUpdate is one durable write of a call: its record at Version (the
// number of events folded into it), the timeline entries added since the
// previous update, and (while the call is open) the tracker's private state
// to resume it after a restart. Applying updates is idempotent: an update
// never replaces a newer version, and timeline entries are keyed by (node,
// linkedid, seq).
type CallUpdate struct {
	Version  int             `json:"version"`
	Call     Call            `json:"call"`
	Timeline []TimelineEntry `json:"timeline,omitempty"`
	State    json.RawMessage `json:"state,omitempty"`
}

// CallStore persists call updates; crm/postgres satisfies it.
type CallStore interface {
	// SaveCalls applies a batch of call updates, in order, as one write;
	// each record is the JSON encoding of a CallUpdate (the tracker hands
	// over its journal's records as they are, undecoded). Several updates
	// of one call in a batch amount to the newest one's record with the
	// timeline entries of them all. Like every application of updates it
	// is idempotent.
	SaveCalls(ctx context.Context, records [][]byte) error
	// OpenCalls returns the latest update of every call of node that has
	// not ended, to resume tracking after a restart.
	OpenCalls(ctx context.Context, node string) ([]CallUpdate, error)
}

// Journal makes encoded CallUpdates durable in order before they reach the
// store; telephony/spool satisfies it with files on disk.
type Journal interface {
	Append(records ...[]byte) error
	// Next returns up to max of the oldest uncommitted records (the same
	// ones again until they are committed) and the id of the last one.
	Next(max int) (records [][]byte, last uint64, err error)
	Commit(last uint64) error
}

// DirectionRules configure how a call's direction is decided from its first
// channel: a dialplan context or endpoint listed here wins over the roster.
type DirectionRules struct {
	InboundContexts  []string // e.g. "from-trunk"
	OutboundContexts []string // e.g. the context click-to-call originates into
	TrunkEndpoints   []string // e.g. "PJSIP/customers": calls starting there are inbound
}

// TrackerOptions configure a Tracker. Zero values are safe: no store means
// updates stay in an in-memory journal, no Channels means linkedids are
// taken from channelvars or the channel's own id.
type TrackerOptions struct {
	Store     CallStore
	Roster    Roster
	Channels  Channels
	Journal   Journal // nil: a bounded in-memory journal (none without a Store)
	Rules     DirectionRules
	Normalize func(number string) string // to E.164 where possible; nil keeps numbers as they are
	Logger    *slog.Logger
	Now       func() time.Time
	// FlushInterval groups durable writes; 0 writes after every event
	// (but see FlushOnIdle).
	FlushInterval time.Duration
	// FlushOnIdle: the owner calls Flush whenever the event stream pauses
	// (ari.Config.OnIdle: the frames that arrived together are folded), so
	// that the changes of a burst go to the journal together without a
	// timer goroutine that every event wakes. Changes that do not come
	// from frames (reconciliation, orphan adoption, legs settled as gone
	// when the grace passes, Drain) flush themselves when done; for them
	// FlushInterval remains a bound, should one not (0: no flush loop).
	// Frames handled without an owner calling Flush wait in memory until
	// the next Flush (at the latest when Run ends).
	FlushOnIdle bool
	// WriteBatch is the largest number of updates saved in one store call.
	WriteBatch int
	// WriteDelay gathers the journaled updates of this long before they
	// are saved to the store, so that the many updates of a call in
	// progress become one row write (0: save as soon as journaled). The
	// journal already holds them durably; only the call log lags.
	WriteDelay time.Duration
	// RESTTimeout bounds a linkedid read (default 2 s).
	RESTTimeout time.Duration
	// GoneGrace is how long a leg missing from GET /channels at a
	// reconciliation waits for its hangup events queued on the socket
	// before it is ended as gone (default 2 s; see gone.go). It is
	// measured on Now.
	GoneGrace time.Duration
	// EndedSaved, when set, is called with the final records of the calls
	// that a batch written to the store ended (EndedAt set, not merged),
	// after the store saved the batch and the journal committed it. It runs
	// on the writer's goroutine, so it must be bounded: the next call-log
	// write waits for it. A crash after the journal's commit and before the
	// hook returns loses the hook's work for that batch; a crash before the
	// commit replays the batch after the restart, and the hook is called
	// with the same calls again, so its work must be idempotent.
	EndedSaved func(ctx context.Context, ended []Call)
}

// Tracker folds ARI events into call records, one per linkedid per node.
// Handle may be called from several goroutines (one per node).
type Tracker struct {
	opts  TrackerOptions
	log   *slog.Logger
	now   func() time.Time
	rules rules

	mu       sync.Mutex
	calls    map[callKey]*callState
	channels map[callKey]*callState // (node, channel id) -> call
	lastSeen map[string]time.Time   // node -> newest event timestamp
	dirty    map[*callState]struct{}
	ended    endedSet
	resumed  map[string]bool          // nodes whose open calls were loaded from the store
	gone     map[string]goneAtListing // node -> legs missing from its last listing, unsettled
	flushMu  sync.Mutex               // orders journal appends
	writeMu  sync.Mutex               // one writer to the store at a time
	stats    Stats
	// flushWake and goneWake wake flushLoop and goneLoop when they have
	// work; with none they sleep (no timer runs while Hotline is idle).
	flushWake, goneWake chan struct{}

	// folding is set while a frame is folded in FlushOnIdle mode: its
	// changes wait for the owner's Flush and wake no flush loop.
	folding bool

	hub hub
}

type callKey struct{ node, id string }

// Stats are counters of the tracker's work.
type Stats struct {
	Events     uint64 // frames handed to Handle
	Skipped    uint64 // frames of types the tracker does not use
	Duplicates uint64 // events already folded
	Bad        uint64 // frames that could not be decoded
	Updates    uint64 // call updates made durable
	Open       int    // calls in progress (held in memory) now
}

// NewTracker returns a tracker; call Run to write its updates to the store.
func NewTracker(opts TrackerOptions) *Tracker {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	switch {
	case opts.Journal == nil && opts.Store == nil:
		opts.Journal = discardJournal{} // nothing would ever read it
	case opts.Journal == nil:
		opts.Journal = newMemJournal(1 << 16)
	}
	if opts.WriteBatch <= 0 {
		opts.WriteBatch = 500
	}
	if opts.RESTTimeout <= 0 {
		opts.RESTTimeout = 2 * time.Second
	}
	if opts.GoneGrace <= 0 {
		opts.GoneGrace = defaultGoneGrace
	}
	if opts.Normalize == nil {
		opts.Normalize = func(s string) string { return s }
	}
	return &Tracker{
		opts:     opts,
		log:      opts.Logger,
		now:      opts.Now,
		rules:    newRules(opts.Rules),
		calls:    make(map[callKey]*callState),
		channels: make(map[callKey]*callState),
		lastSeen: make(map[string]time.Time),
		dirty:    make(map[*callState]struct{}),
		resumed:  make(map[string]bool),
		gone:     make(map[string]goneAtListing),
		hub:      hub{log: opts.Logger},

		flushWake: make(chan struct{}, 1),
		goneWake:  make(chan struct{}, 1),
	}
}

// markDirty queues call c for the next flush and wakes the flush loop
// (unless the owner flushes the frame's changes: FlushOnIdle). Called
// with t.mu held.
func (t *Tracker) markDirty(c *callState) {
	t.dirty[c] = struct{}{}
	if !t.folding {
		wake(t.flushWake)
	}
}

// wake signals ch (buffered, size 1) without blocking.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Stats returns the tracker's counters.
func (t *Tracker) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.stats
	st.Open = len(t.calls)
	return st
}

// HandleFrame folds one raw ARI event of node. typ is the event's type when
// already known (ari.PeekType), "" to read it from raw. Events of types the
// tracker does not use are skipped without decoding.
func (t *Tracker) HandleFrame(node, typ string, raw []byte) {
	if typ == "" {
		typ, _ = ari.PeekType(raw)
	}
	t.mu.Lock()
	t.stats.Events++
	if !handledTypes[typ] {
		t.stats.Skipped++
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	ev, at, err := decodeWire(raw)
	if err != nil {
		t.mu.Lock()
		t.stats.Bad++
		t.mu.Unlock()
		t.log.Warn("skipping undecodable ARI event", "node", node, "type", typ, "err", err)
		return
	}
	linked := t.resolveLinkedID(node, ev)
	t.mu.Lock()
	t.folding = t.opts.FlushOnIdle
	t.settleGoneBefore(node, at)
	t.fold(node, ev, at, linked)
	t.folding = false
	flushNow := t.opts.FlushInterval == 0 && !t.opts.FlushOnIdle
	t.mu.Unlock()
	if flushNow {
		if err := t.Flush(); err != nil {
			t.log.Error("call journal append failed", "err", err)
		}
	}
}

// resolveLinkedID reads the linkedid of a channel the tracker has not seen
// and whose event carries no channelvars, once, over REST (outside the lock).
func (t *Tracker) resolveLinkedID(node string, ev *wireEvent) string {
	ch := primaryChannel(ev)
	if ch == nil || ch.linkedID() != "" || t.opts.Channels == nil {
		return ""
	}
	t.mu.Lock()
	_, known := t.channels[callKey{node, ch.ID}]
	t.mu.Unlock()
	if known || ev.Type == ari.TypeChannelDestroyed || ev.Type == ari.TypeChannelHangupRequest {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), t.opts.RESTTimeout)
	defer cancel()
	id, err := t.opts.Channels.LinkedID(ctx, node, ch.ID)
	if err != nil {
		t.log.Warn("cannot read linkedid; using the channel's own id", "node", node, "channel", ch.ID, "err", err)
		return ""
	}
	return id
}

// primaryChannel is the channel an event is about.
func primaryChannel(ev *wireEvent) *wireChannel {
	switch ev.Type {
	case ari.TypeDial:
		return ev.Peer
	case ari.TypeBridgeAttendedTransfer:
		return ev.TransfererFirstLeg
	}
	return ev.Channel
}

// eventKey is an event's identity: node, type, timestamp, channel and the
// fields that tell two events of the same instant apart (FNV-1a over
// them, each after a zero byte).
func eventKey(node string, ev *wireEvent) uint64 {
	h := fnvString(fnvOffset, node)
	// The timestamp as Asterisk wrote it: keys are kept in the journaled
	// state of open calls, so they must not change between versions.
	var buf [len(ari.TimeLayout) + 8]byte
	h = fnvField(h, ev.Type)
	h = fnvBytes(fnvByte(h, 0), ev.Timestamp.AppendFormat(buf[:0], ari.TimeLayout))
	h = fnvField(h, ev.DialStatus)
	h = fnvField(h, ev.Digit)
	h = fnvBytes(fnvByte(h, 0), strconv.AppendInt(buf[:0], int64(ev.Cause), 10))
	h = fnvBytes(fnvByte(h, 0), strconv.AppendBool(buf[:0], ev.Soft))
	if ch := primaryChannel(ev); ch != nil {
		h = fnvField(fnvField(h, ch.ID), ch.State)
	}
	if ev.Bridge != nil {
		h = fnvField(h, ev.Bridge.ID)
	}
	return h
}

// FNV-1a, 64 bits (hash/fnv's New64a), without its allocations.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = fnvByte(h, s[i])
	}
	return h
}

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = fnvByte(h, c)
	}
	return h
}

// fnvField hashes a zero byte, then s.
func fnvField(h uint64, s string) uint64 { return fnvString(fnvByte(h, 0), s) }
