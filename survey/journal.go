package survey

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"hotline/crm"
)

// Journal is a durable, ordered queue of records on disk (cmd/hotline
// gives a telephony/spool.Spool of its own). A survey write that cannot
// reach the database (it is down or restarting) is appended here instead
// of being lost, and so is every later write of the same survey, to keep
// their order; the runner replays them when the database is back.
type Journal interface {
	// Append makes records durable in order.
	Append(records ...[]byte) error
	// Next returns up to max of the oldest uncommitted records (the same
	// ones again until they are committed) and the id of the last one.
	Next(max int) (records [][]byte, last uint64, err error)
	// Commit marks every record up to last as stored.
	Commit(last uint64) error
	// Ready is signalled after an Append.
	Ready() <-chan struct{}
	// Pending is the number of records not yet committed.
	Pending() uint64
}

// op is the kind of write a journal entry holds.
type op string

const (
	opStart  op = "start"  // insert the response
	opAnswer op = "answer" // save an answer, open the follow-up of a low score
	opFinish op = "finish" // record the final state, add the timeline entry
)

// entry is one journaled write. Replaying an entry is idempotent: the
// response is unique per node and channel (a second insert is a conflict),
// an answer per response and question index, a follow-up ticket per
// response and question, a timeline entry per response, and the final
// state is only set on a response still in progress. Entries find their
// response by node and channel, so that writes made before the response
// row existed (the database was down when the survey began) find it.
type entry struct {
	Op       op        `json:"op"`
	Survey   string    `json:"survey"` // the survey's name, for follow-ups and the timeline
	Response Response  `json:"response"`
	Answer   *Answer   `json:"answer,omitempty"`
	Question *Question `json:"question,omitempty"`
}

// Backoff of the replay while the database refuses the writes.
const (
	replayMinBackoff = 100 * time.Millisecond
	replayMaxBackoff = 5 * time.Second
)

// permanent reports whether the store refused a write for good (bad data,
// a duplicate, a missing row): retrying it cannot succeed. Anything else
// (a connection error, a restart) is worth retrying.
func permanent(err error) bool {
	switch crm.KindOf(err) {
	case crm.KindInvalid, crm.KindNotFound, crm.KindConflict:
		return true
	}
	return false
}

// journal appends e to the journal.
func (r *Runner) journal(e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("survey: encode journal entry: %w", err)
	}
	if err := r.opts.Journal.Append(b); err != nil {
		return fmt.Errorf("survey: journal %s: %w", e.Op, err)
	}
	r.metrics.journaled.WithLabelValues(string(e.Op)).Inc()
	return nil
}

// Replay writes every journaled write to the store, oldest first; it
// returns when the journal is empty or at the first error the database
// may recover from (the write stays in the journal).
func (r *Runner) Replay(ctx context.Context) error {
	if r.opts.Journal == nil {
		return nil
	}
	for {
		more, err := r.replayOne(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// replayLoop replays the journal whenever something is appended, retrying
// with backoff while the database is down, until the runner closes.
func (r *Runner) replayLoop() {
	defer r.wg.Done()
	backoff := replayMinBackoff
	for {
		more, err := r.replayOne(r.ctx)
		switch {
		case r.ctx.Err() != nil:
			return
		case err != nil:
			r.log.Warn("survey: replaying journaled writes failed; they wait in the journal",
				slog.Any("err", err), slog.Duration("retry_in", backoff))
			if !r.sleep(backoff) {
				return
			}
			backoff = min(backoff*2, replayMaxBackoff)
			continue
		case more:
			backoff = replayMinBackoff
			continue
		}
		select {
		case <-r.ctx.Done():
			return
		case <-r.opts.Journal.Ready():
		}
	}
}

// sleep waits d on the runner's clock; false when the runner closes first.
func (r *Runner) sleep(d time.Duration) bool {
	c := make(chan struct{})
	t := r.clock.AfterFunc(d, func() { close(c) })
	defer t.Stop()
	select {
	case <-c:
		return true
	case <-r.ctx.Done():
		return false
	}
}

// replayOne writes the oldest journaled entry and commits it; more is
// false when the journal is empty. An entry the store refuses for good is
// logged in full and dropped, so that it does not hold back the others.
func (r *Runner) replayOne(ctx context.Context) (more bool, err error) {
	r.replayMu.Lock()
	defer r.replayMu.Unlock()
	recs, last, err := r.opts.Journal.Next(1)
	if err != nil || len(recs) == 0 {
		return false, err
	}
	var e entry
	if err = json.Unmarshal(recs[0], &e); err != nil {
		err = crm.Errorf(crm.KindInvalid, "undecodable journal entry: %v", err)
	} else {
		err = r.apply(ctx, e)
	}
	if err != nil && !permanent(err) {
		return false, fmt.Errorf("replay %s of channel %s: %w", e.Op, e.Response.ChannelID, err)
	}
	if err != nil {
		r.log.Error("survey: the database refuses a journaled write; it is dropped",
			slog.String("entry", string(recs[0])), slog.Any("err", err))
		r.metrics.dropped.Inc()
	}
	if err := r.opts.Journal.Commit(last); err != nil {
		return false, fmt.Errorf("survey: commit the journal: %w", err)
	}
	return true, nil
}

// apply performs one journaled write.
func (r *Runner) apply(ctx context.Context, e entry) error {
	sv := Survey{ID: e.Response.SurveyID, Name: e.Survey}
	switch e.Op {
	case opStart:
		resp := e.Response
		if err := r.relink(ctx, &resp); err != nil {
			return err
		}
		err := r.opts.Store.StartResponse(ctx, &resp)
		if crm.IsKind(err, crm.KindConflict) {
			return nil // the insert reached the database before its error did
		}
		return err
	case opAnswer:
		if e.Answer == nil || e.Question == nil {
			return crm.Errorf(crm.KindInvalid, "journaled answer without its answer or question")
		}
		resp, err := r.stored(ctx, e.Response)
		if err != nil {
			return err
		}
		a := *e.Answer
		a.ResponseID = resp.ID
		return r.saveAnswer(ctx, sv, resp, *e.Question, a)
	case opFinish:
		resp, err := r.stored(ctx, e.Response)
		if err != nil {
			return err
		}
		if err := r.relink(ctx, &resp); err != nil {
			return err
		}
		return r.finish(ctx, sv, resp)
	}
	return crm.Errorf(crm.KindInvalid, "unknown journal entry %q", e.Op)
}

// stored returns resp with the id, and the links it lacks, of its row.
func (r *Runner) stored(ctx context.Context, resp Response) (Response, error) {
	row, err := r.opts.Store.ResponseByChannel(ctx, resp.Node, resp.ChannelID)
	if err != nil {
		return resp, fmt.Errorf("find the response of channel %s: %w", resp.ChannelID, err)
	}
	resp.ID = row.ID
	resp.Agent = cmp.Or(resp.Agent, row.Agent)
	resp.ClientID = firstNonNil(resp.ClientID, row.ClientID)
	resp.ContactID = firstNonNil(resp.ContactID, row.ContactID)
	return resp, nil
}

// relink fills the agent, client and campaign contact a response lacks
// (the database was down when the survey began); a link that cannot be
// found is not an error.
func (r *Runner) relink(ctx context.Context, resp *Response) error {
	if resp.Agent != "" && resp.ClientID != nil {
		return nil
	}
	link, err := r.opts.Store.LinkCall(ctx, resp.Node, resp.LinkedID, resp.ChannelID, resp.Caller)
	if err != nil {
		if permanent(err) {
			return nil
		}
		return fmt.Errorf("link survey call: %w", err)
	}
	resp.Agent = cmp.Or(resp.Agent, link.Agent)
	resp.ClientID = firstNonNil(resp.ClientID, link.ClientID)
	resp.ContactID = firstNonNil(resp.ContactID, link.ContactID)
	return nil
}

// saveAnswer stores a and opens the follow-up of a low score. A follow-up
// that fails is retried from the journal; one the ticket store refuses for
// good (or that fails without a journal) is logged.
func (r *Runner) saveAnswer(ctx context.Context, sv Survey, resp Response, q Question, a Answer) error {
	if err := r.opts.Store.SaveAnswer(ctx, a); err != nil {
		return err
	}
	if !a.Low || r.opts.FollowUps == nil {
		return nil
	}
	err := r.opts.FollowUps.OpenFollowUp(ctx, FollowUp{Survey: sv, Response: resp, Question: q, Value: a.Value})
	if err != nil && (permanent(err) || r.opts.Journal == nil) {
		r.log.Error("survey: open follow-up", slog.Int64("response", resp.ID), slog.Any("err", err))
		return nil
	}
	return err
}

// finish records the final state of resp and puts it on the client's
// timeline (once: a second entry for the same response is left out), in
// one round trip.
func (r *Runner) finish(ctx context.Context, sv Survey, resp Response) error {
	var i *crm.Interaction
	if r.opts.Timeline != nil && resp.ClientID != nil {
		i = &crm.Interaction{ClientID: *resp.ClientID, Kind: crm.InteractionSurvey, At: resp.StartedAt,
			Summary: Summary(sv, resp), RefType: "survey_response", RefID: fmt.Sprint(resp.ID)}
		if err := i.Validate(); err != nil { // the final state is stored all the same
			r.log.Error("survey: timeline", slog.Int64("response", resp.ID), slog.Any("err", err))
			i = nil
		}
	}
	return r.opts.Store.FinishResponse(ctx, resp, i)
}
