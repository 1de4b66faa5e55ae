package aritest

import (
	"net/http"
	"strconv"
)

// hangupReasons maps DELETE ?reason= to Q.850 causes.
var hangupReasons = map[string]int{
	"": 16, "normal": 16, "busy": 17, "congestion": 34, "no_answer": 19, "timeout": 19,
	"rejected": 21, "unallocated": 1, "normal_unspecified": 31, "number_incomplete": 28,
	"codec_mismatch": 58, "interworking": 127, "failure": 38, "answered_elsewhere": 26,
}

func (s *Server) handleHangup(w http.ResponseWriter, r *http.Request, c *channel) {
	cause, ok := hangupReasons[r.URL.Query().Get("reason")]
	if code := r.URL.Query().Get("reason_code"); code != "" {
		n, err := strconv.Atoi(code)
		cause, ok = n, err == nil && n > 0 && n < 128
	}
	if !ok {
		writeJSON(w, http.StatusBadRequest, msg("Invalid reason for hangup reason provided"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
	if cause != 16 {
		c.hangupCause = cause
	}
	switch {
	case c.inStasis:
		s.stasisHangup(c, true)
	case c.half != 0:
		s.localHangup(c, 32, true)
	default:
		s.remoteHangup(c)
	}
}

func (s *Server) handleAnswer(w http.ResponseWriter, r *http.Request, c *channel) {
	w.WriteHeader(http.StatusNoContent)
	if c.state == "Up" {
		return
	}
	if c.half == 2 && c.local != nil {
		s.localAnswer(c.local)
		return
	}
	s.setState(c, "Up")
	if c.tech == "PJSIP" {
		s.callerInUse(c)
	}
}

func (s *Server) handleRing(w http.ResponseWriter, r *http.Request, c *channel) {
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleContinue(w http.ResponseWriter, r *http.Request, c *channel) {
	w.WriteHeader(http.StatusNoContent)
	s.leaveAppToDialplan(c)
}

func (s *Server) handleRedirect(w http.ResponseWriter, r *http.Request, c *channel) {
	if r.URL.Query().Get("endpoint") == "" {
		writeJSON(w, http.StatusBadRequest, msg("Endpoint parameter not provided"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
	s.leaveAppToDialplan(c)
}

// leaveAppToDialplan: the channel leaves Stasis and the simulated dialplan
// has nothing more for it, so it is hung up (soft 16).
func (s *Server) leaveAppToDialplan(c *channel) {
	if c.bridge != nil {
		s.leaveBridge(c.bridge, c)
	}
	s.endStasis(c)
	if c.half != 0 {
		s.localHangup(c, 16, true)
		return
	}
	s.dialplanHangup(c, nil)
}

func (s *Server) handleGetVar(w http.ResponseWriter, r *http.Request, c *channel) {
	name := r.URL.Query().Get("variable")
	if name == "" {
		writeJSON(w, http.StatusBadRequest, msg("Variable name is required"))
		return
	}
	switch name {
	case "CHANNEL(linkedid)":
		writeJSON(w, http.StatusOK, map[string]string{"value": c.linkedID})
		return
	case "CHANNEL(uniqueid)", "UNIQUEID":
		writeJSON(w, http.StatusOK, map[string]string{"value": c.id})
		return
	case "CHANNEL(name)":
		writeJSON(w, http.StatusOK, map[string]string{"value": c.name})
		return
	}
	v, ok := c.vars[name]
	if !ok {
		writeJSON(w, http.StatusNotFound, msg("Provided variable was not found"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"value": v})
}

func (s *Server) handleSetVar(w http.ResponseWriter, r *http.Request, c *channel) {
	q, _ := params(r)
	name := q.Get("variable")
	if name == "" {
		writeJSON(w, http.StatusBadRequest, msg("Variable name is required"))
		return
	}
	s.setVar(c, name, q.Get("value"))
	w.WriteHeader(http.StatusNoContent)
}

// handleSendDTMF: digits sent to the far end produce no event on c.
func (s *Server) handleSendDTMF(w http.ResponseWriter, r *http.Request, c *channel) {
	if r.URL.Query().Get("dtmf") == "" {
		writeJSON(w, http.StatusBadRequest, msg("DTMF is required"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
