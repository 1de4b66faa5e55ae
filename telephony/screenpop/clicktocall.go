package screenpop

// clickToCallFailureText is what the agent reads on the console when a
// click-to-call did not reach the number. The texts are kept here, in one
// place, for the message catalogue (area "c2c").
func clickToCallFailureText(failure string, pop *Pop) string {
	number := ""
	if pop.Card != nil {
		number = pop.Card.Caller
	}
	switch failure {
	case "busy":
		return "Call to " + number + " failed: the number is busy."
	case "no_answer":
		return "Call to " + number + " failed: no answer."
	case "no_route":
		return "Call to " + number + " failed: the PBX hung up without dialling it (the dial context HOTLINE_DIAL_CONTEXT or a route for the number is missing). Tell your administrator."
	case "unreachable":
		return "Call to " + number + " failed: the number or the line to it cannot be reached now."
	case "agent_no_answer":
		return "Call to " + number + " was not placed: your phone did not answer."
	}
	return "Call to " + number + " failed."
}
