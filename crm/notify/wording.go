package notify

import "context"

// TemplateStore keeps admins' wordings (crm/postgres.Store).
type TemplateStore interface {
	NotificationTemplate(ctx context.Context, key, lang string) (Template, bool, error)
}

// Wording gives a template's wording: the admin's when they changed it,
// else the default (the message catalogue's).
type Wording struct {
	Store   TemplateStore
	Default func(key, lang string) Template
	// Lang, when set, turns a message's language ("" for the centre's)
	// into the one its wording is kept in.
	Lang func(lang string) string
}

var _ TemplateSource = Wording{}

// Template returns the wording of key in lang.
func (w Wording) Template(ctx context.Context, key, lang string) (Template, error) {
	if w.Lang != nil {
		lang = w.Lang(lang)
	}
	if w.Store != nil {
		t, ok, err := w.Store.NotificationTemplate(ctx, key, lang)
		if err != nil || ok {
			return t, err
		}
	}
	t := w.Default(key, lang)
	t.Key, t.Lang = key, lang
	return t, nil
}
