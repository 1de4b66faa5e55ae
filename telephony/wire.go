package telephony

import (
	"fmt"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// handledTypes are the ARI event types the tracker folds. Everything else
// (ChannelVarset, ChannelDialplan, DeviceStateChanged, Playback*, ...) is
// skipped after a cheap type peek and never decoded.
var handledTypes = map[string]bool{
	"ChannelCreated":         true,
	"ChannelStateChange":     true,
	"ChannelCallerId":        true,
	"ChannelConnectedLine":   true,
	"Dial":                   true,
	"ChannelEnteredBridge":   true,
	"ChannelLeftBridge":      true,
	"ChannelHold":            true,
	"ChannelUnhold":          true,
	"ChannelHangupRequest":   true,
	"ChannelDestroyed":       true,
	"BridgeBlindTransfer":    true,
	"BridgeAttendedTransfer": true,
	"ChannelDtmfReceived":    true,
	"StasisStart":            true,
}

// Handles reports whether the tracker uses events of type typ; callers
// may drop other types before they reach Handle (or filter them in ARI).
func Handles(typ string) bool { return handledTypes[typ] }

// LinkedIDVar is the channel variable that holds a call's linkedid.
const LinkedIDVar = "CHANNEL(linkedid)"

// wireCallerID is ARI's CallerID.
type wireCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

// wireChannel is the part of ARI's Channel the tracker reads.
type wireChannel struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	State        string       `json:"state"`
	Caller       wireCallerID `json:"caller"`
	Connected    wireCallerID `json:"connected"`
	CreationTime string       `json:"creationtime"`
	Dialplan     struct {
		Context string `json:"context"`
		Exten   string `json:"exten"`
	} `json:"dialplan"`
	ChannelVars wireVars `json:"channelvars"`
}

// wireVars are the channel variables the tracker reads: a struct rather
// than a map, so that decoding allocates no map per channel and skips the
// other variables.
type wireVars struct {
	LinkedID string `json:"CHANNEL(linkedid)"` // LinkedIDVar
}

func (c *wireChannel) linkedID() string {
	if c == nil {
		return ""
	}
	return c.ChannelVars.LinkedID
}

type wireBridge struct {
	ID       string   `json:"id"`
	Channels []string `json:"channels"`
}

// wireEvent is the union of the fields of the event types the tracker
// folds; one decode into it replaces a typed decode per event type.
type wireEvent struct {
	Type      string       `json:"type"`
	Timestamp string       `json:"timestamp"`
	Channel   *wireChannel `json:"channel"`
	Bridge    *wireBridge  `json:"bridge"`
	// Dial
	Caller     *wireChannel `json:"caller"`
	Peer       *wireChannel `json:"peer"`
	DialStatus string       `json:"dialstatus"`
	DialString string       `json:"dialstring"`
	// hangup
	Cause    int    `json:"cause"`
	CauseTxt string `json:"cause_txt"`
	Soft     bool   `json:"soft"`
	// DTMF
	Digit string `json:"digit"`
	// transfers
	Exten               string       `json:"exten"`
	Transferee          *wireChannel `json:"transferee"`
	TransfererFirstLeg  *wireChannel `json:"transferer_first_leg"`
	TransfererSecondLeg *wireChannel `json:"transferer_second_leg"`
	TransferTarget      *wireChannel `json:"transfer_target"`
	Result              string       `json:"result"`
	// StasisStart
	Args []string `json:"args"`
}

// asteriskTime is the layout of ARI timestamps: 2026-11-27T03:09:32.788+0000.
const asteriskTime = "2006-01-02T15:04:05.000-0700"

// ParseTime parses an ARI timestamp.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(asteriskTime, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("bad ARI timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

func decodeWire(raw []byte) (*wireEvent, time.Time, error) {
	var ev wireEvent
	if err := jsonv2.Unmarshal(raw, &ev); err != nil {
		return nil, time.Time{}, fmt.Errorf("decode ARI event: %w", err)
	}
	at, err := ParseTime(ev.Timestamp)
	if err != nil {
		return nil, time.Time{}, err
	}
	return &ev, at, nil
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
