package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm/kb"
)

// ListCategories returns the knowledge base's categories by name, with
// their article counts.
func (s *KBService) ListCategories(ctx context.Context) ([]kb.Category, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT k.id, k.name, count(a.id) FROM kb_categories k
		LEFT JOIN kb_articles a ON a.category_id = k.id GROUP BY k.id ORDER BY k.name LIMIT 500`)
	if err != nil {
		return nil, translate(err, "list kb categories")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (kb.Category, error) {
		var c kb.Category
		err := r.Scan(&c.ID, &c.Name, &c.Articles)
		return c, err
	})
}

var _ kb.Service = (*KBService)(nil)
