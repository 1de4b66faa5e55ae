package httpapi

import (
	"net/http"

	"hotline/internal/i18n"
)

// localize puts the request's Localizer into its context: the signed-in
// user's chosen language, else the browser's Accept-Language, else the
// centre's default; always in the centre's zone.
func (s *Server) localize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := s.Localizer(r)
		next.ServeHTTP(w, r.WithContext(i18n.NewContext(r.Context(), l)))
	})
}

// Localizer picks the language a request is answered in: the signed-in
// user's choice, else Accept-Language, else the centre's default.
func (s *Server) Localizer(r *http.Request) *i18n.Localizer {
	if p := PrincipalFrom(r.Context()); p != nil {
		if lang, err := i18n.ParseLang(p.User.Language); err == nil {
			return s.i18n.For(lang)
		}
	}
	return s.i18n.For(s.i18n.Match(r.Header.Get("Accept-Language")))
}

// Catalogue is the message catalogue pages and messages are written from.
func (s *Server) Catalogue() *i18n.Catalogue { return s.i18n }
