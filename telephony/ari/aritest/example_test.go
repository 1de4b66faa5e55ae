package aritest_test

import (
	"context"
	"fmt"
	"time"

	"hotline/telephony/ari/aritest"
)

// A customer calls 7001; agent 1001 answers after 2 s and talks 5 s; with
// no app connected the post-call survey's Stasis fails and the customer is
// hung up. Speed 100 makes the 7 simulated seconds last 70 ms.
func ExampleServer_InboundCall() {
	s := aritest.New(aritest.Options{Speed: 100})
	defer s.Close()
	id, err := s.InboundCall(context.Background(), aritest.Inbound{
		From: "+74951234567", Name: "Ivan Petrov", Exten: "7001",
		Phones: map[string]aritest.Phone{"1001": {AnswerAfter: 2 * time.Second, HangupAfter: 5 * time.Second}},
	})
	fmt.Println(id != "", err, s.ChannelCount())
	// Output: true <nil> 0
}
