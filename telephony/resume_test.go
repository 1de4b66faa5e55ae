package telephony

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"hotline/telephony/ari/aritest/transcripts"

	"hotline/telephony/ari"
)

// memStore is a CallStore in memory that, like crm/postgres, keeps the
// newest version of every call.
type memStore struct {
	mu    sync.Mutex
	calls map[callKey]CallUpdate
}

var _ CallStore = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{calls: map[callKey]CallUpdate{}} }

func (s *memStore) SaveCalls(_ context.Context, recs [][]byte) error {
	ups, err := decodeUpdates(recs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range ups {
		k := callKey{u.Call.Node, u.Call.LinkedID}
		if old, ok := s.calls[k]; ok && old.Version >= u.Version {
			continue
		}
		u.Timeline = nil
		s.calls[k] = u
	}
	return nil
}

func (s *memStore) OpenCalls(_ context.Context, node string) ([]CallUpdate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CallUpdate
	for k, u := range s.calls {
		if k.node == node && u.Call.EndedAt == nil && u.Call.MergedInto == "" {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b CallUpdate) int { return a.Call.StartedAt.Compare(b.Call.StartedAt) })
	return out, nil
}

// records returns the stored calls by linkedid.
func (s *memStore) records() map[string]Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Call, len(s.calls))
	for k, u := range s.calls {
		out[k.id] = u.Call
	}
	return out
}

// liveAt is what GET /channels reports after the first n frames of a
// transcript: the channels created and not destroyed, in their last state.
func liveAt(frames [][]byte, n int) []LiveChannel {
	live := map[string]*LiveChannel{}
	var order []string
	for _, raw := range frames[:n] {
		ev, _, err := decodeWire(raw)
		if err != nil {
			continue
		}
		for _, ch := range []*wireChannel{ev.Channel, ev.Peer, ev.Caller, ev.Transferee, ev.TransfererFirstLeg, ev.TransfererSecondLeg, ev.TransferTarget} {
			if ch == nil || ch.ID == "" {
				continue
			}
			l, ok := live[ch.ID]
			if !ok {
				if ev.Type != ari.TypeChannelCreated || ch != ev.Channel {
					continue
				}
				l = &LiveChannel{ID: ch.ID, CreatedAt: ch.CreationTime}
				live[ch.ID] = l
				order = append(order, ch.ID)
			}
			l.Name, l.State, l.CallerNumber, l.CallerName = ch.Name, ch.State, ch.Caller.Number, ch.Caller.Name
			l.Context, l.Exten, l.LinkedID = ch.Dialplan.Context, ch.Dialplan.Exten, ch.linkedID()
		}
		if ev.Type == ari.TypeChannelDestroyed && ev.Channel != nil {
			delete(live, ev.Channel.ID)
		}
	}
	out := make([]LiveChannel, 0, len(live))
	for _, id := range order {
		if l, ok := live[id]; ok {
			out = append(out, *l)
		}
	}
	return out
}

// handledAt are the indexes of the frames the tracker folds.
func handledAt(frames [][]byte) []int {
	var out []int
	for i, raw := range frames {
		ev, _, err := decodeWire(raw)
		if err == nil && handledTypes[ev.Type] {
			out = append(out, i)
		}
	}
	return out
}

type resumeRig struct {
	frames [][]byte
	md     []byte
}

func (r resumeRig) tracker(tb testing.TB, store CallStore, live []LiveChannel) *Tracker {
	fc := newFakeChannels(r.md, r.frames)
	fc.live = live
	// a clock that stands still: the grace of legs missing from the listing
	// never passes while the queued frames are fed, however slow the machine
	now := time.Now()
	return NewTracker(TrackerOptions{Store: store, Roster: goldenRoster, Channels: fc, Rules: goldenRules, Normalize: normalizeRU,
		Now: func() time.Time { return now }})
}

func (r resumeRig) feed(tr *Tracker, frames [][]byte) {
	for _, raw := range frames {
		tr.HandleFrame("pbx1", "", raw)
	}
}

// reference is what a tracker that never stopped records.
func (r resumeRig) reference(tb testing.TB) map[string]Call {
	store := newMemStore()
	tr := r.tracker(tb, store, nil)
	r.feed(tr, r.frames)
	if err := tr.Drain(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return store.records()
}

// restarted runs a tracker over the first k frames, stops it, and starts
// another that resumes from the store and reconciles with the channels of
// the first j frames (j >= k: the frames k..j wait on the event socket
// while GET /channels runs), then folds the frames from k on. With
// restart false the same tracker reconnects instead.
func (r resumeRig) restarted(tb testing.TB, k, j int, restart bool) map[string]Call {
	ctx := context.Background()
	store := newMemStore()
	live := liveAt(r.frames, j)
	first := r.tracker(tb, store, live)
	r.feed(first, r.frames[:k])
	if err := first.Drain(ctx); err != nil {
		tb.Fatal(err)
	}
	second := first
	if restart {
		second = r.tracker(tb, store, live)
	}
	if err := second.Reconcile(ctx, "pbx1"); err != nil {
		tb.Fatal(err)
	}
	r.feed(second, r.frames[k:])
	if err := second.Drain(ctx); err != nil {
		tb.Fatal(err)
	}
	return store.records()
}

// comparable clears what a gap changes by design: its count.
func comparable(c Call) Call {
	c.Gaps = 0
	return c
}

// A tracker that is (re)started and reconciles while events are already
// queued on its event socket ends with the very records of a tracker that
// never stopped: the state GET /channels reports for a leg whose events
// are still to come (the agent's phone ringing, a leg answered) is
// replaced by the exact time of those events when they arrive, and an
// adopted leg is described by its ChannelCreated (dialplan position at
// creation, not at the listing). Every split of several recorded calls is
// tried: k frames before the stop, GET /channels as of frame j >= k, as
// long as the listing does not contradict the queued events (see
// listingDisagrees).
func TestReconcileBeforeQueuedEventsIsExact(t *testing.T) {
	dir := transcripts.Dir(t)
	names := []string{
		"with-linkedid/sip-inbound-direct", "with-linkedid/sip-inbound-queue", "with-linkedid/sip-inbound-noanswer",
		"with-linkedid/sip-outbound", "with-linkedid/sip-internal", "with-linkedid/sip-hold",
		"with-linkedid/sip-blind-transfer", "with-linkedid/sip-attended-transfer",
		"inbound-to-agent", "outbound-answered",
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			frames := readLines(t, filepath.Join(dir, name+".jsonl"))
			md, _ := os.ReadFile(filepath.Join(dir, name+".md"))
			r := resumeRig{frames: frames, md: md}
			want := r.reference(t)
			idx := append(handledAt(frames), len(frames))
			failures := 0
			for a, k := range idx {
				for _, j := range idx[a:] {
					if listingDisagrees(frames, k, j) {
						break
					}
					for _, restart := range []bool{true, false} {
						got := r.restarted(t, k, j, restart)
						if d := diffCalls(want, got); d != "" && failures < 5 {
							failures++
							t.Errorf("stopped after frame %d, channels listed as of frame %d, restart %v:\n%s", k, j, restart, d)
						}
					}
				}
			}
		})
	}
}

// listingDisagrees reports whether, in frames[k:j], a channel moves to
// another linkedid (an attended transfer: the listing puts it in the call
// its queued ChannelCreated does not name): that is not made exact yet. (A
// channel that ends there is checked: the listing lacks it, and its queued
// hangup ends it, gone.go.) Or whether a channel seen before k goes up there
// without ever ringing (a Local channel's second half): listed Up, it is
// rung so that a screen pop opens, as it may have rung while nobody had
// the stream; nothing tells the restarted tracker it did not.
func listingDisagrees(frames [][]byte, k, j int) bool {
	linked := map[string]string{}
	rang, seen := map[string]bool{}, map[string]bool{}
	for _, raw := range frames {
		if ev, _, err := decodeWire(raw); err == nil && ev.Channel != nil && ev.Channel.State == "Ringing" {
			rang[ev.Channel.ID] = true
		}
	}
	for i, raw := range frames[:j] {
		ev, _, err := decodeWire(raw)
		if err != nil {
			continue
		}
		if ch := ev.Channel; i >= k && ev.Type == ari.TypeChannelStateChange && ch.State == "Up" && !rang[ch.ID] {
			if seen[ch.ID] {
				return true
			}
		}
		if i < k && ev.Channel != nil {
			seen[ev.Channel.ID] = true
		}
		for _, ch := range []*wireChannel{ev.Channel, ev.Peer, ev.Caller, ev.Transferee, ev.TransfererFirstLeg, ev.TransfererSecondLeg, ev.TransferTarget} {
			if ch == nil || ch.linkedID() == "" {
				continue
			}
			if was, ok := linked[ch.ID]; !ok {
				linked[ch.ID] = ch.linkedID()
			} else if was != ch.linkedID() && i >= k {
				return true
			}
		}
	}
	return false
}

func diffCalls(want, got map[string]Call) string {
	out := ""
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			out += fmt.Sprintf("call %s missing\n", id)
			continue
		}
		w, g = comparable(w), comparable(g)
		if reflect.DeepEqual(w, g) {
			continue
		}
		out += fmt.Sprintf("call %s:\n  want %s\n  got  %s\n", id, callSummary(w), callSummary(g))
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			out += fmt.Sprintf("extra call %s\n", id)
		}
	}
	return out
}

func callSummary(c Call) string {
	s := fmt.Sprintf("%s %s caller %s callee %s agent %s agents %v answered %s ended %s wait %.3f ring %.3f talk %.3f hold %.3f by %s cause %d reconciled %v merged %q transfers %d",
		c.Direction, c.Outcome, c.Caller, c.Callee, c.Agent, c.Agents, tm(c.AnsweredAt), tm(c.EndedAt), c.WaitSeconds, c.RingSeconds,
		c.TalkSeconds, c.HoldSeconds, c.HangupBy, c.HangupCause, c.ClosedByReconciliation, c.MergedInto, len(c.Transfers))
	for _, l := range c.Legs {
		s += fmt.Sprintf("\n    leg %s %s/%s num %s ring %s up %s end %s talked %v cause %d %q dial %s",
			l.ChannelID, l.Context, l.Exten, l.Number, tm(l.RingingAt), tm(l.AnsweredAt), tm(l.EndedAt), l.Talked, l.Cause, l.CauseText, l.DialStatus)
	}
	return s
}

func tm(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format("15:04:05.000")
}
