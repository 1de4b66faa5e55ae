package sipptest

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"hotline/internal/testneed"
)

// rtpPacket builds an RTP packet (RFC 3550 5.1) with csrcs CSRC entries,
// an optional one-word header extension and padding.
func rtpPacket(pt uint8, marker bool, ts uint32, csrcs int, ext bool, pad int, payload []byte) []byte {
	b := []byte{0x80 | byte(csrcs), pt, 0, 1}
	if marker {
		b[1] |= 0x80
	}
	if ext {
		b[0] |= 0x10
	}
	if pad > 0 {
		b[0] |= 0x20
	}
	b = binary.BigEndian.AppendUint32(b, ts)
	b = binary.BigEndian.AppendUint32(b, 0xcafe)
	for range csrcs {
		b = binary.BigEndian.AppendUint32(b, 7)
	}
	if ext {
		b = append(b, 0xbe, 0xde, 0, 1, 1, 2, 3, 4)
	}
	b = append(b, payload...)
	for i := range pad {
		if i == pad-1 {
			b = append(b, byte(pad))
		} else {
			b = append(b, 0)
		}
	}
	return b
}

func event(code uint8, end bool, dur uint16) []byte {
	b := []byte{code, 10, 0, 0}
	if end {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], dur)
	return b
}

func TestRTPSinkDecodesEventsAndAudio(t *testing.T) {
	s := &RTPSink{EventType: 101, streams: map[string]*Stream{}}
	tone := make([]byte, 160)
	for i := range tone {
		tone[i] = byte(i)
	}
	from := "127.0.0.1:4000"
	s.packet(from, rtpPacket(0, true, 0, 0, false, 0, tone))
	s.packet(from, rtpPacket(0, false, 160, 2, true, 3, tone))
	s.packet(from, rtpPacket(0, false, 320, 0, false, 0, make([]byte, 160))) // digital silence
	for i, dur := range []uint16{160, 320, 480} {
		s.packet(from, rtpPacket(101, i == 0, 480, 0, false, 0, event(4, false, dur)))
	}
	for range 3 {
		s.packet(from, rtpPacket(101, false, 480, 0, false, 0, event(4, true, 640)))
	}
	s.packet(from, rtpPacket(101, true, 480, 0, false, 0, event(11, true, 640))) // same timestamp: a new key
	s.packet(from, rtpPacket(0, false, 640, 0, false, 0, tone))                  // inside the event: back in time
	s.packet(from, []byte{1, 2, 3})
	st := s.Streams()[0]
	if st.Audio != 4 || st.AudioBytes != 640 || st.Varied != 3 || st.Other != 1 || st.Packets != 12 || len(st.SSRCs) != 1 {
		t.Errorf("audio %d (%d bytes, %d varied), other %d, packets %d, SSRCs %v", st.Audio, st.AudioBytes, st.Varied, st.Other, st.Packets, st.SSRCs)
	}
	if st.Digits() != "4#" {
		t.Fatalf("digits %q", st.Digits())
	}
	if e := st.Events[0]; e.Timestamp != 480 || e.Duration != 640 || e.Packets != 6 || e.Ends != 3 || !e.Marker || e.After != 3 || e.Volume != 10 {
		t.Errorf("event 4: %+v", e)
	}
	if st.Backwards != 1 {
		t.Errorf("%d packets back in time, want 1 (audio inside the event)", st.Backwards)
	}
	if !before(0xfffffff0, 5) || before(5, 0xfffffff0) {
		t.Error("timestamp comparison does not wrap")
	}
}

// fatalTB records the message of Fatalf and ends the goroutine like
// testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestStartFailsWithoutSIPp(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(testneed.EnvRequire, "1") // a missing tool fails, as under make test
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(f, Options{Scenario: "answer"})
	}()
	<-done
	if !strings.Contains(f.msg, "apt-get install -y sip-tester") {
		t.Fatalf("without sipp: %q", f.msg)
	}
}
