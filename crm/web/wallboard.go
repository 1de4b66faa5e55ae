package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"hotline/crm"
	"hotline/telephony"
	"hotline/telephony/wallboard"
)

// wallboardState is one frame of the wallboard socket (and the page's first render).
type wallboardState struct {
	wallboard.Snapshot
	CSAT *float64 `json:"csat,omitempty"` // today's share of 4 and 5, percent; absent without surveys
	// Names maps the agents' logins to their users' display names (logins
	// without a name are left out: the page shows the login).
	Names map[string]string `json:"names"`
}

func (s *supervisor) state(ctx context.Context) wallboardState {
	return wallboardState{Snapshot: s.opts.Board.Snapshot(), CSAT: s.todayCSAT(ctx), Names: s.agentNames(ctx)}
}

// wallboardView is the wallboard's first render (the socket keeps it live).
type wallboardView struct {
	Agents                            []wbAgent
	Waiting, LongestWait              string
	Calls, Answered, Missed, AvgTalk  string
	CSAT, Inbound, Outbound, Internal string
}

func (s *supervisor) wallboardPage(w http.ResponseWriter, r *http.Request) {
	st := s.state(r.Context())
	itoa := strconv.Itoa
	v := wallboardView{Agents: wbAgents(st.Snapshot, st.Names), Waiting: itoa(len(st.Waiting)), LongestWait: clock(st.LongestWaitSeconds),
		Calls: itoa(st.Today.Calls), Answered: itoa(st.Today.Answered), Missed: itoa(st.Today.Missed),
		AvgTalk: clock(st.Today.AvgTalkSeconds), CSAT: optPercent(st.CSAT),
		Inbound: itoa(st.Active[telephony.Inbound]), Outbound: itoa(st.Active[telephony.Outbound]),
		Internal: itoa(st.Active[telephony.Internal])}
	s.p.render(w, r, http.StatusOK, "supervisor_wallboard", "web.nav.wallboard", view{Data: v})
}

// wallboardSocket streams the wallboard state as JSON text frames: one at
// once, then after every change and every Tick (waiting times advance).
// The session cookie authenticates it; the browser's Origin must be this
// host (websocket.Accept checks it), so other sites cannot open it.
func (s *supervisor) wallboardSocket(w http.ResponseWriter, r *http.Request) {
	pr := crm.UserFromContext(r.Context())
	switch {
	case pr == nil:
		writeSocketProblem(w, http.StatusUnauthorized, "sign in to see the wallboard")
		return
	case !slices.Contains(crm.SupervisorOrAdmin, pr.Role):
		writeSocketProblem(w, http.StatusForbidden, "the wallboard is for supervisors and admins")
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context())
	changes, cancel := s.opts.Board.Changes()
	defer cancel()
	tick := time.NewTicker(s.opts.Tick)
	defer tick.Stop()
	for {
		if err := s.send(ctx, conn); err != nil {
			if !errors.Is(err, context.Canceled) && websocket.CloseStatus(err) == -1 {
				s.p.log.DebugContext(ctx, "wallboard socket closed", slog.Any("err", err))
			}
			return
		}
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case <-changes:
		case <-tick.C:
		}
	}
}

func (s *supervisor) send(ctx context.Context, conn *websocket.Conn) error {
	b, err := json.Marshal(s.state(ctx))
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, b)
}

func writeSocketProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": detail})
}
