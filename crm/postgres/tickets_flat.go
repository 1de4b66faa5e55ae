package postgres

// FlatDesk is the store with the service desk's services (requests, SLA
// plans, in-app notifications) promoted back into it, for the consumers of
// other features that still take one big store: the demo seeding, the
// stock, admin, knowledge-base and notification pages, the status line.
// Transitional (issue 22): each use goes when its consumer takes the domain
// services it needs, and this type with the last one.
type FlatDesk struct {
	*Services
	*TicketService
	*SLAService
	*NotifyService
}

// Flatten joins st's service-desk services back into one store (see FlatDesk).
func Flatten(st *Services) FlatDesk {
	return FlatDesk{Services: st, TicketService: st.Tickets, SLAService: st.SLA, NotifyService: st.Notify}
}
