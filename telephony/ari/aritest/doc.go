// Package aritest is a simulated Asterisk PBX speaking ARI: a REST and
// WebSocket server whose simulated endpoints, channels and bridges emit
// events in the order and shapes recorded from a real Asterisk 22
// (shared/ari/transcripts). Tests, benchmarks and the demo mode drive calls
// with scenario helpers, on a virtual clock that can run faster than real
// time, with fault injection for the WebSocket and REST.
//
// # Simulated PBX
//
// Endpoints are the recording's: agent phones PJSIP/1001..1003 (Options.Agents),
// the customers trunk PJSIP/customers and the pstn trunk. The dialplan is
// the recording's too:
//
//	from-trunk 7001  Dial(PJSIP/<agent>,20,g), then Stasis(hotline,survey) if answered
//	from-trunk 7000  Queue(support): ring-all 1002 and 1001, timeout 15 s
//	from-trunk 7002  Dial(PJSIP/<agent>,10)
//	from-trunk 7009  Stasis(hotline,inbound)
//	from-trunk 7010  Stasis(hotline,status) (self-service status line; not recorded)
//	agents 100X      Dial(PJSIP/100X,30); +X Dial(PJSIP/+X@pstn,60)
//
// (agents is Options.DialContext; a Local/<exten>@agents channel's half 2
// runs the same Dial, and its half 1 rings, answers and hangs up with the
// dialled phone) and, for Local channels originated over REST, sim-customer (survey,
// answer, talk, noanswer, busy), sim-agent (agent, agent-slow) and
// inbound/<number> (Stasis(hotline,inbound)).
//
// # Driving calls
//
// InboundCall, OutboundCall and InternalCall place SIP calls and block until
// they are over; Phone scripts the agent phones (SetPhone, or per call in
// Inbound.Phones): answer delay, busy, never answering, talk time, hold,
// blind and attended transfer, DTMF. RunDemo places a realistic mix until
// its context ends. The app (a WebSocket for "hotline") handles Stasis
// channels over REST as with a real Asterisk; without it Stasis fails.
//
// # Faults
//
// DropSockets, RefuseSockets, DelayDeliveries, ReorderDeliveries (keeps
// each channel's order) and InjectREST (5xx or hangs for selected paths).
//
// # Fidelity
//
// The conformance tests replay every transcript and compare the streams per
// channel, bridge, device, playback and Dial; conformance_test.go lists
// what is not compared and why.
package aritest
