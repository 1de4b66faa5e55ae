package postgres

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"hotline/crm"
)

// Page sizes for list queries.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// clampLimit turns a requested page size into one the store serves.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// cursor is the position after the last row of a page: the sort key and id
// of that row. It travels as opaque unpadded base64url JSON.
type cursor struct {
	Name string    `json:"n,omitempty"` // clients: sorted by (name, id)
	At   time.Time `json:"t,omitzero"`  // timeline: sorted by (at desc, id desc)
	ID   int64     `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses an opaque cursor; "" yields ok == false.
func decodeCursor(s string) (c cursor, ok bool, err error) {
	if s == "" {
		return c, false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 4096 {
		return c, false, crm.Invalid("after", "is not a cursor from a previous page")
	}
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 {
		return c, false, crm.Invalid("after", "is not a cursor from a previous page")
	}
	return c, true, nil
}
