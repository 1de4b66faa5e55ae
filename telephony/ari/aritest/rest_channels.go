package aritest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hotline/telephony/ari"
)

func (s *Server) restRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ari/asterisk/info", s.handleInfo)
	mux.HandleFunc("GET /ari/channels", s.handleListChannels)
	mux.HandleFunc("POST /ari/channels", s.handleOriginate)
	mux.HandleFunc("POST /ari/channels/create", s.handleCreate)
	mux.HandleFunc("POST /ari/channels/{id}", s.handleOriginate)
	mux.HandleFunc("GET /ari/channels/{id}", s.withChannel(s.handleGetChannel))
	mux.HandleFunc("DELETE /ari/channels/{id}", s.withChannel(s.handleHangup))
	mux.HandleFunc("POST /ari/channels/{id}/answer", s.inStasis(s.handleAnswer))
	mux.HandleFunc("POST /ari/channels/{id}/ring", s.inStasis(s.handleRing))
	mux.HandleFunc("DELETE /ari/channels/{id}/ring", s.inStasis(func(w http.ResponseWriter, r *http.Request, c *channel) { w.WriteHeader(http.StatusNoContent) }))
	mux.HandleFunc("POST /ari/channels/{id}/dial", s.withChannel(s.handleDial))
	mux.HandleFunc("POST /ari/channels/{id}/play", s.inStasis(s.handlePlayChannel))
	mux.HandleFunc("POST /ari/channels/{id}/play/{pid}", s.inStasis(s.handlePlayChannel))
	mux.HandleFunc("POST /ari/channels/{id}/continue", s.inStasis(s.handleContinue))
	mux.HandleFunc("POST /ari/channels/{id}/redirect", s.inStasis(s.handleRedirect))
	mux.HandleFunc("GET /ari/channels/{id}/variable", s.withChannel(s.handleGetVar))
	mux.HandleFunc("POST /ari/channels/{id}/variable", s.withChannel(s.handleSetVar))
	mux.HandleFunc("POST /ari/channels/{id}/dtmf", s.inStasis(s.handleSendDTMF))
	s.bridgeRoutes(mux)
	s.miscRoutes(mux)
}

type channelHandler func(w http.ResponseWriter, r *http.Request, c *channel)

// withChannel looks the channel up under s.mu and runs h with it held.
func (s *Server) withChannel(h channelHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c := s.channels[r.PathValue("id")]
		if c == nil {
			writeJSON(w, http.StatusNotFound, msg("Channel not found"))
			return
		}
		h(w, r, c)
	}
}

// inStasis is withChannel for operations that need the channel in the app.
func (s *Server) inStasis(h channelHandler) http.HandlerFunc {
	return s.withChannel(func(w http.ResponseWriter, r *http.Request, c *channel) {
		if !c.inStasis {
			writeJSON(w, http.StatusConflict, msg("Channel not in Stasis application"))
			return
		}
		h(w, r, c)
	})
}

func (s *Server) handleListChannels(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []channelJSON{}
	for _, c := range s.channelList() {
		out = append(out, c.json(s.opts.ChannelVarsLinkedID))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetChannel(w http.ResponseWriter, r *http.Request, c *channel) {
	writeJSON(w, http.StatusOK, c.json(s.opts.ChannelVarsLinkedID))
}

// params merges query parameters with a JSON body's scalar members and its
// "variables" object.
func params(r *http.Request) (url.Values, map[string]string) {
	q := r.URL.Query()
	vars := map[string]string{}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(body) > 0 {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				switch x := v.(type) {
				case string:
					if q.Get(k) == "" {
						q.Set(k, x)
					}
				case float64:
					if q.Get(k) == "" {
						q.Set(k, strconv.FormatFloat(x, 'f', -1, 64))
					}
				case map[string]any:
					if k == "variables" {
						for vk, vv := range x {
							if sv, ok := vv.(string); ok {
								vars[vk] = sv
							}
						}
					}
				}
			}
		}
	}
	return q, vars
}

var callerIDRe = regexp.MustCompile(`^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$`)

func parseCallerID(v string) CallerID {
	if m := callerIDRe.FindStringSubmatch(v); m != nil {
		return CallerID{Name: strings.TrimSpace(m[1]), Number: m[2]}
	}
	return CallerID{Number: strings.TrimSpace(v)}
}

// checkEndpoint validates an originate endpoint like Asterisk does.
func (s *Server) checkEndpoint(w http.ResponseWriter, endpoint string) (tech, resource string, ok bool) {
	if endpoint == "" {
		writeJSON(w, http.StatusBadRequest, msg("Endpoint must be specified"))
		return "", "", false
	}
	tech, resource, found := strings.Cut(endpoint, "/")
	if !found {
		writeJSON(w, http.StatusBadRequest, msg("Invalid endpoint specified"))
		return "", "", false
	}
	switch {
	case strings.EqualFold(tech, "Local") && resource != "":
		if !strings.Contains(resource, "@") {
			resource += "@default"
		}
		return "Local", resource, true
	case strings.EqualFold(tech, "PJSIP"):
		if _, agent := s.agents[resource]; agent {
			return "PJSIP", resource, true
		}
		if num, trunk, ok := strings.Cut(resource, "@"); ok && trunk == "pstn" && num != "" {
			return "PJSIP", resource, true
		}
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Allocation failed"})
	return "", "", false
}

// handleOriginate serves POST /channels and POST /channels/{channelId}.
func (s *Server) handleOriginate(w http.ResponseWriter, r *http.Request) {
	q, vars := params(r)
	id := q.Get("channelId")
	if pv := r.PathValue("id"); pv != "" {
		id = pv
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tech, resource, ok := s.checkEndpoint(w, q.Get("endpoint"))
	if !ok {
		return
	}
	app, exten := q.Get("app"), q.Get("extension")
	if app == "" && exten == "" {
		writeJSON(w, http.StatusBadRequest, msg("Application or extension must be specified"))
		return
	}
	if id != "" && s.channels[id] != nil {
		writeJSON(w, http.StatusConflict, msg("Channel with given unique ID already exists"))
		return
	}
	caller := parseCallerID(q.Get("callerId"))
	timeout := 30 * time.Second
	if t, err := strconv.Atoi(q.Get("timeout")); err == nil && t > 0 {
		timeout = time.Duration(t) * time.Second
	}
	var args []string
	if a := q.Get("appArgs"); a != "" {
		args = strings.Split(a, ",")
	}
	originator, ok := s.originator(w, q)
	if !ok {
		return
	}
	if tech == "PJSIP" {
		c := s.originatePJSIP(resource, id, originateSpec{caller: caller, vars: vars, originator: originator,
			app: app, args: args, context: q.Get("context"), exten: exten, timeout: timeout})
		writeJSON(w, http.StatusOK, c.json(s.opts.ChannelVarsLinkedID))
		return
	}
	lc := s.originateLocal(resource, id, q, vars, caller, originator, args, timeout)
	writeJSON(w, http.StatusOK, lc.one.json(s.opts.ChannelVarsLinkedID))
}

// originateLocal creates a Local pair for POST /channels: half 1 enters the
// app once answered, or runs context/extension. Caller holds s.mu.
func (s *Server) originateLocal(resource, id string, q url.Values, vars map[string]string, caller CallerID, originator *channel, args []string, timeout time.Duration) *localCall {
	lc := s.newLocal(resource, id, q.Get("otherChannelId"), caller, originator)
	lc.timeout = timeout
	s.dialplanApp(lc.one, "AppDial2", "(Outgoing Line)")
	lc.one.dp.Priority = 1
	hasCaller := caller != (CallerID{})
	if hasCaller {
		lc.one.caller = caller
		s.emitCallerID(lc.one)
		lc.one.connected = caller
		s.emitChannel(ari.TypeChannelConnectedLine, lc.one, nil)
	}
	for k, v := range vars {
		lc.vars[k] = v
		s.setVar(lc.one, k, v)
		s.setVar(lc.two, k, v)
	}
	if hasCaller {
		lc.two.caller, lc.two.connected = caller, caller
		s.emitCallerID(lc.two)
		s.emitChannel(ari.TypeChannelConnectedLine, lc.two, nil)
	}
	if q.Get("app") != "" {
		one := lc.one
		one.onAnswer = func() { s.enterAppAfterAnswer(one, args) }
	} else {
		lc.oneContext, lc.oneExten = q.Get("context"), q.Get("extension")
		if lc.oneContext == "" {
			lc.oneContext = "default"
		}
	}
	s.runLocal(lc)
	return lc
}

// originator resolves the originate/create "originator" parameter: the
// channel on whose behalf the new one is requested, whose linkedid it takes
// (Asterisk's ast_request with a requestor). An unknown id is refused with
// 400, as Asterisk's resource_channels.c does. Caller holds s.mu.
func (s *Server) originator(w http.ResponseWriter, q url.Values) (*channel, bool) {
	id := q.Get("originator")
	if id == "" {
		return nil, true
	}
	c := s.channels[id]
	if c == nil {
		writeJSON(w, http.StatusBadRequest, msg("Provided originator channel was not found"))
		return nil, false
	}
	return c, true
}

// emitCallerID emits ChannelCallerId with Asterisk's default presentation.
func (s *Server) emitCallerID(c *channel) {
	s.emitChannel(ari.TypeChannelCallerId, c, fields{"caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
}

// enterAppAfterAnswer: an originated channel enters the app once answered.
func (s *Server) enterAppAfterAnswer(c *channel, args []string) {
	if !s.appRegistered(appName) {
		s.setVar(c, "STASISSTATUS", "FAILED")
		return
	}
	s.setVar(c, "STASISSTATUS", "")
	s.startStasis(c, args)
}

// handleCreate serves POST /channels/create: the channel enters Stasis at
// once (state Down) and is dialled later with /dial.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	q, vars := params(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	tech, resource, ok := s.checkEndpoint(w, q.Get("endpoint"))
	if !ok {
		return
	}
	if q.Get("app") == "" {
		writeJSON(w, http.StatusBadRequest, msg("Application must be specified"))
		return
	}
	id := q.Get("channelId")
	if id != "" && s.channels[id] != nil {
		writeJSON(w, http.StatusConflict, msg("Channel with given unique ID already exists"))
		return
	}
	var args []string
	if a := q.Get("appArgs"); a != "" {
		args = strings.Split(a, ",")
	}
	originator, ok := s.originator(w, q)
	if !ok {
		return
	}
	if tech == "PJSIP" {
		c := s.createPJSIP(resource, id, originator, args)
		writeJSON(w, http.StatusOK, c.json(s.opts.ChannelVarsLinkedID))
		return
	}
	lc := s.newLocal(resource, id, q.Get("otherChannelId"), CallerID{}, originator)
	lc.viaDial = true
	for k, v := range vars {
		lc.vars[k] = v
	}
	s.dialplanApp(lc.one, "Stasis", appName+","+strings.Join(args, ","))
	s.setVar(lc.one, "STASISSTATUS", "")
	s.startStasis(lc.one, args)
	s.locals[lc.one.id] = lc
	writeJSON(w, http.StatusOK, lc.one.json(s.opts.ChannelVarsLinkedID))
}

// handleDial serves POST /channels/{id}/dial for a created channel.
func (s *Server) handleDial(w http.ResponseWriter, r *http.Request, c *channel) {
	q := r.URL.Query()
	timeout := time.Duration(0)
	if t, err := strconv.Atoi(q.Get("timeout")); err == nil && t > 0 {
		timeout = time.Duration(t) * time.Second
	}
	if lc := s.locals[c.id]; lc != nil && !lc.dialStarted {
		lc.timeout = timeout
		lc.dialStarted = true
		s.setVar(lc.two, "STASISSTATUS", "")
		if from := s.channels[q.Get("caller")]; from != nil {
			lc.two.caller = from.caller
			s.emitCallerID(lc.two)
		}
		s.emitDial(nil, lc.one, "", lc.dialstring)
		s.emitDevice(lc.device, "INUSE")
		s.runLocal(lc)
		delete(s.locals, c.id)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if pc := s.pjsipCreated[c.id]; pc != nil {
		delete(s.pjsipCreated, c.id)
		s.dialPJSIP(pc, timeout)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusConflict, msg("Channel is not in a state to be dialed"))
}
