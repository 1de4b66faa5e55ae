package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm/resource"
)

// ListDocumentVersions lists the versions of a document the reader may
// read, newest first; others get not found.
func (s *DocumentService) ListDocumentVersions(ctx context.Context, r resource.Reader, id int64) ([]resource.DocumentVersion, error) {
	var out []resource.DocumentVersion
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := getDocument(ctx, tx, r, id, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT v.version, v.filename, v.content_type, v.size,
				coalesce(nullif(u.name, ''), u.login, ''), v.created_at
			FROM document_versions v LEFT JOIN users u ON u.id = v.created_by
			WHERE v.document_id = $1 ORDER BY v.version DESC LIMIT 200`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (resource.DocumentVersion, error) {
			var v resource.DocumentVersion
			return v, row.Scan(&v.Version, &v.Filename, &v.Type, &v.Size, &v.CreatedBy, &v.CreatedAt)
		})
		return err
	})
	return out, translateStock(err, "list document versions")
}
