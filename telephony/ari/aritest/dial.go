package aritest

import (
	"fmt"
	"strconv"
	"time"

	"hotline/telephony/ari"
)

// dialOp is one running Dial() or Queue() of the simulated dialplan: the
// calling channel, the channels it rings and, once one answers, the basic
// bridge between them. Methods run with s.mu held and emit the events in
// the order recorded from Asterisk 22.
type dialOp struct {
	s        *Server
	caller   *channel
	peers    []*channel
	strings  map[*channel]string // dialstring per peer
	queue    bool
	answered *channel
	bridge   *bridge
	done     bool
	start    time.Time
	answerAt time.Time
	// after runs the caller's dialplan once the Dial ends and the caller is
	// still alive (status ANSWER after a bridged call, BUSY, NOANSWER...).
	after func(status string)
	// inherit are variables the next dialled channel inherits.
	inherit map[string]string
}

// sipChannel creates a PJSIP channel and emits ChannelCreated; protocol_id
// (the SIP Call-ID) is empty in ChannelCreated and set right after.
func (s *Server) sipChannel(endpoint, state, context, exten string, caller CallerID, linked *channel) *channel {
	c := s.newChannel("PJSIP/"+endpoint, "", state, dialplanCEP{Context: context, Exten: exten, Priority: 1}, caller)
	c.inheritLinked(linked)
	s.emitChannel(ari.TypeChannelCreated, c, nil)
	c.protocolID = s.newUUID()
	c.dp.Priority = 0
	return c
}

// startDial runs Dial's variable resets on the caller.
func (s *Server) startDial(caller *channel, data string, queue bool) *dialOp {
	s.dialplanApp(caller, map[bool]string{false: "Dial", true: "Queue"}[queue], data)
	d := &dialOp{s: s, caller: caller, strings: map[*channel]string{}, queue: queue, start: s.clock.Now()}
	caller.dial = d
	names := []string{"DIALSTATUS", "DIALEDPEERNUMBER", "DIALEDPEERNAME", "ANSWEREDTIME", "ANSWEREDTIME_MS",
		"DIALEDTIME", "DIALEDTIME_MS", "RINGTIME", "RINGTIME_MS", "PROGRESSTIME", "PROGRESSTIME_MS"}
	if queue {
		s.emitDevice("Queue:"+data, "RINGING")
		names = []string{"ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS", "QUEUEWAIT", "QUEUEWAIT_MS"}
	}
	for _, n := range names {
		s.setVar(caller, n, "")
	}
	return d
}

// addAgentPeer creates the channel dialled to an agent phone: its caller is
// the agent itself, the calling party only appears in connected.
func (d *dialOp) addAgentPeer(resource string) *channel {
	s := d.s
	p := s.sipChannel(resource, "Down", "agents", "s", agentCallerID(resource), d.caller)
	p.dial = d
	d.peers = append(d.peers, p)
	s.setVar(p, "DIALEDPEERNUMBER", resource)
	for k, v := range d.inherit {
		s.setVar(p, k, v)
	}
	if d.queue {
		d.strings[p] = "PJSIP/" + resource
		return p
	}
	d.strings[p] = resource
	p.dp.Exten = d.caller.dp.Exten
	s.dialplanApp(p, "AppDial", "(Outgoing Line)")
	p.connected = d.caller.caller
	s.emitChannel(ari.TypeChannelConnectedLine, p, nil)
	s.emitDial(d.caller, p, "", d.strings[p])
	d.caller.connected = p.caller
	s.emitChannel(ari.TypeChannelConnectedLine, d.caller, nil)
	return p
}

// addPSTNPeer creates the trunk channel for an outbound call: empty caller
// at creation, then ChannelCallerId with the dialled number.
func (d *dialOp) addPSTNPeer(number string) *channel {
	s := d.s
	p := s.sipChannel("pstn", "Down", "from-pstn", "s", CallerID{}, d.caller)
	p.dial = d
	d.peers = append(d.peers, p)
	d.strings[p] = number + "@pstn"
	s.setVar(p, "DIALEDPEERNUMBER", number+"@pstn")
	p.dp.Exten = number
	s.dialplanApp(p, "AppDial", "(Outgoing Line)")
	p.caller = CallerID{Number: number}
	p.connected = d.caller.caller
	s.emitChannel(ari.TypeChannelCallerId, p, fields{"caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitChannel(ari.TypeChannelConnectedLine, p, nil)
	s.emitDial(d.caller, p, "", d.strings[p])
	d.caller.connected = CallerID{Number: number}
	s.emitChannel(ari.TypeChannelConnectedLine, d.caller, nil)
	return p
}

// ringing: the phone sent 180.
func (d *dialOp) ringing(p *channel) {
	s := d.s
	if d.done || p.destroyed || p.state != "Down" {
		return
	}
	if d.queue {
		p.dp.Exten = d.caller.dp.Exten
		s.setState(p, "Ringing")
		s.dialplanApp(p, "AppQueue", "(Outgoing Line)")
		p.connected = d.caller.caller
		s.emitChannel(ari.TypeChannelConnectedLine, p, nil)
		s.emitDevice(p.endpoint, "RINGING")
		s.emitDial(d.caller, p, "", d.strings[p])
		s.emitDial(d.caller, p, "RINGING", d.strings[p])
		return
	}
	s.setState(p, "Ringing")
	if _, set := d.caller.vars["RINGTIME_MS"]; set && d.caller.vars["RINGTIME"] == "" {
		s.setVar(d.caller, "RINGTIME", "0")
		s.setVar(d.caller, "RINGTIME_MS", "2")
	}
	s.emitDevice(p.endpoint, "RINGING")
	s.emitDial(d.caller, p, "RINGING", "")
	s.callerInUse(d.caller)
	if d.caller.local != nil {
		s.localDialRinging(d.caller.local)
	}
}

// callerInUse marks the calling endpoint in use (once per call).
func (s *Server) callerInUse(c *channel) {
	if s.devices[c.endpoint] != "INUSE" {
		s.emitDevice(c.endpoint, "INUSE")
	}
}

// idleState is what an endpoint shows once its last call ended: trunks
// without a registered contact are UNAVAILABLE, phones NOT_INUSE.
func (s *Server) idleState(c *channel) {
	for _, o := range s.channels {
		if o != c && o.endpoint == c.endpoint && !o.destroyed {
			return
		}
	}
	if st, ok := s.devices[c.endpoint]; !ok || st == "UNAVAILABLE" || st == "NOT_INUSE" {
		return
	}
	if c.endpoint == "PJSIP/customers" {
		s.emitDevice(c.endpoint, "UNAVAILABLE")
	} else if c.tech == "PJSIP" {
		s.emitDevice(c.endpoint, "NOT_INUSE")
	}
}

// answer: the phone sent 200 OK; losers of a queue are cancelled, the two
// channels go Up and are bridged.
func (d *dialOp) answer(p *channel) {
	s := d.s
	if d.done || d.answered != nil || p.destroyed {
		return
	}
	d.answered, d.answerAt = p, s.clock.Now()
	s.setState(p, "Up")
	c := d.caller
	if d.queue {
		s.emitDevice("Queue:support", "NOT_INUSE")
		s.emitDial(c, p, "ANSWER", d.strings[p])
		for _, o := range d.peers {
			if o != p && !o.destroyed {
				s.emitDial(c, o, "CANCEL", "")
			}
		}
		c.connected = p.caller
		s.emitChannel(ari.TypeChannelConnectedLine, c, nil)
		wait := s.clock.Now().Sub(d.start)
		for _, o := range d.peers {
			if o != p && !o.destroyed {
				s.emitDial(c, o, "CANCEL", d.strings[o])
			}
		}
		s.setVar(c, "QUEUEPOSITION", "1")
		s.setVar(c, "QUEUEWAIT", strconv.Itoa(int(wait.Seconds())))
		s.setVar(c, "QUEUEWAIT_MS", strconv.Itoa(int(wait.Milliseconds())))
		s.setState(c, "Up")
		for _, o := range d.peers {
			if o != p && !o.destroyed {
				s.destroy(o, 26)
			}
		}
		s.emitDevice(p.endpoint, "INUSE")
		s.callerInUse(c)
		for _, o := range d.peers {
			if o != p {
				s.idleState(o)
			}
		}
	} else {
		s.setVar(c, "DIALSTATUS", "ANSWER")
		s.setVar(c, "DIALEDPEERNAME", p.name)
		s.setVar(c, "DIALEDPEERNUMBER", d.strings[p])
		s.emitDial(c, p, "ANSWER", "")
		s.setState(c, "Up")
		s.emitDevice(p.endpoint, "INUSE")
	}
	d.bridge = s.newBasicBridge()
	p.dp.Exten = ""
	if !d.queue {
		s.emitChannel("ChannelDialplan", p, fields{"dialplan_app": p.dp.AppName, "dialplan_app_data": p.dp.AppData})
	}
	s.enterBridge(d.bridge, p)
	s.enterBridge(d.bridge, c)
	if c.vars["BLINDTRANSFER"] != "" {
		s.setVar(c, "BLINDTRANSFER", "")
	}
	s.bridgePeerVars(c, p, 3)
	if c.local != nil && c.half == 2 {
		s.localAnswer(c.local) // half 1 answers, its originate goes on
	}
}

// bridgePeerVars emits the BRIDGEPEER / BRIDGEPVTCALLID pairs Asterisk
// sets each time a two-party bridge is (re)configured.
func (s *Server) bridgePeerVars(a, b *channel, times int) {
	for i := 0; i < times; i++ {
		s.setVar(a, "BRIDGEPEER", b.name)
		s.setVar(a, "BRIDGEPVTCALLID", b.protocolID)
		s.setVar(b, "BRIDGEPEER", a.name)
		s.setVar(b, "BRIDGEPVTCALLID", a.protocolID)
	}
}

func (s *Server) clearBridgePeer(cs ...*channel) {
	for _, c := range cs {
		s.setVar(c, "BRIDGEPEER", "")
		s.setVar(c, "BRIDGEPVTCALLID", "")
	}
}

// qos emits the RTP statistics burst of a PJSIP channel that hangs up; with
// a bridged peer, the peer gets the *BRIDGED copies interleaved.
func (s *Server) qos(c, peer *channel) {
	if c.tech != "PJSIP" {
		return
	}
	n := 50 * int(s.clock.Now().Sub(c.created).Seconds())
	vals := []struct{ name, value string }{
		{"RTPAUDIOQOS", fmt.Sprintf("ssrc=%d;themssrc=%d;lp=0;rxjitter=0.000625;rxcount=%d;txjitter=0.000750;txcount=%d;rlp=0;rtt=0.000000;rxmes=88.087887;txmes=88.087887", s.rnd.Uint32(), s.rnd.Uint32(), n, n)},
		{"RTPAUDIOQOSJITTER", "minrxjitter=000.000125;maxrxjitter=000.000875;avgrxjitter=000.000216;stdevrxjitter=000.000111;mintxjitter=000.000625;maxtxjitter=000.000625;avgtxjitter=000.000625;stdevtxjitter=000.000000;"},
		{"RTPAUDIOQOSLOSS", "  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;  avgtxlost=000.000000;  stdevtxlost=000.000000;"},
		{"RTPAUDIOQOSRTT", "     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;     stdevrtt=000.000000;"},
		{"RTPAUDIOQOSMES", "   minrxmes=088.087887;   maxrxmes=088.087887;   avgrxmes=088.087887;   stdevrxmes=000.000000;   mintxmes=088.087887;   maxtxmes=088.087887;   avgtxmes=088.087887;   stdevtxmes=000.000000;"},
	}
	for _, v := range vals {
		s.setVar(c, v.name, v.value)
		if peer != nil && peer.tech == "PJSIP" {
			s.setVar(peer, v.name+"BRIDGED", v.value)
		}
	}
}

// endVars sets the Dial result timers on the caller.
func (d *dialOp) endVars(withStatus bool) {
	s, c := d.s, d.caller
	now := s.clock.Now()
	s.setVar(c, "ANSWEREDTIME", strconv.Itoa(int(now.Sub(d.answerAt).Seconds())))
	s.setVar(c, "ANSWEREDTIME_MS", strconv.Itoa(int(now.Sub(d.answerAt).Milliseconds())))
	s.setVar(c, "DIALEDTIME", strconv.Itoa(int(now.Sub(d.start).Seconds())))
	s.setVar(c, "DIALEDTIME_MS", strconv.Itoa(int(now.Sub(d.start).Milliseconds())))
	if withStatus && !d.queue {
		s.setVar(c, "DIALSTATUS", "ANSWER")
	}
}
