package postgres

// Services are every feature's store over one DB, built once by the program
// (and by tests) and handed out one field at a time: the HTTP API and the
// pages hold only the services they use.
//
// The embedded *DB is transitional: methods still defined on DB move to a
// feature service (TicketService, ClientService, …) one feature at a time.
type Services struct {
	*DB
}

// NewServices builds every feature's service over db.
func NewServices(db *DB) *Services {
	return &Services{DB: db}
}
