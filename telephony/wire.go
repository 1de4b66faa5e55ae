package telephony

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"hotline/telephony/ari"
)

// foldedTypes are the ARI event types the tracker folds (a subset of
// ari.CallEventTypes). Everything else (ChannelVarset, ChannelDialplan,
// DeviceStateChanged, Playback*, ...) is skipped after a cheap type peek and
// never decoded.
var foldedTypes = []string{
	ari.TypeChannelCreated, ari.TypeChannelStateChange, ari.TypeChannelCallerId, ari.TypeChannelConnectedLine,
	ari.TypeDial, ari.TypeChannelEnteredBridge, ari.TypeChannelLeftBridge, ari.TypeChannelHold, ari.TypeChannelUnhold,
	ari.TypeChannelHangupRequest, ari.TypeChannelDestroyed, ari.TypeBridgeBlindTransfer, ari.TypeBridgeAttendedTransfer,
	ari.TypeChannelDtmfReceived, ari.TypeStasisStart,
}

// handledTypes is foldedTypes as a set.
var handledTypes = func() map[string]bool {
	m := make(map[string]bool, len(foldedTypes))
	for _, t := range foldedTypes {
		m[t] = true
	}
	return m
}()

// LinkedIDVar is the channel variable that holds a call's linkedid.
const LinkedIDVar = "CHANNEL(linkedid)"

// wireCallerID is ARI's CallerID.
type wireCallerID struct {
	Name   string
	Number string
}

// wireChannel is the part of ARI's Channel the tracker reads.
type wireChannel struct {
	ID           string
	Name         string
	State        string
	Caller       wireCallerID
	Connected    wireCallerID
	CreationTime time.Time // UTC; zero when unknown
	Dialplan     struct {
		Context string
		Exten   string
	}
	ChannelVars wireVars
}

// wireVars are the channel variables the tracker reads: a struct rather
// than a map, so that decoding allocates no map per channel and skips the
// other variables.
type wireVars struct {
	LinkedID string // LinkedIDVar
}

func (c *wireChannel) linkedID() string {
	if c == nil {
		return ""
	}
	return c.ChannelVars.LinkedID
}

type wireBridge struct {
	ID       string
	Channels []string
}

// wireEvent is the tracker's view of an event it folds: the union of the
// fields it reads of the typed events ari.Decode returns (wireFromARI), so
// that fold handles one shape whatever the event type.
type wireEvent struct {
	Type      string
	Timestamp time.Time // in the zone Asterisk wrote it in (eventKey formats it back)
	Channel   *wireChannel
	Bridge    *wireBridge
	// Dial
	Caller     *wireChannel
	Peer       *wireChannel
	DialStatus string
	DialString string
	// hangup
	Cause    int
	CauseTxt string
	Soft     bool
	// DTMF
	Digit string
	// transfers
	Exten               string
	Transferee          *wireChannel
	TransfererFirstLeg  *wireChannel
	TransfererSecondLeg *wireChannel
	TransferTarget      *wireChannel
	Result              string
	// StasisStart
	Args []string
}

// EndpointOf returns the endpoint of a channel name: "PJSIP/1001-00000013"
// -> "PJSIP/1001", "Local/agent@sim-agent-00000004;1" -> "Local/agent@sim-agent".
func EndpointOf(name string) string {
	if i := strings.LastIndexByte(name, ';'); i > 0 && strings.HasPrefix(name, "Local/") {
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, '-'); i > 0 && strings.IndexByte(name, '/') < i {
		return name[:i]
	}
	return name
}

// wireFromARI is the tracker's view of a typed ARI event (nil for types it
// does not fold).
func wireFromARI(e ari.Event) *wireEvent {
	b := e.Base()
	ev := &wireEvent{Type: b.Type, Timestamp: b.Timestamp.Time}
	switch e := e.(type) {
	case *ari.ChannelCreated:
		ev.Channel = wireChan(&e.Channel)
	case *ari.ChannelStateChange:
		ev.Channel = wireChan(&e.Channel)
	case *ari.ChannelCallerId:
		ev.Channel = wireChan(&e.Channel)
	case *ari.ChannelConnectedLine:
		ev.Channel = wireChan(&e.Channel)
	case *ari.Dial:
		ev.Caller, ev.Peer = wireChan(e.Caller), wireChan(&e.Peer)
		ev.DialStatus, ev.DialString = e.DialStatus, e.DialString
	case *ari.ChannelEnteredBridge:
		ev.Channel, ev.Bridge = wireChan(e.Channel), wireBr(&e.Bridge)
	case *ari.ChannelLeftBridge:
		ev.Channel, ev.Bridge = wireChan(&e.Channel), wireBr(&e.Bridge)
	case *ari.ChannelHold:
		ev.Channel = wireChan(&e.Channel)
	case *ari.ChannelUnhold:
		ev.Channel = wireChan(&e.Channel)
	case *ari.ChannelHangupRequest:
		ev.Channel, ev.Cause, ev.Soft = wireChan(&e.Channel), e.Cause, e.Soft
	case *ari.ChannelDestroyed:
		ev.Channel, ev.Cause, ev.CauseTxt = wireChan(&e.Channel), e.Cause, e.CauseTxt
	case *ari.BridgeBlindTransfer:
		ev.Channel, ev.Transferee, ev.Bridge = wireChan(&e.Channel), wireChan(e.Transferee), wireBr(e.Bridge)
		ev.Exten, ev.Result = e.Exten, e.Result
	case *ari.BridgeAttendedTransfer:
		ev.TransfererFirstLeg, ev.TransfererSecondLeg = wireChan(&e.TransfererFirstLeg), wireChan(&e.TransfererSecondLeg)
		ev.Transferee, ev.TransferTarget, ev.Result = wireChan(e.Transferee), wireChan(e.TransferTarget), e.Result
	case *ari.ChannelDtmfReceived:
		ev.Channel, ev.Digit = wireChan(&e.Channel), e.Digit
	case *ari.StasisStart:
		ev.Channel, ev.Args = wireChan(&e.Channel), e.Args
	default:
		return nil
	}
	return ev
}

// wireChan is the tracker's view of channel c: nil for nil, and for a
// channel without an id (an event whose channel key was missing decodes to
// a zero Channel), as when the tracker decoded frames itself.
func wireChan(c *ari.Channel) *wireChannel {
	if c == nil || c.ID == "" {
		return nil
	}
	w := &wireChannel{ID: c.ID, Name: c.Name, State: c.State,
		Caller:      wireCallerID{Name: c.Caller.Name, Number: c.Caller.Number},
		Connected:   wireCallerID{Name: c.Connected.Name, Number: c.Connected.Number},
		ChannelVars: wireVars{LinkedID: c.ChannelVars[LinkedIDVar]}}
	if !c.CreationTime.IsZero() {
		w.CreationTime = c.CreationTime.UTC()
	}
	w.Dialplan.Context, w.Dialplan.Exten = c.Dialplan.Context, c.Dialplan.Exten
	return w
}

// wireBr is the tracker's view of bridge b (nil for nil).
func wireBr(b *ari.Bridge) *wireBridge {
	if b == nil {
		return nil
	}
	return &wireBridge{ID: b.ID, Channels: b.Channels}
}

// decodeWire decodes a frame of a folded type with the ari package's
// generated reader (the one decoding path of ARI events) and returns the
// tracker's view of it and its timestamp in UTC.
func decodeWire(raw []byte) (*wireEvent, time.Time, error) {
	e, err := ari.Decode(withoutNUL(raw))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("decode ARI event: %w", err)
	}
	if e.Base().Timestamp.IsZero() {
		return nil, time.Time{}, fmt.Errorf("decode ARI event: %s has no timestamp", e.Base().Type)
	}
	ev := wireFromARI(e)
	if ev == nil {
		return nil, time.Time{}, fmt.Errorf("decode ARI event: type %s is not folded", e.Base().Type)
	}
	return ev, e.Base().Timestamp.UTC(), nil
}

// escapedNUL is the JSON escape of U+0000.
var escapedNUL = []byte(`\u0000`)

// withoutNUL returns raw with each escaped NUL in its strings (\u0000)
// replaced by U+FFFD (\ufffd), the same length, in a copy (raw itself
// when it holds none). PostgreSQL keeps no NUL in text: a call whose
// caller name held one could never be stored, and its batch would stop
// the call log. Asterisk's strings cannot hold a NUL; a broken or hostile
// ARI server's could.
func withoutNUL(raw []byte) []byte {
	i := bytes.Index(raw, escapedNUL)
	if i < 0 {
		return raw
	}
	out := bytes.Clone(raw)
	for ; i >= 0; i = nextNUL(out, i+1) {
		// an escape only when the backslashes before it are even in
		// number: "\\u0000" is a backslash and the text u0000
		n := 0
		for j := i - 1; j >= 0 && out[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			copy(out[i:], `\ufffd`)
		}
	}
	return out
}

func nextNUL(b []byte, from int) int {
	if j := bytes.Index(b[from:], escapedNUL); j >= 0 {
		return from + j
	}
	return -1
}
