package telephony

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// journalJSON are the options of journal records: the v2 encoder (several
// times faster than encoding/json on call updates), tolerant of invalid
// UTF-8 in caller names so that no update is ever refused.
var journalJSON = jsonv2.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// Flush makes every changed call durable in the journal (one update per
// call), in order with earlier flushes.
func (t *Tracker) Flush() error {
	t.flushMu.Lock()
	defer t.flushMu.Unlock()
	t.mu.Lock()
	recs := make([][]byte, 0, len(t.dirty))
	var firstErr error
	for c := range t.dirty {
		b, err := t.encodeUpdate(c)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if err == nil {
			recs = append(recs, b)
		}
		c.pending = c.pending[:0]
		delete(t.dirty, c)
		if c.gone {
			t.forget(c)
		}
	}
	t.stats.Updates += uint64(len(recs))
	t.mu.Unlock()
	if len(recs) > 0 {
		if err := t.opts.Journal.Append(recs...); err != nil {
			return fmt.Errorf("append %d call updates to the journal: %w", len(recs), err)
		}
	}
	return firstErr
}

// forget drops an ended or merged call from memory.
func (t *Tracker) forget(c *callState) {
	k := callKey{c.rec.Node, c.rec.LinkedID}
	if t.calls[k] == c {
		delete(t.calls, k)
	}
	for _, l := range c.rec.Legs {
		ck := callKey{c.rec.Node, l.ChannelID}
		if t.channels[ck] == c {
			delete(t.channels, ck)
		}
	}
}

// journalRecord is how a CallUpdate is written to the journal: the same
// JSON as CallUpdate, encoded in one pass (the state is not encoded apart
// and copied in as raw JSON).
type journalRecord struct {
	Version  int             `json:"version"`
	Call     *Call           `json:"call"`
	Timeline []TimelineEntry `json:"timeline,omitempty"`
	State    *trackState     `json:"state,omitempty"`
}

func (t *Tracker) encodeUpdate(c *callState) ([]byte, error) {
	r := journalRecord{Version: c.st.Version, Call: &c.rec, Timeline: c.pending}
	if c.rec.EndedAt == nil { // only open calls are ever resumed from their state
		c.compute(c.st.LastEvent)
		r.State = &c.st
	}
	b, err := jsonv2.Marshal(&r, journalJSON)
	if err != nil {
		return nil, fmt.Errorf("encode call %s: %w", c.rec.LinkedID, err)
	}
	return b, nil
}

// Run flushes on FlushInterval and writes journaled updates to the store
// until ctx is done; then it flushes and writes what it can and returns.
func (t *Tracker) Run(ctx context.Context) error {
	if t.opts.FlushInterval > 0 {
		go t.flushLoop(ctx)
	} else if t.opts.FlushOnIdle {
		defer t.finalFlush() // what the owner's last Flush left
	}
	go t.goneLoop(ctx, 100*time.Millisecond)
	if t.opts.Store == nil {
		<-ctx.Done()
		return nil
	}
	backoff := 50 * time.Millisecond
	// A journal that signals its appends (the spool, the in-memory one)
	// needs no polling; another is polled every 100 ms.
	var poll <-chan time.Time
	if t.journalReady() == nil {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		poll = tick.C
	}
	for {
		n, err := t.writeBatch(ctx)
		switch {
		case err != nil:
			t.log.Error("saving calls failed; updates wait in the journal", "err", err, "retry_in", backoff)
			if !sleepCtx(ctx, backoff) {
				return nil
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		case n > 0:
			backoff = 50 * time.Millisecond
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.journalReady():
		case <-poll:
		}
		if t.opts.WriteDelay > 0 && !sleepCtx(ctx, t.opts.WriteDelay) {
			return nil
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

func (t *Tracker) journalReady() <-chan struct{} {
	if r, ok := t.opts.Journal.(interface{ Ready() <-chan struct{} }); ok {
		return r.Ready()
	}
	return nil
}

// flushLoop flushes FlushInterval after the first change since the last
// flush, so that the changes of that interval go to the journal together;
// with no change it sleeps. With FlushOnIdle only changes that do not come
// from frames wake it.
func (t *Tracker) flushLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			t.finalFlush()
			return
		case <-t.flushWake:
		}
		sleepCtx(ctx, t.opts.FlushInterval)
		if err := t.Flush(); err != nil {
			t.log.Error("flush failed", "err", err)
		}
	}
}

// finalFlush flushes when the tracker stops.
func (t *Tracker) finalFlush() {
	if err := t.Flush(); err != nil {
		t.log.Error("final flush failed", "err", err)
	}
}

// writeBatch saves the oldest journaled updates and commits them; it
// returns how many records it wrote. The records go to the store as they
// are: only those of ended calls are decoded, for EndedSaved.
func (t *Tracker) writeBatch(ctx context.Context) (int, error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	recs, last, err := t.opts.Journal.Next(t.opts.WriteBatch)
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	if err := t.opts.Store.SaveCalls(ctx, recs); err != nil {
		return 0, err
	}
	if err := t.opts.Journal.Commit(last); err != nil {
		return 0, fmt.Errorf("commit journal: %w", err)
	}
	if t.opts.EndedSaved != nil {
		ended, err := endedCalls(recs)
		if err != nil {
			t.log.Error("an ended call not handed on", "err", err)
		}
		if len(ended) > 0 {
			t.opts.EndedSaved(ctx, ended)
		}
	}
	return len(recs), nil
}

// Drain ends the reading of events: legs missing from a listing that no
// queued event ended are settled (gone.go); then it writes every journaled
// update to the store (after a Flush).
func (t *Tracker) Drain(ctx context.Context) error {
	t.settleAllGone()
	return t.drain(ctx)
}

// drain writes every journaled update to the store (after a Flush).
func (t *Tracker) drain(ctx context.Context) error {
	if err := t.Flush(); err != nil {
		return err
	}
	if t.opts.Store == nil {
		return errors.New("tracker has no store")
	}
	for {
		n, err := t.writeBatch(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

// stateKey marks the record of an open call: the journal writes a call's
// state only while the call is open (encodeUpdate), and no field of Call,
// Leg, Transfer or TimelineEntry is named "state" (a JSON string holds no
// unescaped quote, so the bytes cannot come from a value either).
var stateKey = []byte(`"state":`)

// endedCalls returns the final records of the calls that records end
// (EndedAt set, not merged): per call the record of the newest version
// (the later one of equal versions), as the store keeps it. Only the
// records of ended calls are decoded (their timelines skipped); one that
// does not decode is left out and reported.
func endedCalls(records [][]byte) ([]Call, error) {
	var (
		out      []Call
		versions []int
		idx      map[callKey]int
		firstErr error
	)
	for _, b := range records {
		if bytes.Contains(b, stateKey) {
			continue
		}
		var u struct {
			Version int  `json:"version"`
			Call    Call `json:"call"`
		}
		if err := jsonv2.Unmarshal(b, &u, journalJSON); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("decode journaled call update: %w", err)
			}
			continue
		}
		if u.Call.EndedAt == nil {
			continue
		}
		k := callKey{u.Call.Node, u.Call.LinkedID}
		if i, ok := idx[k]; ok {
			if u.Version >= versions[i] {
				out[i], versions[i] = u.Call, u.Version
			}
			continue
		}
		if idx == nil {
			idx = map[callKey]int{}
		}
		idx[k] = len(out)
		out, versions = append(out, u.Call), append(versions, u.Version)
	}
	return slices.DeleteFunc(out, func(c Call) bool { return c.MergedInto != "" }), firstErr
}

// memJournal is a bounded in-memory Journal for tests and for running
// without a spool directory (updates are lost on a crash).
type memJournal struct {
	mu      sync.Mutex
	cond    *sync.Cond
	recs    [][]byte
	first   uint64 // id of recs[0]
	limit   int
	readyCh chan struct{}
}

func newMemJournal(limit int) *memJournal {
	j := &memJournal{limit: limit, first: 1, readyCh: make(chan struct{}, 1)}
	j.cond = sync.NewCond(&j.mu)
	return j
}

func (j *memJournal) Append(records ...[]byte) error {
	j.mu.Lock()
	for len(j.recs)+len(records) > j.limit && len(j.recs) > 0 {
		j.cond.Wait()
	}
	j.recs = append(j.recs, records...)
	j.mu.Unlock()
	select {
	case j.readyCh <- struct{}{}:
	default:
	}
	return nil
}

func (j *memJournal) Next(max int) ([][]byte, uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := min(max, len(j.recs))
	return j.recs[:n:n], j.first + uint64(n) - 1, nil
}

func (j *memJournal) Commit(last uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := int(last - j.first + 1)
	if n <= 0 || n > len(j.recs) {
		return nil
	}
	j.recs = j.recs[n:]
	j.first = last + 1
	j.cond.Broadcast()
	return nil
}

func (j *memJournal) Ready() <-chan struct{} { return j.readyCh }

// discardJournal drops updates: a tracker without a store only feeds its
// subscribers.
type discardJournal struct{}

func (discardJournal) Append(...[]byte) error             { return nil }
func (discardJournal) Next(int) ([][]byte, uint64, error) { return nil, 0, nil }
func (discardJournal) Commit(uint64) error                { return nil }
