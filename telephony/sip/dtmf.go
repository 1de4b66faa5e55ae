package sip

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/diago"
)

// digitGap is the pause between two digits of a dtmf step, as a phone's
// keypad leaves one (ITU-T Q.24 asks for at least 40 ms).
const digitGap = 60 * time.Millisecond

// eventClockRate is the RTP clock of telephone-event/8000, the only rate
// diago sends RFC 4733 events at.
const eventClockRate = 8000

// sendDigits sends digits as RFC 4733 telephone-events, one event each,
// calling sent after each digit that went out.
//
// diago's DTMF writer stamps an event with the media writer's next RTP
// timestamp and leaves that timestamp where it was, so digits sent back to
// back would all carry the same one. RFC 4733 (2.5.1.2) identifies an event
// by its timestamp, and Asterisk ignores an event whose timestamp is not
// after the last ended one's: "42" would arrive as "4". Found by the SIPp
// interop test (sipp_test.go). So after each digit, and each pause, the
// media clock is moved on by the time it took: every event starts at its
// own, later timestamp, and audio sent after the digits does not go back in
// time.
func sendDigits(ctx context.Context, med *diago.DialogMedia, digits string, sent func(rune)) error {
	w, err := med.AudioWriterDTMF()
	if err != nil {
		return fmt.Errorf("DTMF writer: %w", err)
	}
	advance := func(d time.Duration) {
		if med.RTPPacketWriter != nil {
			med.RTPPacketWriter.DelayTimestamp(uint32(d.Seconds() * eventClockRate))
		}
	}
	for i, digit := range digits {
		if i > 0 {
			if !sleepCtx(ctx, digitGap) {
				return ctx.Err()
			}
			advance(digitGap)
		}
		start := time.Now()
		err := w.WriteDTMF(digit)
		advance(time.Since(start))
		if err != nil {
			return fmt.Errorf("send %c: %w", digit, err)
		}
		sent(digit)
	}
	return nil
}
