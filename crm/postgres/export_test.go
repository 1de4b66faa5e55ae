package postgres

// Exported for the external tests only.
var (
	FindByPhoneSQL = findByPhoneSQL
	QueryCondition = queryCondition
)
