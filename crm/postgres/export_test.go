package postgres

import "time"

// Exported for the external tests only.
var (
	FindByPhoneSQL = findByPhoneSQL
	QueryCondition = queryCondition
)

// MissedCallsSince is the incremental read of missed calls.
const MissedCallsSince = missedCallsSince

// AgeMissedSweep makes the last full read of missed calls d older, as if
// that much time had passed since.
func (s *TicketService) AgeMissedSweep(d time.Duration) {
	s.missed.mu.Lock()
	defer s.missed.mu.Unlock()
	s.missed.sweep = s.missed.sweep.Add(-d)
}

const HandledCallbacksSQL = handledCallbacksSQL
