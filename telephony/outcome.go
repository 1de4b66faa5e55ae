package telephony

// outcomeFacts are what the outcome of an ended call is decided from.
type outcomeFacts struct {
	Answered     bool
	Direction    Direction
	CallerHungUp bool   // the originating party hung up before any answer
	DialStatus   string // the last final Dial status (BUSY, NOANSWER, CANCEL, CHANUNAVAIL, CONGESTION)
	Cause        int    // Q.850 cause of the channel that ended the call
	Rang         bool   // some called leg rang
}

// failureCauses are Q.850 causes that mean the call could not be set up.
var failureCauses = map[int]bool{
	1: true, 2: true, 3: true, 20: true, 21: true, 22: true, 27: true, 28: true,
	29: true, 31: false, 34: true, 38: true, 41: true, 42: true, 44: true, 47: true,
	50: true, 58: true, 65: true, 66: true, 69: true, 79: true, 88: true, 102: true,
}

// classify decides the outcome of an ended call.
func classify(f outcomeFacts) Outcome {
	switch {
	case f.Answered:
		return OutcomeAnswered
	case f.DialStatus == "BUSY" || f.Cause == 17:
		return OutcomeBusy
	case f.Direction == Inbound && (f.CallerHungUp || f.DialStatus == "CANCEL"):
		return OutcomeAbandoned
	case f.DialStatus == "NOANSWER" || f.Cause == 18 || f.Cause == 19:
		return OutcomeNoAnswer
	case f.DialStatus == "CHANUNAVAIL" || f.DialStatus == "CONGESTION" || failureCauses[f.Cause]:
		return OutcomeFailed
	case f.CallerHungUp || f.DialStatus == "CANCEL":
		// an agent (or Hotline) gave up calling out before an answer
		return OutcomeNoAnswer
	case f.Rang:
		return OutcomeNoAnswer
	default:
		return OutcomeFailed
	}
}
