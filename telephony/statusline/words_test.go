package statusline_test

import (
	"testing"

	"hotline/internal/i18n"
	"hotline/telephony/statusline"
)

// testWords are the catalogue's phrases, the centre in Moscow speaking Russian.
func testWords(t *testing.T) statusline.Words {
	t.Helper()
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian})
	if err != nil {
		t.Fatal(err)
	}
	return statusline.CatalogueWords(cat)
}
