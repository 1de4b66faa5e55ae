package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"hotline/telephony/screenpop"
)

var _ screenpop.CardLookup = (*ScreenPopService)(nil)

// The parts of a card, each the query of one client ({client}) with at most
// $2 rows. The per-client lookups run them for $1; LookupCard runs them
// for every client with the number, each client's rows in the query's
// order (a LATERAL subquery is a nested loop: its rows come out in its
// own order, client after client).
const (
	openTicketsPart = `SELECT id, subject, status, resolve_due FROM tickets
		WHERE client_id = {client} AND status NOT IN ('resolved', 'closed')
		ORDER BY resolve_due NULLS LAST, id DESC LIMIT $2`
	purchasedProductsPart = `SELECT p.id, p.name, max(m.at) AS last, p.support, p.support_months, coalesce(p.support_priority, '')
		FROM stock_movements m JOIN products p ON p.id = m.product_id
		WHERE m.kind = 'shipment' AND m.client_id = {client}
		GROUP BY p.id ORDER BY last DESC LIMIT $2`
	surveyScoresPart = `SELECT d.name || ': ' || a.key, a.value, a.scale, a.at
		FROM (SELECT id, survey_id FROM survey_responses
		      WHERE client_id = {client} ORDER BY started_at DESC LIMIT $2) r
		JOIN survey_definitions d ON d.id = r.survey_id
		JOIN survey_answers a ON a.response_id = r.id
		WHERE a.scale IN ('csat', 'nps')
		ORDER BY a.at DESC
		LIMIT $2`
)

// The per-client queries (TicketService.OpenTickets,
// StockService.PurchasedProducts, SurveyService.LastSurveyScores).
var (
	openTicketsSQL       = forClient(openTicketsPart, "$1")
	purchasedProductsSQL = forClient(purchasedProductsPart, "$1")
	surveyScoresSQL      = forClient(surveyScoresPart, "$1")
)

// phoneClients are the clients with phone number $1, as findByPhoneSQL
// finds them (contacts (kind, value) index; a number once per client).
const phoneClients = `(SELECT client_id FROM contacts WHERE kind = 'phone' AND value = $1) pc`

// The queries of LookupCard, all of phone number $1 and limit $2.
var (
	cardClientsSQL = `SELECT ` + clientColumns + `, coalesce(CASE WHEN u.name = '' THEN u.login ELSE u.name END, '')
		FROM clients c
		LEFT JOIN priority_classes p ON p.code = c.priority
		LEFT JOIN users u ON u.id = c.owner_id
		WHERE c.id IN (SELECT client_id FROM contacts WHERE kind = 'phone' AND value = $1)
		ORDER BY p.rank NULLS LAST, c.name, c.id`
	cardRecentSQL = `SELECT ` + interactionColumns + ` FROM ` + phoneClients + `
		CROSS JOIN LATERAL (SELECT * FROM interactions WHERE client_id = pc.client_id
			ORDER BY at DESC, id DESC LIMIT $2) i
		ORDER BY i.client_id, i.at DESC, i.id DESC`
	cardTicketsSQL  = `SELECT pc.client_id, x.* FROM ` + phoneClients + ` CROSS JOIN LATERAL (` + forClient(openTicketsPart, "pc.client_id") + `) x`
	cardProductsSQL = `SELECT pc.client_id, x.* FROM ` + phoneClients + ` CROSS JOIN LATERAL (` + forClient(purchasedProductsPart, "pc.client_id") + `) x`
	cardSurveysSQL  = `SELECT pc.client_id, x.* FROM ` + phoneClients + ` CROSS JOIN LATERAL (` + forClient(surveyScoresPart, "pc.client_id") + `) x`
	// cardSeenSQL says whether the user with login $3 may see each request
	// the card shows: the open tickets and the requests of the timeline
	// entries (an unknown login sees none, as VisibleTickets).
	cardSeenSQL = `SELECT t.id, coalesce(` + ticketSeenBy + `, false)
		FROM tickets t LEFT JOIN users u ON u.login = $3
		WHERE t.id IN (SELECT x.id FROM ` + phoneClients + ` CROSS JOIN LATERAL (` + forClient(openTicketsPart, "pc.client_id") + `) x
			UNION ALL
			SELECT CASE WHEN i.ref_id ~ '^[0-9]{1,18}$' THEN i.ref_id::bigint END FROM ` + phoneClients + `
			CROSS JOIN LATERAL (SELECT ref_type, ref_id FROM interactions WHERE client_id = pc.client_id
				ORDER BY at DESC, id DESC LIMIT $2) i
			WHERE i.ref_type = 'ticket')`
)

// forClient is a card part's query for the client id expression.
func forClient(part, client string) string { return strings.ReplaceAll(part, "{client}", client) }

// LookupCard reads what the screen pop's card shows about a phone number
// (E.164) in one round trip: a pipelined batch of indexed queries on one
// connection (the clients with their owners' names, then each part for
// every client with the number, then, for a viewer, which of the card's
// requests they may see), the same as FindClientsByPhone (without
// contacts), UserNames, RecentInteractions, OpenTickets, PurchasedProducts,
// LastSurveyScores and VisibleTickets answer one by one
// (screenpop.CardLookup).
func (s *ScreenPopService) LookupCard(ctx context.Context, e164 string, limit int, viewer string) (screenpop.CardData, error) {
	if limit <= 0 {
		limit = 5
	}
	b := &pgx.Batch{}
	b.Queue(cardClientsSQL, e164)
	for _, sql := range []string{cardRecentSQL, cardTicketsSQL, cardProductsSQL, cardSurveysSQL} {
		b.Queue(sql, e164, limit)
	}
	if viewer != "" {
		b.Queue(cardSeenSQL, e164, limit, viewer)
	}
	br := s.db.pool.SendBatch(ctx, b)
	defer br.Close()
	var data screenpop.CardData
	rows, err := br.Query()
	if err != nil {
		return data, translate(err, "look up card: clients")
	}
	at := map[int64]int{}
	err = forEachRow(rows, func(r pgx.Row) error {
		var cc screenpop.CardClient
		var err error
		cc.Client, err = scanClient(r, &cc.OwnerName)
		at[cc.Client.ID] = len(data.Clients)
		data.Clients = append(data.Clients, cc)
		return err
	})
	if err != nil {
		return screenpop.CardData{}, translate(err, "look up card: clients")
	}
	s.readCardParts(br, &data, at)
	if viewer != "" {
		data.Seen = readSeen(br)
	}
	return data, nil
}

// readSeen reads the viewer's visibility of the card's requests; nil when
// it could not be read (the popper asks again).
func readSeen(br pgx.BatchResults) map[int64]bool {
	seen := map[int64]bool{}
	err := readPart(br, "visible requests", func(r pgx.Row) error {
		var id int64
		var ok bool
		err := r.Scan(&id, &ok)
		seen[id] = ok
		return err
	})
	if err != nil {
		return nil
	}
	return seen
}

// readCardParts reads the parts' results of LookupCard's batch into the
// clients (at: a client's index; rows of a client not read, whose number
// was added between the batch's queries, are left out). A part that fails
// is left empty (nil) on every client, with its error.
func (s *ScreenPopService) readCardParts(br pgx.BatchResults, data *screenpop.CardData, at map[int64]int) {
	cl := data.Clients
	data.RecentErr = readPart(br, "recent interactions", func(r pgx.Row) error {
		it, err := scanInteraction(r)
		if i, ok := at[it.ClientID]; ok && err == nil {
			cl[i].Recent = append(cl[i].Recent, it)
		}
		return err
	})
	// as the per-client lookups (CollectRows), a part read is a non-nil
	// slice for tickets and products, nil when empty for survey scores
	for i := range cl {
		cl[i].Tickets, cl[i].Products = []screenpop.Ticket{}, []screenpop.Product{}
	}
	data.TicketsErr = readPart(br, "open tickets", func(r pgx.Row) error {
		var id int64
		t, err := scanPopTicket(r, &id)
		if i, ok := at[id]; ok && err == nil {
			cl[i].Tickets = append(cl[i].Tickets, t)
		}
		return err
	})
	now := s.db.now()
	data.ProductsErr = readPart(br, "purchased products", func(r pgx.Row) error {
		var id int64
		p, err := scanPurchasedProduct(r, now, &id)
		if i, ok := at[id]; ok && err == nil {
			cl[i].Products = append(cl[i].Products, p)
		}
		return err
	})
	data.SurveysErr = readPart(br, "survey scores", func(r pgx.Row) error {
		var id int64
		sc, err := scanSurveyScore(r, &id)
		if i, ok := at[id]; ok && err == nil {
			cl[i].Surveys = append(cl[i].Surveys, sc)
		}
		return err
	})
	for i := range cl {
		c := &cl[i]
		if data.RecentErr != nil {
			c.Recent = nil
		}
		if data.TicketsErr != nil {
			c.Tickets = nil
		}
		if data.ProductsErr != nil {
			c.Products = nil
		}
		if data.SurveysErr != nil {
			c.Surveys = nil
		}
	}
}

// readPart reads the next result of br, each row with scan.
func readPart(br pgx.BatchResults, op string, scan func(pgx.Row) error) error {
	rows, err := br.Query()
	if err == nil {
		err = forEachRow(rows, scan)
	}
	return translate(err, "look up card: "+op)
}

// forEachRow calls fn for each row and closes rows.
func forEachRow(rows pgx.Rows, fn func(pgx.Row) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
