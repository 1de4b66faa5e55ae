package aritest

import (
	"fmt"
	"sort"
	"strings"

	"hotline/telephony/ari"
)

// normaliser maps channel, bridge and playback ids to names by order of
// first appearance, so a recording and an emulator run can be compared.
type normaliser struct {
	ids   map[string]string
	count map[string]int
}

func newNormaliser() *normaliser {
	return &normaliser{ids: map[string]string{}, count: map[string]int{}}
}

func (n *normaliser) id(kind, raw string) string {
	if raw == "" {
		return ""
	}
	if v, ok := n.ids[kind+raw]; ok {
		return v
	}
	n.count[kind]++
	v := fmt.Sprintf("%s%d", kind, n.count[kind])
	n.ids[kind+raw] = v
	return v
}

func cid(m map[string]any) string {
	if m == nil {
		return "-"
	}
	c, _ := m["caller"].(map[string]any)
	o, _ := m["connected"].(map[string]any)
	return fmt.Sprintf("%v<%v>/%v<%v>", c["name"], c["number"], o["name"], o["number"])
}

// entityStreams splits a stream into per-entity signature lists: one per
// channel (Asterisk keeps each channel's events in order), per bridge,
// per device and per playback. Cross-entity interleaving is left out:
// Asterisk publishes them from different threads.
type entityStreams map[string][]string

// compareMode relaxes the comparison where two runs of the real Asterisk
// already differ (see allowedDifferences).
type compareMode struct {
	noiseUnordered  bool // ChannelVarset/ChannelDialplan compared per channel as a multiset
	bridgeUnordered bool // a bridge's member events compared as a multiset
	// milestones keeps per channel only ChannelCreated, Stasis*, ChannelDestroyed
	// (with linkedid, caller ids and causes), the Dial results and devices.
	milestones bool
	// dropRecorded removes recorded channel events with this signature
	// (an Asterisk oddity the emulator does not reproduce).
	dropRecorded string
}

// signatures builds entity streams.
func signatures(events []event, mode compareMode) entityStreams {
	out := signaturesOrdered(events)
	if mode.milestones {
		for k, v := range out {
			if strings.HasPrefix(k, "noise ") || strings.HasPrefix(k, "bridge ") {
				delete(out, k)
				continue
			}
			if strings.HasPrefix(k, "channel ") {
				var keep []string
				for _, sig := range v {
					for _, p := range []string{"ChannelCreated ", "ChannelDestroyed ", "StasisStart ", "StasisEnd "} {
						if strings.HasPrefix(sig, p) {
							keep = append(keep, sig)
						}
					}
				}
				out[k] = keep
			}
		}
	}
	for k, v := range out {
		if (mode.noiseUnordered && strings.HasPrefix(k, "noise ")) || (mode.bridgeUnordered && strings.HasPrefix(k, "bridge ")) {
			sort.Strings(v)
		}
	}
	return out
}

func signaturesOrdered(events []event) entityStreams {
	n := newNormaliser()
	out := entityStreams{}
	for _, e := range events {
		for _, k := range []string{"channel", "peer"} {
			if c := e.obj(k); c != nil {
				n.id("C", c["id"].(string))
			}
		}
		if key, sig, ok := otherSig(e, n); ok {
			if key != "" {
				out[key] = append(out[key], sig)
			}
			continue
		}
		channelSig(e, n, out)
	}
	return out
}

// otherSig is the signature of an event that is not about one channel.
func otherSig(e event, n *normaliser) (key, sig string, ok bool) {
	typ := e.typ()
	switch typ {
	case ari.TypeDeviceStateChanged:
		d := e.obj("device_state")
		name := d["name"].(string)
		if strings.HasPrefix(name, "Queue:") || strings.HasPrefix(name, "Announcer") {
			return "", "", true
		}
		return "device " + name, fmt.Sprint(d["state"]), true
	case ari.TypePlaybackStarted, ari.TypePlaybackFinished, ari.TypePlaybackContinuing:
		p := e.obj("playback")
		return "playback " + n.id("P", p["id"].(string)), typ + " " + fmt.Sprint(p["state"], " ", p["media_uri"]), true
	case ari.TypeBridgeCreated, ari.TypeBridgeDestroyed:
		b := e.obj("bridge")
		return "bridge " + n.id("B", b["id"].(string)), typ + " " + fmt.Sprint(b["bridge_class"]), true
	case ari.TypeDial:
		p := e.obj("peer")
		caller := ""
		if c := e.obj("caller"); c != nil {
			caller = n.id("C", c["id"].(string))
		}
		// Dial is published on the caller's and the peer's topics, so it is
		// not ordered against the peer's own events: a stream of its own.
		return "dial " + n.id("C", p["id"].(string)), fmt.Sprintf("Dial %q from %s", e["dialstatus"], caller), true
	case ari.TypeBridgeBlindTransfer, ari.TypeBridgeAttendedTransfer:
		var parts []string
		for _, k := range []string{"channel", "transferee", "transferer_first_leg", "transferer_second_leg", "transfer_target"} {
			if c := e.obj(k); c != nil {
				parts = append(parts, k+"="+n.id("C", c["id"].(string)))
			}
		}
		return "transfers", fmt.Sprintf("%s %v %v ext=%v %s", typ, e["result"], e["is_external"], e["exten"], strings.Join(parts, " ")), true
	case ari.TypeApplicationReplaced:
		return "app", typ, true
	}
	if e.obj("channel") == nil {
		return "other", typ, true
	}
	return "", "", false
}

// channelSig adds a channel event's signature: to the channel's stream, or
// (ChannelVarset, ChannelDialplan) to its noise stream; bridge membership
// changes also go to the bridge's stream.
func channelSig(e event, n *normaliser, out entityStreams) {
	add := func(key, sig string) { out[key] = append(out[key], sig) }
	typ, ch := e.typ(), e.obj("channel")
	key := "channel " + n.id("C", ch["id"].(string))
	sig := typ + " " + fmt.Sprint(ch["state"])
	if vars, ok := ch["channelvars"].(map[string]any); ok {
		sig += " linked=" + n.id("C", fmt.Sprint(vars["CHANNEL(linkedid)"]))
	}
	switch typ {
	case ari.TypeChannelVarset:
		add("noise "+key, sig+" "+fmt.Sprint(e["variable"]))
		return
	case ari.TypeChannelDialplan:
		add("noise "+key, sig+" "+fmt.Sprint(e["dialplan_app"]))
		return
	case ari.TypeChannelCreated, ari.TypeChannelConnectedLine, ari.TypeChannelCallerId:
		sig += " " + cid(ch)
	case ari.TypeStasisStart:
		var args []string
		for _, a := range e["args"].([]any) {
			v := a.(string)
			if known, ok := n.ids["C"+v]; ok {
				v = known
			}
			args = append(args, v)
		}
		sig += " " + cid(ch) + fmt.Sprint(" ", args)
	case ari.TypeChannelHangupRequest:
		sig += fmt.Sprintf(" cause=%v soft=%v", e["cause"], e["soft"])
	case ari.TypeChannelDestroyed:
		sig += fmt.Sprintf(" cause=%v %v", e["cause"], e["cause_txt"])
	case ari.TypeChannelEnteredBridge, ari.TypeChannelLeftBridge:
		b := e.obj("bridge")
		var ms []string
		for _, m := range b["channels"].([]any) {
			ms = append(ms, n.id("C", m.(string)))
		}
		sort.Strings(ms)
		sig += fmt.Sprintf(" %s %v", n.id("B", b["id"].(string)), ms)
		add("bridge "+n.id("B", b["id"].(string)), fmt.Sprintf("%s %s %v", typ, n.id("C", ch["id"].(string)), ms))
	case ari.TypeChannelDtmfReceived:
		sig += fmt.Sprintf(" %v", e["digit"])
	}
	add(key, sig)
}

// dropSig removes one signature from every stream.
func (es entityStreams) drop(sig string) {
	if sig == "" {
		return
	}
	for k, v := range es {
		var keep []string
		for _, x := range v {
			if x != sig {
				keep = append(keep, x)
			}
		}
		es[k] = keep
	}
}

// diffStreams reports the differences between two entity stream sets.
func diffStreams(want, got entityStreams) []string {
	var keys []string
	seen := map[string]bool{}
	for k := range want {
		keys, seen[k] = append(keys, k), true
	}
	for k := range got {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var diffs []string
	for _, k := range keys {
		w, g := want[k], got[k]
		n := max(len(w), len(g))
		for i := 0; i < n; i++ {
			var ws, gs string
			if i < len(w) {
				ws = w[i]
			}
			if i < len(g) {
				gs = g[i]
			}
			if ws != gs {
				diffs = append(diffs, fmt.Sprintf("%s #%d:\n    recorded: %s\n    emulator: %s", k, i, ws, gs))
				break
			}
		}
	}
	return diffs
}
