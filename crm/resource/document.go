package resource

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// DocCategory is what kind of material a document is.
type DocCategory string

// Document categories.
const (
	DocCommercial DocCategory = "commercial"
	DocTechnical  DocCategory = "technical"
	DocTemplate   DocCategory = "template"
	DocMarketing  DocCategory = "marketing"
)

// Document is a library entry; its content lives in versions.
type Document struct {
	ID        int64       `json:"id"`
	Title     string      `json:"title"`
	Category  DocCategory `json:"category"`
	Tags      []string    `json:"tags"`
	OwnerID   int64       `json:"owner_id"`
	Version   int         `json:"version"` // current version number
	Filename  string      `json:"filename"`
	Type      string      `json:"content_type"`
	Size      int64       `json:"size"`
	UpdatedAt time.Time   `json:"updated_at"`
	CanWrite  bool        `json:"can_write"` // for the reader who asked
	Grants    []Grant     `json:"grants,omitempty"`
}

// PrincipalKind says who a grant is for.
type PrincipalKind string

// Grant kinds.
const (
	GrantRole PrincipalKind = "role"
	GrantTeam PrincipalKind = "team"
	GrantUser PrincipalKind = "user"
)

// Grant gives a role, a team or a user read (and optionally write) access.
// The owner and admins always have both. Teams are the service desk's
// (crm/service.Team): a member of a team reads what is granted to it.
type Grant struct {
	Kind PrincipalKind `json:"kind"`
	// Who is a role name, a team ID or a user ID. A team may be given by
	// name (matched case-insensitively); stores keep and return its ID.
	Who   string `json:"who" maxLength:"100"`
	Write bool   `json:"write,omitempty"`
	Team  string `json:"team,omitempty" readOnly:"true" doc:"the team's name, for team grants"`
}

// Reader is who asks: their ID, role and the IDs of their teams.
type Reader struct {
	UserID int64
	Role   crm.Role
	Teams  []int64
}

// Access reports what r may do with a document owned by owner with grants.
// Stores enforce the same rule in their queries; this is its statement.
func Access(r Reader, owner int64, grants []Grant) (read, write bool) {
	if r.Role == crm.RoleAdmin || r.UserID == owner {
		return true, true
	}
	for _, g := range grants {
		match := (g.Kind == GrantRole && g.Who == string(r.Role)) ||
			(g.Kind == GrantUser && g.Who == fmt.Sprint(r.UserID)) ||
			(g.Kind == GrantTeam && slices.ContainsFunc(r.Teams, func(id int64) bool { return g.Who == fmt.Sprint(id) }))
		if match {
			read = true
			write = write || g.Write
		}
	}
	return read, write
}

var tagPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}_-]{0,31}$`)

// Validate checks a document's metadata and grants.
func (d *Document) Validate() error {
	d.Title = strings.TrimSpace(d.Title)
	switch {
	case d.Title == "" || utf8.RuneCountInString(d.Title) > 300:
		return crm.Invalid("title", "is required (at most 300 characters)")
	case !slices.Contains([]DocCategory{DocCommercial, DocTechnical, DocTemplate, DocMarketing}, d.Category):
		return crm.Invalid("category", "must be commercial, technical, template or marketing")
	case len(d.Tags) > 20:
		return crm.Invalid("tags", "at most 20")
	}
	for i, t := range d.Tags {
		d.Tags[i] = strings.ToLower(strings.TrimSpace(t))
		if !tagPattern.MatchString(d.Tags[i]) {
			return crm.Invalid("tags", "%q: letters, digits, '_' or '-', at most 32", t)
		}
	}
	return ValidateGrants(d.Grants)
}

// ValidateGrants checks grant kinds and names.
func ValidateGrants(gs []Grant) error {
	for _, g := range gs {
		switch g.Kind {
		case GrantRole:
			if !slices.Contains(crm.Roles, crm.Role(g.Who)) {
				return crm.Invalid("grants", "unknown role %q", g.Who)
			}
		case GrantTeam:
			if strings.TrimSpace(g.Who) == "" || utf8.RuneCountInString(g.Who) > 100 {
				return crm.Invalid("grants", "team %q: want a team ID or name", g.Who)
			}
		case GrantUser:
			if _, err := fmt.Sscanf(g.Who, "%d", new(int64)); err != nil {
				return crm.Invalid("grants", "user %q: want a user ID", g.Who)
			}
		default:
			return crm.Invalid("grants", "kind must be role, team or user")
		}
	}
	return nil
}

// Upload is a file given to the library.
type Upload struct {
	Filename string
	Type     string // declared content type; checked against the content
	Content  []byte
}

// allowedTypes are the sniffed content types the library accepts; office
// formats (docx, xlsx, odt) sniff as zip.
var allowedTypes = []string{"text/plain", "text/html", "application/pdf", "image/png", "image/jpeg", "application/zip"}

// DefaultMaxDocument is the default size limit of one version.
const DefaultMaxDocument = 10 << 20

// CheckUpload sniffs the content (http.DetectContentType), refuses types
// not allowed, content over maxSize, and a declared type that the content
// contradicts; it returns the content type to store.
func CheckUpload(u Upload, maxSize int) (string, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxDocument
	}
	if err := CheckFilename(u.Filename); err != nil {
		return "", err
	}
	switch {
	case len(u.Content) == 0:
		return "", crm.Invalid("content", "is empty")
	case len(u.Content) > maxSize:
		return "", crm.Invalid("content", "is %d bytes; the limit is %d", len(u.Content), maxSize)
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(u.Content), ";")
	if !slices.Contains(allowedTypes, sniffed) {
		return "", crm.Invalid("content", "type %s is not accepted (text, HTML, PDF, PNG, JPEG, office documents)", sniffed)
	}
	declared, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(u.Type)), ";")
	if declared == "" || declared == "application/octet-stream" {
		return sniffed, nil
	}
	if declared == sniffed || (sniffed == "application/zip" && strings.HasPrefix(declared, "application/vnd.")) ||
		(sniffed == "text/plain" && (declared == "text/csv" || declared == "text/markdown")) {
		return declared, nil
	}
	return "", crm.Invalid("content_type", "declared %s but the content is %s", declared, sniffed)
}

// TemplateData is what a document template sees: {{.Client.Name}},
// {{.Client.Company}}, {{.Client.Legal.INN}} (and the other requisites),
// {{.Today}}, {{.TodayLong}} ("7 декабря 2026 г."), {{.User.Name}}, and a
// sum given when filling: {{.Amount}} ("1 200,50") and {{.AmountWords}}
// ("одна тысяча двести рублей 50 копеек").
type TemplateData struct {
	Client      crm.Client
	User        crm.User
	Today       string
	TodayLong   string
	Amount      string
	AmountWords string
}
