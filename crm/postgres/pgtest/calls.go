package pgtest

import (
	"encoding/json"
	"testing"

	"hotline/telephony"
)

// CallRecords encodes call updates as the records CallService.SaveCalls
// takes (the JSON encoding of each CallUpdate, as the tracker journals it).
func CallRecords(tb testing.TB, updates ...telephony.CallUpdate) [][]byte {
	tb.Helper()
	out := make([][]byte, len(updates))
	for i, u := range updates {
		b, err := json.Marshal(u)
		if err != nil {
			tb.Fatalf("encode call update: %v", err)
		}
		out[i] = b
	}
	return out
}
