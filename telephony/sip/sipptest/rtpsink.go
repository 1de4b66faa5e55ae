package sipptest

import (
	"encoding/binary"
	"fmt"
	"net"
	"sort"
	"sync"
	"testing"
)

// RTPSink receives RTP on a loopback UDP port, the media address a
// scenario's SDP answer gives (keys rtp_ip and rtp_port), and decodes it
// independently of diago: audio packets are counted and RFC 4733
// telephone-events assembled, per sending address (one per call).
type RTPSink struct {
	Port      int
	EventType uint8 // the telephone-event payload type (101)
	conn      net.PacketConn

	mu      sync.Mutex
	streams map[string]*Stream
}

// Stream is what one sender (one call) sent to the sink.
type Stream struct {
	From string
	// Audio counts the PCMU (payload type 0) packets and AudioBytes their
	// payload; Varied counts those whose samples are not all alike (a tone,
	// not digital silence).
	Audio, AudioBytes, Varied int
	Other                     int // packets of any other payload type
	Packets                   int // every datagram
	Events                    []Event
	SSRCs                     map[uint32]bool
	// Backwards counts packets whose RTP timestamp is before the previous
	// packet's, or before the end of the previous event (its timestamp
	// plus duration) when they are not part of that event: the media
	// clock went back.
	Backwards int
	last      uint32 // the last packet's timestamp
	eventEnd  uint32 // the last event's timestamp + duration
	started   bool
}

// Event is one RFC 4733 event: every packet with the same RTP timestamp
// and event code (RFC 4733 2.5.1).
type Event struct {
	Digit     rune
	Timestamp uint32
	// Duration is the largest duration field, in 8 kHz samples.
	Duration uint16
	Volume   uint8
	Packets  int
	// Ends counts the packets with the E bit (RFC 4733 says three).
	Ends int
	// Marker is true when the event's first packet had the RTP marker bit.
	Marker bool
	// After is how many packets the stream had before the event's first.
	After int
}

// NewRTPSink listens on a free loopback UDP port until the test ends.
func NewRTPSink(tb testing.TB) *RTPSink {
	tb.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &RTPSink{Port: c.LocalAddr().(*net.UDPAddr).Port, EventType: 101, conn: c, streams: map[string]*Stream{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			s.packet(from.String(), buf[:n])
		}
	}()
	tb.Cleanup(func() { _ = c.Close(); <-done })
	return s
}

// Keys are the -key values of the answer scenario that send media here.
func (s *RTPSink) Keys() map[string]string {
	return map[string]string{"rtp_ip": "127.0.0.1", "rtp_port": fmt.Sprint(s.Port)}
}

// Streams returns a copy of every stream received so far, by sender.
func (s *RTPSink) Streams() []Stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Stream, 0, len(s.streams))
	for _, st := range s.streams {
		c := *st
		c.Events = append([]Event(nil), st.Events...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// packet decodes one datagram (RFC 3550 5.1). Anything that is not RTP
// version 2 is counted as Other.
func (s *RTPSink) packet(from string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[from]
	if st == nil {
		st = &Stream{From: from, SSRCs: map[uint32]bool{}}
		s.streams[from] = st
	}
	packets := st.Packets
	st.Packets++
	if len(b) < 12 || b[0]>>6 != 2 {
		st.Other++
		return
	}
	marker, pt := b[1]&0x80 != 0, b[1]&0x7f
	ts := binary.BigEndian.Uint32(b[4:8])
	st.SSRCs[binary.BigEndian.Uint32(b[8:12])] = true
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 && len(b) >= off+4 {
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:off+4]))
	}
	if off > len(b) {
		st.Other++
		return
	}
	isEvent := pt == s.EventType && len(b) >= off+4
	if st.started && (before(ts, st.last) || (!st.continues(ts, isEvent) && before(ts, st.eventEnd))) {
		st.Backwards++
	}
	st.started, st.last = true, ts
	payload := b[off:]
	if b[0]&0x20 != 0 && len(payload) > 0 { // padding
		payload = payload[:max(0, len(payload)-int(payload[len(payload)-1]))]
	}
	switch {
	case pt == 0:
		st.Audio++
		st.AudioBytes += len(payload)
		for _, v := range payload {
			if v != payload[0] {
				st.Varied++
				break
			}
		}
	case isEvent && len(payload) >= 4:
		s.event(st, payload, ts, marker, packets)
		if e := st.Events[len(st.Events)-1]; !before(e.Timestamp+uint32(e.Duration), st.eventEnd) {
			st.eventEnd = e.Timestamp + uint32(e.Duration)
		}
	default:
		st.Other++
	}
}

// continues reports whether a packet at ts is part of the last event.
func (st *Stream) continues(ts uint32, isEvent bool) bool {
	n := len(st.Events)
	return isEvent && n > 0 && st.Events[n-1].Timestamp == ts
}

// before compares RTP timestamps modulo 2^32 (RFC 3550 A.1).
func before(a, b uint32) bool { return int32(a-b) < 0 }

// event adds one telephone-event packet (RFC 4733 2.3) to its event.
func (s *RTPSink) event(st *Stream, p []byte, ts uint32, marker bool, packets int) {
	digit := rune('?')
	if p[0] < 16 {
		digit = rune("0123456789*#ABCD"[p[0]])
	}
	var ev *Event
	if n := len(st.Events); n > 0 && st.Events[n-1].Timestamp == ts && st.Events[n-1].Digit == digit {
		ev = &st.Events[n-1]
	} else {
		st.Events = append(st.Events, Event{Digit: digit, Timestamp: ts, Marker: marker, After: packets})
		ev = &st.Events[len(st.Events)-1]
	}
	ev.Packets++
	ev.Volume = p[1] & 0x3f
	if d := binary.BigEndian.Uint16(p[2:4]); d > ev.Duration {
		ev.Duration = d
	}
	if p[1]&0x80 != 0 {
		ev.Ends++
	}
}

// Digits returns the stream's events as a string of digits.
func (st Stream) Digits() string {
	var b []rune
	for _, e := range st.Events {
		b = append(b, e.Digit)
	}
	return string(b)
}
