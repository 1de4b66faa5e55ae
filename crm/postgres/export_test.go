package postgres

import "time"

// Exported for the external tests only.
var (
	FindByPhoneSQL = findByPhoneSQL
	CardLookupSQL  = []string{cardClientsSQL, cardRecentSQL, cardTicketsSQL, cardProductsSQL, cardSurveysSQL, cardSeenSQL}
	QueryCondition = queryCondition
)

// The reads of a callback round: missed calls since the last one, open
// requests an answered call handled.
const (
	MissedCallsSince    = missedCallsSince
	HandledCallbacksSQL = handledCallbacksSQL
)

// AgeMissedSweep makes the last full read of missed calls d older, as if
// that much time had passed since.
func (s *TicketService) AgeMissedSweep(d time.Duration) {
	s.missed.mu.Lock()
	defer s.missed.mu.Unlock()
	s.missed.sweep = s.missed.sweep.Add(-d)
}
