package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
)

// clientColumns selects a client; scanClient reads them.
const clientColumns = `c.id, c.kind, c.name, c.company, COALESCE(c.priority, ''), c.priority_manual, c.owner_id, c.tags, c.notes, c.language, c.created_at, c.updated_at, ` + legalColumns

// legalColumns are the client's requisites (migration 00280).
const legalColumns = `c.inn, c.kpp, c.ogrn, c.legal_address, c.postal_address, c.bank_name, c.bik, c.bank_account, c.corr_account`

// scanClient reads the clientColumns, then the columns after them into more.
func scanClient(row pgx.Row, more ...any) (crm.Client, error) {
	var c crm.Client
	l := &c.Legal
	err := row.Scan(append([]any{&c.ID, &c.Kind, &c.Name, &c.Company, &c.Priority, &c.PriorityManual, &c.OwnerID, &c.Tags, &c.Notes, &c.Language, &c.CreatedAt, &c.UpdatedAt,
		&l.INN, &l.KPP, &l.OGRN, &l.LegalAddress, &l.PostalAddress, &l.BankName, &l.BIK, &l.Account, &l.CorrAccount}, more...)...)
	return c, err
}

// CreateClient validates c and stores it with its contacts (phones already in
// E.164), setting c.ID, the contacts' IDs and the timestamps. An empty
// priority gets the lowest class (highest rank) and leaves the client to the
// rules; a class given is kept by hand. One number may belong to several
// clients, but only once to each.
func (s *ClientService) CreateClient(ctx context.Context, c *crm.Client) error {
	if err := validateClient(c); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkClientRefs(ctx, tx, c); err != nil {
			return err
		}
		l := c.Legal
		err := tx.QueryRow(ctx, `INSERT INTO clients (kind, name, company, priority, owner_id, tags, notes, language,
				inn, kpp, ogrn, legal_address, postal_address, bank_name, bik, bank_account, corr_account, priority_manual)
			VALUES ($1, $2, $3, COALESCE(NULLIF($4, ''), (SELECT code FROM priority_classes ORDER BY rank DESC, code LIMIT 1)), $5, $6, $7, $8,
				$9, $10, $11, $12, $13, $14, $15, $16, $17, $4 <> '')
			RETURNING id, COALESCE(priority, ''), priority_manual, created_at, updated_at`,
			c.Kind, c.Name, c.Company, c.Priority, c.OwnerID, c.Tags, c.Notes, c.Language,
			l.INN, l.KPP, l.OGRN, l.LegalAddress, l.PostalAddress, l.BankName, l.BIK, l.Account, l.CorrAccount).
			Scan(&c.ID, &c.Priority, &c.PriorityManual, &c.CreatedAt, &c.UpdatedAt)
		if err != nil {
			return translate(err, "create client")
		}
		for i := range c.Contacts {
			c.Contacts[i].ClientID = c.ID
			if err := insertContact(ctx, tx, &c.Contacts[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func validateClient(c *crm.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	return c.ValidateContacts()
}

// checkClientRefs makes a priority class or an owner that does not exist a
// field error (KindInvalid) rather than a foreign key violation.
func checkClientRefs(ctx context.Context, tx pgx.Tx, c *crm.Client) error {
	var classOK, ownerOK bool
	err := tx.QueryRow(ctx, `SELECT $1 = '' OR EXISTS (SELECT 1 FROM priority_classes WHERE code = $1),
			$2::bigint IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $2)`, c.Priority, c.OwnerID).Scan(&classOK, &ownerOK)
	switch {
	case err != nil:
		return translate(err, "check client")
	case !classOK:
		return crm.Invalid("priority", "%q is not a priority class", c.Priority)
	case !ownerOK:
		return crm.Invalid("owner_id", "no user with id %d", *c.OwnerID)
	}
	return nil
}

func insertContact(ctx context.Context, tx pgx.Tx, ct *crm.Contact) error {
	err := tx.QueryRow(ctx, `INSERT INTO contacts (client_id, kind, value, raw, label)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		ct.ClientID, ct.Kind, ct.Value, ct.Raw, ct.Label).Scan(&ct.ID)
	var ce *crm.Error
	if err = translate(err, "add contact"); errors.As(err, &ce) {
		switch ce.Field {
		case "client_id":
			return notFound("client", ct.ClientID)
		case "contacts":
			ce.Message = fmt.Sprintf("the client already has %s %s", ct.Kind, ct.Value)
		}
	}
	return err
}

// GetClient returns the client with its contacts.
func (s *ClientService) GetClient(ctx context.Context, id int64) (crm.Client, error) {
	c, err := scanClient(s.db.pool.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients c WHERE c.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, notFound("client", id)
	}
	if err != nil {
		return c, translate(err, "get client")
	}
	list := []crm.Client{c}
	if err := s.db.loadContacts(ctx, list); err != nil {
		return c, err
	}
	return list[0], nil
}

// UpdateClient saves c's own fields (an empty Priority keeps the stored
// class; another class than the stored one is kept by hand from now on). When c.Contacts is not nil it also becomes the client's contact
// list: contacts are matched by kind and value (keeping their IDs), missing
// ones are removed and new ones added. A nil c.Contacts leaves them alone.
func (s *ClientService) UpdateClient(ctx context.Context, c *crm.Client) error {
	if err := validateClient(c); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkClientRefs(ctx, tx, c); err != nil {
			return err
		}
		l := c.Legal
		err := tx.QueryRow(ctx, `UPDATE clients SET kind = $2, name = $3, company = $4,
				priority = COALESCE(NULLIF($5, ''), priority),
				priority_manual = CASE WHEN $5 = '' OR $5 = priority THEN priority_manual ELSE true END, owner_id = $6, tags = $7, notes = $8, language = $9, updated_at = now(),
				inn = $10, kpp = $11, ogrn = $12, legal_address = $13, postal_address = $14, bank_name = $15, bik = $16,
				bank_account = $17, corr_account = $18
			WHERE id = $1 RETURNING COALESCE(priority, ''), priority_manual, created_at, updated_at`,
			c.ID, c.Kind, c.Name, c.Company, c.Priority, c.OwnerID, c.Tags, c.Notes, c.Language,
			l.INN, l.KPP, l.OGRN, l.LegalAddress, l.PostalAddress, l.BankName, l.BIK, l.Account, l.CorrAccount).
			Scan(&c.Priority, &c.PriorityManual, &c.CreatedAt, &c.UpdatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("client", c.ID)
		}
		if err != nil {
			return translate(err, "update client")
		}
		if c.Contacts == nil {
			return nil
		}
		return replaceContacts(ctx, tx, c)
	})
}

// replaceContacts makes c.Contacts the client's contact list.
func replaceContacts(ctx context.Context, tx pgx.Tx, c *crm.Client) error {
	kinds := make([]string, len(c.Contacts))
	values := make([]string, len(c.Contacts))
	for i, ct := range c.Contacts {
		kinds[i], values[i] = string(ct.Kind), ct.Value
	}
	_, err := tx.Exec(ctx, `DELETE FROM contacts WHERE client_id = $1 AND (kind, value) NOT IN
		(SELECT * FROM unnest($2::text[], $3::text[]))`, c.ID, kinds, values)
	if err != nil {
		return translate(err, "replace contacts")
	}
	for i := range c.Contacts {
		ct := &c.Contacts[i]
		ct.ClientID = c.ID
		err := tx.QueryRow(ctx, `INSERT INTO contacts (client_id, kind, value, raw, label) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT ON CONSTRAINT contacts_client_kind_value_key DO UPDATE SET raw = excluded.raw, label = excluded.label
			RETURNING id`, ct.ClientID, ct.Kind, ct.Value, ct.Raw, ct.Label).Scan(&ct.ID)
		if err != nil {
			return translate(err, "replace contacts")
		}
	}
	return nil
}

// DeleteClient removes the client with its contacts and timeline.
func (s *ClientService) DeleteClient(ctx context.Context, id int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM clients WHERE id = $1`, id)
	return rowsOrNotFound(tag, err, "client", id)
}

// AddContact validates ct (a phone already in E.164) and adds it to client
// ct.ClientID, setting ct.ID. A missing client is KindNotFound; the same
// contact twice on one client is KindConflict.
func (s *ClientService) AddContact(ctx context.Context, ct *crm.Contact) error {
	if err := ct.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := insertContact(ctx, tx, ct); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE clients SET updated_at = now() WHERE id = $1`, ct.ClientID)
		return translate(err, "add contact")
	})
}

// DeleteContact removes one contact of a client.
func (s *ClientService) DeleteContact(ctx context.Context, clientID, contactID int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM contacts WHERE id = $1 AND client_id = $2`, contactID, clientID)
		if err := rowsOrNotFound(tag, err, "contact", contactID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE clients SET updated_at = now() WHERE id = $1`, clientID)
		return translate(err, "delete contact")
	})
}

// loadContacts fills in the contacts of the listed clients with one query.
func (s *DB) loadContacts(ctx context.Context, clients []crm.Client) error {
	if len(clients) == 0 {
		return nil
	}
	ids := make([]int64, len(clients))
	at := make(map[int64]int, len(clients))
	for i := range clients {
		ids[i] = clients[i].ID
		at[clients[i].ID] = i
		clients[i].Contacts = []crm.Contact{}
	}
	rows, err := s.pool.Query(ctx, `SELECT id, client_id, kind, value, raw, label FROM contacts
		WHERE client_id = ANY($1) ORDER BY client_id, kind DESC, id`, ids)
	if err != nil {
		return translate(err, "load contacts")
	}
	defer rows.Close()
	for rows.Next() {
		var ct crm.Contact
		if err := rows.Scan(&ct.ID, &ct.ClientID, &ct.Kind, &ct.Value, &ct.Raw, &ct.Label); err != nil {
			return translate(err, "load contacts")
		}
		c := &clients[at[ct.ClientID]]
		c.Contacts = append(c.Contacts, ct)
	}
	return translate(rows.Err(), "load contacts")
}

var _ crm.ClientService = (*ClientService)(nil)
