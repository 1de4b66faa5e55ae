package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// The document library. Access is enforced in every query by docAccess: an
// admin or the owner, or a grant to the reader's role, one of their teams
// or them; writing needs a grant with can_write.

// docAccess is the visibility predicate on documents d for reader $1 (user
// ID) and $2 (role); write adds "and the grant allows writing". Teams are
// the service desk's (team_members), so one membership opens a team's
// tickets and its documents.
func docAccess(write bool) string {
	w := ""
	if write {
		w = " AND g.can_write"
	}
	return `($2 = 'admin' OR d.owner_id = $1 OR EXISTS (SELECT 1 FROM document_grants g WHERE g.document_id = d.id` + w + ` AND (
		(g.kind = 'role' AND g.who = $2) OR (g.kind = 'user' AND g.who = $1::text) OR
		(g.kind = 'team' AND g.team_id IN (SELECT team_id FROM team_members WHERE user_id = $1)))))`
}

// CreateDocument stores a document with its first version and grants; the
// reader becomes its owner.
func (s *DocumentService) CreateDocument(ctx context.Context, r resource.Reader, d *resource.Document, up resource.Upload, maxSize int) error {
	if err := d.Validate(); err != nil {
		return err
	}
	ctype, err := resource.CheckUpload(up, maxSize)
	if err != nil {
		return err
	}
	if err := checkTemplate(d.Category, ctype, up.Content); err != nil {
		return err
	}
	d.OwnerID, d.CanWrite = r.UserID, true
	if d.Tags == nil {
		d.Tags = []string{}
	}
	text := s.bodyText(ctx, up, ctype)
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO documents (title, category, tags, owner_id) VALUES ($1, $2, $3, $4) RETURNING id`,
			d.Title, d.Category, d.Tags, d.OwnerID).Scan(&d.ID); err != nil {
			return err
		}
		if err := setGrants(ctx, tx, d.ID, d.Grants); err != nil {
			return err
		}
		return addVersion(ctx, tx, d, up, ctype, text, r.UserID)
	})
	return translateStock(err, "create document")
}

// AddDocumentVersion stores a new version of a document the reader may write.
func (s *DocumentService) AddDocumentVersion(ctx context.Context, r resource.Reader, id int64, up resource.Upload, maxSize int) (resource.Document, error) {
	ctype, err := resource.CheckUpload(up, maxSize)
	if err != nil {
		return resource.Document{}, err
	}
	text := s.bodyText(ctx, up, ctype)
	var d resource.Document
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if d, err = getDocument(ctx, tx, r, id, true); err != nil {
			return err
		}
		if err := checkTemplate(d.Category, ctype, up.Content); err != nil {
			return err
		}
		return addVersion(ctx, tx, &d, up, ctype, text, r.UserID)
	})
	return d, translateStock(err, "add document version")
}

// checkTemplate refuses, for a document of the template category, a text
// template that would not parse or could run unbounded (see
// resource.CheckTemplate).
func checkTemplate(cat resource.DocCategory, ctype string, content []byte) error {
	if cat != resource.DocTemplate || !strings.HasPrefix(ctype, "text/") {
		return nil
	}
	return resource.CheckTemplate(content)
}

// bodyText is the searchable text of an upload, read before the
// transaction begins (it may take seconds). A file whose text cannot be
// read is stored without: the failure is logged, not returned.
func (s *DocumentService) bodyText(ctx context.Context, up resource.Upload, ctype string) string {
	text, err := s.db.text.Text(ctx, ctype, up.Content)
	if err != nil {
		s.db.log.WarnContext(ctx, "document stored without searchable text",
			"filename", up.Filename, "content_type", ctype, "size", len(up.Content), "err", err)
	}
	return text
}

func addVersion(ctx context.Context, tx pgx.Tx, d *resource.Document, up resource.Upload, ctype, text string, userID int64) error {
	d.Version++
	if _, err := tx.Exec(ctx, `INSERT INTO document_versions (document_id, version, filename, content_type, size, content, body_text, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, d.Version, up.Filename, ctype, len(up.Content), up.Content, text, nullID(userID)); err != nil {
		return err
	}
	d.Filename, d.Type, d.Size = up.Filename, ctype, int64(len(up.Content))
	return tx.QueryRow(ctx, `UPDATE documents SET version = $2, updated_at = now(),
		search = setweight(to_tsvector('russian', title), 'A') || setweight(to_tsvector('russian', array_to_string(tags, ' ')), 'B')
			|| setweight(to_tsvector('russian', left($3, 500000)), 'C')
		WHERE id = $1 RETURNING updated_at`, d.ID, d.Version, text).Scan(&d.UpdatedAt)
}

// setGrants replaces a document's grants; a team grant names the team by
// ID or name and is stored by ID. Of two grants to the same principal the
// later one counts.
func setGrants(ctx context.Context, tx pgx.Tx, id int64, gs []resource.Grant) error {
	if _, err := tx.Exec(ctx, `DELETE FROM document_grants WHERE document_id = $1`, id); err != nil {
		return err
	}
	for _, g := range gs {
		var team *int64
		if g.Kind == resource.GrantTeam {
			tid, err := resolveTeam(ctx, tx, strings.TrimSpace(g.Who))
			if err != nil {
				return err
			}
			team, g.Who = &tid, strconv.FormatInt(tid, 10)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO document_grants (document_id, kind, who, team_id, can_write) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (document_id, kind, who) DO UPDATE SET can_write = EXCLUDED.can_write`,
			id, g.Kind, g.Who, team, g.Write); err != nil {
			return err
		}
	}
	return nil
}

// SetDocumentGrants replaces a document's grants (the reader must may write it).
func (s *DocumentService) SetDocumentGrants(ctx context.Context, r resource.Reader, id int64, gs []resource.Grant) error {
	if err := resource.ValidateGrants(gs); err != nil {
		return err
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := getDocument(ctx, tx, r, id, true); err != nil {
			return err
		}
		return setGrants(ctx, tx, id, gs)
	})
	return translateStock(err, "set document grants")
}

const docColumns = `d.id, d.title, d.category, d.tags, d.owner_id, d.version, v.filename, v.content_type, v.size, d.updated_at, ` // + can_write

func scanDocument(row pgx.Row) (resource.Document, error) {
	var d resource.Document
	err := row.Scan(&d.ID, &d.Title, &d.Category, &d.Tags, &d.OwnerID, &d.Version, &d.Filename, &d.Type, &d.Size, &d.UpdatedAt, &d.CanWrite)
	return d, err
}

// getDocument reads a document the reader may read (or write, locking it);
// others get not found, so that existence does not leak.
func getDocument(ctx context.Context, tx pgx.Tx, r resource.Reader, id int64, write bool) (resource.Document, error) {
	q := `SELECT ` + docColumns + docAccess(true) + ` FROM documents d
		JOIN document_versions v ON v.document_id = d.id AND v.version = d.version
		WHERE d.id = $3 AND ` + docAccess(false)
	if write {
		q += ` FOR UPDATE OF d`
	}
	d, err := scanDocument(tx.QueryRow(ctx, q, r.UserID, string(r.Role), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, notFound("document", id)
	}
	if err != nil {
		return d, err
	}
	if write && !d.CanWrite {
		return d, crm.Errorf(crm.KindForbidden, "you may read document %d but not change it", id)
	}
	rows, err := tx.Query(ctx, `SELECT g.kind, g.who, g.can_write, coalesce(t.name, '') FROM document_grants g
		LEFT JOIN teams t ON t.id = g.team_id WHERE g.document_id = $1 ORDER BY g.kind, g.who`, id)
	if err != nil {
		return d, err
	}
	d.Grants, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Grant, error) {
		var g resource.Grant
		return g, r.Scan(&g.Kind, &g.Who, &g.Write, &g.Team)
	})
	return d, err
}

// GetDocument returns a document the reader may read, with its grants.
func (s *DocumentService) GetDocument(ctx context.Context, r resource.Reader, id int64) (resource.Document, error) {
	var d resource.Document
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = getDocument(ctx, tx, r, id, false)
		return err
	})
	return d, translateStock(err, "get document")
}

// DocumentContent returns a version's file (0: the current one).
func (s *DocumentService) DocumentContent(ctx context.Context, r resource.Reader, id int64, version int) (resource.Upload, error) {
	var u resource.Upload
	err := s.db.pool.QueryRow(ctx, `SELECT v.filename, v.content_type, v.content FROM documents d
		JOIN document_versions v ON v.document_id = d.id AND v.version = CASE WHEN $4 > 0 THEN $4 ELSE d.version END
		WHERE d.id = $3 AND `+docAccess(false), r.UserID, string(r.Role), id, version).Scan(&u.Filename, &u.Type, &u.Content)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, notFound("document version", strconv.FormatInt(id, 10)+"/"+strconv.Itoa(version))
	}
	return u, translateStock(err, "document content")
}

// ListDocuments lists the documents the reader may read, best match first
// when there is a query, else most recently changed.
func (s *DocumentService) ListDocuments(ctx context.Context, r resource.Reader, f resource.DocumentFilter) ([]resource.Document, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 100
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+docColumns+docAccess(true)+` FROM documents d
		JOIN document_versions v ON v.document_id = d.id AND v.version = d.version
		WHERE `+docAccess(false)+`
			AND ($3 = '' OR d.search @@ websearch_to_tsquery('russian', $3))
			AND ($4 = '' OR d.category = $4) AND ($5 = '' OR $5 = ANY (d.tags))
		ORDER BY CASE WHEN $3 = '' THEN 0 ELSE ts_rank(d.search, websearch_to_tsquery('russian', $3)) END DESC, d.updated_at DESC, d.id DESC
		LIMIT $6`, r.UserID, string(r.Role), strings.TrimSpace(f.Query), string(f.Category), strings.ToLower(f.Tag), f.Limit)
	if err != nil {
		return nil, translateStock(err, "list documents")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (resource.Document, error) { return scanDocument(row) })
	return out, translateStock(err, "list documents")
}

var _ resource.DocumentService = (*DocumentService)(nil)
