package resource

import "time"

// DocumentVersion is one uploaded version of a library document: which
// file, who uploaded it and when.
type DocumentVersion struct {
	Version   int       `json:"version"`
	Filename  string    `json:"filename"`
	Type      string    `json:"content_type"`
	Size      int64     `json:"size"`
	CreatedBy string    `json:"created_by"` // the uploader's name ("" when the user is gone)
	CreatedAt time.Time `json:"created_at"`
}

// DocCategories lists the library's categories in the order pages offer them.
var DocCategories = []DocCategory{DocCommercial, DocTechnical, DocMarketing, DocTemplate}
