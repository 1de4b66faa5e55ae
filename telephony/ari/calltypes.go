package ari

// CallEventTypes are the event types a call tracker, screen pop and survey
// runner need. Use them as Config.EventFilter: Asterisk then no longer sends
// ChannelVarset, ChannelDialplan and DeviceStateChanged, about two thirds of
// a real call's events (channel variables listed in ari.conf channelvars,
// such as CHANNEL(linkedid), still arrive inside every channel object).
var CallEventTypes = []string{
	TypeChannelCreated, TypeChannelDestroyed, TypeChannelStateChange, TypeChannelHangupRequest,
	TypeChannelCallerId, TypeChannelConnectedLine, TypeChannelHold, TypeChannelUnhold,
	TypeChannelDtmfReceived, TypeDial,
	TypeBridgeCreated, TypeBridgeDestroyed, TypeBridgeMerged, TypeChannelEnteredBridge, TypeChannelLeftBridge,
	TypeBridgeBlindTransfer, TypeBridgeAttendedTransfer, TypeChannelTransfer,
	TypeStasisStart, TypeStasisEnd, TypePlaybackStarted, TypePlaybackContinuing, TypePlaybackFinished,
	TypeApplicationReplaced, TypeChannelUserevent,
}

// callEvents is CallEventTypes as a set.
var callEvents = func() map[string]bool {
	m := make(map[string]bool, len(CallEventTypes))
	for _, t := range CallEventTypes {
		m[t] = true
	}
	return m
}()

// IsCallEvent reports whether typ is one of CallEventTypes.
func IsCallEvent(typ string) bool { return callEvents[typ] }
