package aritest

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
)

func (s *Server) miscRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ari/applications", s.handleListApps)
	mux.HandleFunc("GET /ari/applications/{app}", s.withApp(s.handleGetApp))
	mux.HandleFunc("POST /ari/applications/{app}/subscription", s.withApp(s.handleGetApp))
	mux.HandleFunc("DELETE /ari/applications/{app}/subscription", s.withApp(s.handleGetApp))
	mux.HandleFunc("PUT /ari/applications/{app}/eventFilter", s.withApp(s.handleEventFilter))
	mux.HandleFunc("GET /ari/endpoints", s.handleEndpoints)
	mux.HandleFunc("GET /ari/playbacks/{id}", s.handleGetPlayback)
	mux.HandleFunc("DELETE /ari/playbacks/{id}", s.handleStopPlayback)
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	now := formatTime(s.clock.Now())
	writeJSON(w, http.StatusOK, map[string]any{
		"build":  map[string]any{"os": "Linux", "kernel": "6.1.0", "machine": "x86_64", "options": "", "date": "2026-11-01 00:00:00 UTC", "user": "aritest"},
		"system": map[string]any{"version": "22.10.1", "entity_id": s.opts.AsteriskID},
		"config": map[string]any{"name": "aritest", "default_language": "en", "setid": map[string]string{"user": "asterisk", "group": "asterisk"}},
		"status": map[string]any{"startup_time": formatTime(s.opts.Start), "last_reload_time": now},
	})
}

type appHandler func(w http.ResponseWriter, r *http.Request, a *application)

// withApp finds a registered application: with no socket connected the
// app does not exist for Asterisk (404).
func (s *Server) withApp(h appHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		a := s.apps[r.PathValue("app")]
		if a == nil || a.sock == nil {
			writeJSON(w, http.StatusNotFound, msg("Application not found"))
			return
		}
		h(w, r, a)
	}
}

func (s *Server) appJSON(a *application) map[string]any {
	kinds := func(list []string) []map[string]string {
		out := []map[string]string{}
		for _, t := range list {
			out = append(out, map[string]string{"type": t})
		}
		return out
	}
	return map[string]any{
		"name": a.name, "channel_ids": []string{"__AST_CHANNEL_ALL_TOPIC"},
		"bridge_ids": []string{"__AST_BRIDGE_ALL_TOPIC"}, "endpoint_ids": []string{"__AST_ENDPOINT_ALL_TOPIC"},
		"device_names":   []string{"__AST_DEVICE_STATE_ALL_TOPIC"},
		"events_allowed": kinds(a.allowed), "events_disallowed": kinds(a.disallowed),
	}
}

func (s *Server) handleListApps(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, a := range s.apps {
		if a.sock != nil {
			out = append(out, s.appJSON(a))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetApp(w http.ResponseWriter, r *http.Request, a *application) {
	writeJSON(w, http.StatusOK, s.appJSON(a))
}

// handleEventFilter: PUT /applications/{app}/eventFilter with body
// {"allowed":[{"type":..}], "disallowed":[...]} (the filter itself, or
// wrapped in {"filter": ...}).
func (s *Server) handleEventFilter(w http.ResponseWriter, r *http.Request, a *application) {
	type kinds []struct {
		Type string `json:"type"`
	}
	var body struct {
		Allowed    kinds `json:"allowed"`
		Disallowed kinds `json:"disallowed"`
		Filter     *struct {
			Allowed    kinds `json:"allowed"`
			Disallowed kinds `json:"disallowed"`
		} `json:"filter"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(raw) > 0 && json.Unmarshal(raw, &body) != nil {
		writeJSON(w, http.StatusBadRequest, msg("Invalid filter"))
		return
	}
	if body.Filter != nil {
		body.Allowed, body.Disallowed = body.Filter.Allowed, body.Filter.Disallowed
	}
	a.allowed, a.disallowed = nil, nil
	for _, k := range body.Allowed {
		a.allowed = append(a.allowed, k.Type)
	}
	for _, k := range body.Disallowed {
		a.disallowed = append(a.disallowed, k.Type)
	}
	writeJSON(w, http.StatusOK, s.appJSON(a))
}

func (s *Server) handleEndpoints(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type ep struct {
		Technology string   `json:"technology"`
		Resource   string   `json:"resource"`
		State      string   `json:"state"`
		ChannelIDs []string `json:"channel_ids"`
	}
	resources := []string{"customers", "pstn"}
	for r := range s.agents {
		resources = append(resources, r)
	}
	sort.Strings(resources)
	out := []ep{}
	for _, res := range resources {
		e := ep{Technology: "PJSIP", Resource: res, State: "online", ChannelIDs: []string{}}
		if res == "customers" {
			e.State = "unknown"
		}
		for _, c := range s.channelList() {
			if c.endpoint == "PJSIP/"+res {
				e.ChannelIDs = append(e.ChannelIDs, c.id)
			}
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetPlayback(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.playback[r.PathValue("id")]
	if p == nil || p.lost || p.state == "done" || p.state == "failed" {
		writeJSON(w, http.StatusNotFound, msg("Playback not found"))
		return
	}
	writeJSON(w, http.StatusOK, p.json())
}

func (s *Server) handleStopPlayback(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.playback[r.PathValue("id")]
	if p == nil || p.state == "done" || p.state == "failed" {
		writeJSON(w, http.StatusNotFound, msg("Playback not found"))
		return
	}
	s.stopPlayback(p, "done")
	w.WriteHeader(http.StatusNoContent)
}
