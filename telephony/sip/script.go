// Package sip holds Hotline's SIP tools for administrators, built on sipgo
// and diago: a call generator that places real SIP calls with audio and
// RFC 4733 DTMF following a script (Generator), the check of the
// generated calls through Hotline's API (CheckAPI), and SIP OPTIONS health
// checks of phones and trunks (Pinger, Monitor).
package sip

import (
	"fmt"
	"strings"
	"time"
)

// StepKind is what one script step does.
type StepKind string

// Script steps.
const (
	// StepRing waits for the answer (up to Dur, default 60 s).
	StepRing StepKind = "ring"
	// StepTalk sends audio (a tone) for Dur.
	StepTalk StepKind = "talk"
	// StepWait sends nothing for Dur, e.g. while a survey prompt plays.
	StepWait StepKind = "wait"
	// StepDTMF sends Digits as RFC 4733 events.
	StepDTMF StepKind = "dtmf"
	// StepHangup sends BYE (if the other side has not hung up).
	StepHangup StepKind = "hangup"
)

// Step is one step of a call script.
type Step struct {
	Kind   StepKind
	Dur    time.Duration
	Digits string
}

// String formats the step as it is written in a script.
func (s Step) String() string {
	switch {
	case s.Kind == StepDTMF:
		return "dtmf:" + s.Digits
	case s.Dur > 0:
		return fmt.Sprintf("%s:%s", s.Kind, s.Dur)
	}
	return string(s.Kind)
}

// ParseScript reads a script such as "ring,talk:5s,dtmf:4,hangup": steps
// separated by commas, durations in Go syntax, digits 0-9 * # A-D. The
// script must start with ring; a missing final hangup is added.
func ParseScript(s string) ([]Step, error) {
	var out []Step
	for i, raw := range strings.Split(s, ",") {
		raw = strings.TrimSpace(raw)
		kind, arg, hasArg := strings.Cut(raw, ":")
		st := Step{Kind: StepKind(strings.ToLower(kind))}
		switch st.Kind {
		case StepRing, StepTalk, StepWait:
			if hasArg {
				d, err := time.ParseDuration(arg)
				if err != nil || d <= 0 {
					return nil, fmt.Errorf("script step %d %q: want a duration such as 5s", i+1, raw)
				}
				st.Dur = d
			} else if st.Kind != StepRing {
				return nil, fmt.Errorf("script step %d %q: %s needs a duration, e.g. %s:5s", i+1, raw, st.Kind, st.Kind)
			}
		case StepDTMF:
			if !hasArg || arg == "" || strings.Trim(strings.ToUpper(arg), "0123456789*#ABCD") != "" {
				return nil, fmt.Errorf("script step %d %q: want digits 0-9 * # A-D, e.g. dtmf:4", i+1, raw)
			}
			st.Digits = strings.ToUpper(arg)
		case StepHangup:
			if hasArg {
				return nil, fmt.Errorf("script step %d %q: hangup takes no argument", i+1, raw)
			}
		default:
			return nil, fmt.Errorf("script step %d %q: unknown step (want ring, talk:D, wait:D, dtmf:DIGITS or hangup)", i+1, raw)
		}
		if (i == 0) != (st.Kind == StepRing) {
			return nil, fmt.Errorf("script step %d %q: a script starts with ring, and only there", i+1, raw)
		}
		if st.Kind == StepHangup && i != len(strings.Split(s, ","))-1 {
			return nil, fmt.Errorf("script step %d: hangup must be the last step", i+1)
		}
		out = append(out, st)
	}
	if out[len(out)-1].Kind != StepHangup {
		out = append(out, Step{Kind: StepHangup})
	}
	return out, nil
}

// Digits returns every digit the script sends, in order.
func Digits(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.Digits)
	}
	return b.String()
}
