package phone

import "sync"

// Memo is a Normalizer that remembers its answers: libphonenumber's parse
// costs more than the work a call event needs otherwise, and calls show
// the same few numbers again and again. It keeps up to max numbers, then
// starts over. Safe for concurrent use.
type Memo struct {
	n   Normalizer
	max int

	mu   sync.Mutex
	seen map[string]memoEntry
}

type memoEntry struct {
	e164 string
	err  error
}

// NewMemo returns a memo of n keeping up to max numbers (4096 when max <= 0).
func NewMemo(n Normalizer, max int) *Memo {
	if max <= 0 {
		max = 4096
	}
	return &Memo{n: n, max: max, seen: map[string]memoEntry{}}
}

// E164 is Normalizer.E164, remembered.
func (m *Memo) E164(raw string) (string, error) {
	m.mu.Lock()
	e, ok := m.seen[raw]
	m.mu.Unlock()
	if ok {
		return e.e164, e.err
	}
	e.e164, e.err = m.n.E164(raw)
	m.mu.Lock()
	if len(m.seen) >= m.max {
		clear(m.seen)
	}
	m.seen[raw] = e
	m.mu.Unlock()
	return e.e164, e.err
}

// Lookup is Normalizer.Lookup, remembered.
func (m *Memo) Lookup(raw string) (value string, ok bool) {
	return lookup(raw, m.E164)
}
