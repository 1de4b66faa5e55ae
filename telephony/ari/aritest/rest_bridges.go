package aritest

import (
	"fmt"
	"net/http"
	"strings"

	"hotline/telephony/ari"
)

func (s *Server) bridgeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ari/bridges", s.handleListBridges)
	mux.HandleFunc("POST /ari/bridges", s.handleCreateBridge)
	mux.HandleFunc("POST /ari/bridges/{id}", s.handleCreateBridge)
	mux.HandleFunc("GET /ari/bridges/{id}", s.withBridge(func(w http.ResponseWriter, r *http.Request, b *bridge) {
		writeJSON(w, http.StatusOK, b.json())
	}))
	mux.HandleFunc("DELETE /ari/bridges/{id}", s.withBridge(s.handleDestroyBridge))
	mux.HandleFunc("POST /ari/bridges/{id}/addChannel", s.withBridge(s.handleAddChannel))
	mux.HandleFunc("POST /ari/bridges/{id}/removeChannel", s.withBridge(s.handleRemoveChannel))
	mux.HandleFunc("POST /ari/bridges/{id}/play", s.withBridge(s.handlePlayBridge))
	mux.HandleFunc("POST /ari/bridges/{id}/moh", s.withBridge(s.handleMOH))
	mux.HandleFunc("DELETE /ari/bridges/{id}/moh", s.withBridge(s.handleStopMOH))
}

type bridgeHandler func(w http.ResponseWriter, r *http.Request, b *bridge)

func (s *Server) withBridge(h bridgeHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		b := s.bridges[r.PathValue("id")]
		if b == nil {
			writeJSON(w, http.StatusNotFound, msg("Bridge not found"))
			return
		}
		h(w, r, b)
	}
}

func (s *Server) handleListBridges(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []bridgeJSON{}
	for _, b := range s.bridges {
		out = append(out, b.json())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCreateBridge(w http.ResponseWriter, r *http.Request) {
	q, _ := params(r)
	id := q.Get("bridgeId")
	if pv := r.PathValue("id"); pv != "" {
		id = pv
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != "" && s.bridges[id] != nil {
		writeJSON(w, http.StatusConflict, msg(fmt.Sprintf("Bridge with id '%s' already exists", id)))
		return
	}
	typ := "mixing"
	for _, t := range strings.Split(q.Get("type"), ",") {
		if t == "holding" {
			typ = "holding"
		}
	}
	b := s.newStasisBridge(id, q.Get("name"), typ)
	writeJSON(w, http.StatusOK, b.json())
}

func (s *Server) handleDestroyBridge(w http.ResponseWriter, r *http.Request, b *bridge) {
	for _, c := range append([]*channel(nil), b.members...) {
		s.leaveBridge(b, c)
	}
	s.destroyBridge(b)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAddChannel(w http.ResponseWriter, r *http.Request, b *bridge) {
	ids := splitComma(r.URL.Query().Get("channel"))
	if len(ids) == 0 {
		writeJSON(w, http.StatusBadRequest, msg("Missing parameter channel"))
		return
	}
	var cs []*channel
	for _, id := range ids {
		c := s.channels[id]
		if c == nil {
			writeJSON(w, http.StatusBadRequest, msg("Channel not found"))
			return
		}
		if !c.inStasis {
			writeJSON(w, http.StatusUnprocessableEntity, msg("Channel not in Stasis application"))
			return
		}
		cs = append(cs, c)
	}
	for _, c := range cs {
		if c.bridge == b {
			continue
		}
		s.enterBridge(b, c)
		if len(b.members) == 2 {
			o := b.otherMember(c)
			s.setVar(o, "BRIDGEPEER", c.name)
			s.setVar(c, "BRIDGEPEER", o.name)
			if c.state != "Up" {
				c.connected = o.caller
				s.emitChannel(ari.TypeChannelConnectedLine, c, nil)
			}
			o.connected = c.caller
			s.emitChannel(ari.TypeChannelConnectedLine, o, nil)
			if c.half == 1 && c.state != "Up" && c.peer != nil {
				s.setVar(c.peer, "BRIDGEPEER", o.name)
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRemoveChannel(w http.ResponseWriter, r *http.Request, b *bridge) {
	for _, id := range splitComma(r.URL.Query().Get("channel")) {
		c := s.channels[id]
		if c == nil {
			writeJSON(w, http.StatusBadRequest, msg("Channel not found"))
			return
		}
		if c.bridge != b {
			writeJSON(w, http.StatusUnprocessableEntity, msg("Channel not in this bridge"))
			return
		}
	}
	for _, id := range splitComma(r.URL.Query().Get("channel")) {
		c := s.channels[id]
		s.setVar(c, "BRIDGEPEER", "")
		s.leaveBridge(b, c)
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleMOH: music on hold through an internal Announcer channel that
// gets no ChannelCreated; only BRIDGEPEER shows it.
func (s *Server) handleMOH(w http.ResponseWriter, r *http.Request, b *bridge) {
	if !b.mohOn {
		b.mohOn = true
		for _, c := range b.members {
			s.setVar(c, "BRIDGEPEER", fmt.Sprintf("Announcer/ARI_MOH-%08x;2", s.localSeq))
			c.connected = CallerID{}
			s.emitChannel(ari.TypeChannelConnectedLine, c, nil)
		}
		s.localSeq++
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleStopMOH(w http.ResponseWriter, r *http.Request, b *bridge) {
	if b.mohOn {
		b.mohOn = false
		s.emitDevice("Announcer/ARI_MOH", "UNKNOWN")
		s.emitDevice("Announcer/ARI_MOH", "UNKNOWN")
	}
	w.WriteHeader(http.StatusNoContent)
}
