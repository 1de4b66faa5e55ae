package telephony

import "bytes"

// peekType finds the value of the top-level "type" key without decoding
// the event. ARI puts it first or after a few scalars; nested objects have
// no "type" key, so the first match is the event's.
func peekType(raw []byte) string {
	i := bytes.Index(raw, []byte(`"type":"`))
	if i < 0 {
		return ""
	}
	rest := raw[i+8:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}
