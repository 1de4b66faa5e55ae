package postgres

// Exported for the external tests only.
var (
	FindByPhoneSQL = findByPhoneSQL
	CardLookupSQL  = []string{cardClientsSQL, cardRecentSQL, cardTicketsSQL, cardProductsSQL, cardSurveysSQL, cardSeenSQL}
	QueryCondition = queryCondition
)
