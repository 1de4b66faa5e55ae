package telephony

import (
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
)

// decodeUpdates decodes journal records and keeps, per call, the timeline
// entries of every update and the record of the newest (the later one of
// equal versions): what a CallStore makes of a batch of records.
func decodeUpdates(recs [][]byte) ([]CallUpdate, error) {
	out := make([]CallUpdate, 0, len(recs))
	idx := make(map[callKey]int, len(recs))
	for _, b := range recs {
		var u CallUpdate
		if err := jsonv2.Unmarshal(b, &u, journalJSON); err != nil {
			return nil, fmt.Errorf("decode journaled call update: %w", err)
		}
		k := callKey{u.Call.Node, u.Call.LinkedID}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, u)
			continue
		}
		prev := &out[i]
		tl := append(prev.Timeline, u.Timeline...)
		if u.Version >= prev.Version {
			*prev = u
		}
		prev.Timeline = tl
	}
	return out, nil
}
