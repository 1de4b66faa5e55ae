package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"hotline/internal/i18n"
)

// loc is the request's Localizer (the user's language, else the browser's,
// else the centre's; the centre's zone).
func loc(r *http.Request) *i18n.Localizer { return i18n.FromContext(r.Context()) }

// textFuncs are the template functions that speak one language: every text
// a page shows comes through t (a message) or n (a plural message), every
// time through datetime, date or clock (in the centre's zone), numbers and
// money through num and money.
func textFuncs(l *i18n.Localizer, jsKeys []string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, kv ...any) (string, error) {
			args, err := argMap(kv)
			return l.T(key, args), err
		},
		"n": func(key string, count any, kv ...any) (string, error) {
			args, err := argMap(kv)
			c, cerr := toInt64(count)
			if err == nil {
				err = cerr
			}
			return l.N(key, int(c), args), err
		},
		"lang":     func() string { return string(l.Lang()) },
		"datetime": func(t any) string { return withTime(t, l.DateTime) },
		"fmtTime":  func(t any) string { return withTime(t, l.DateTime) },
		"date":     func(t any) string { return withTime(t, l.Date) },
		"clock":    func(t any) string { return withTime(t, l.Time) },
		"isodate": func(t any) string {
			return withTime(t, func(t time.Time) string { return t.In(l.Zone()).Format(time.DateOnly) })
		},
		"num": func(n any) (string, error) {
			v, err := toInt64(n)
			return l.Number(v), err
		},
		"money": func(minor any, currency string) (string, error) {
			v, err := toInt64(minor)
			return l.Money(v, currency), err
		},
		"decimal": func(minor any, scale int) (string, error) {
			v, err := toInt64(minor)
			return l.Decimal(v, scale), err
		},
		"phone": l.Phone,
		// fixed1 shows a fraction with one decimal: 2,4 (ru), 2.4 (en).
		"fixed1": func(v float64) string { return l.Decimal(int64(math.Round(v*10)), 1) },
		// percent shows a share with one decimal: 12,5 % (ru), 12.5% (en).
		"percent": func(v float64) string {
			s := l.Decimal(int64(math.Round(v*10)), 1)
			if l.Lang() == i18n.Russian {
				return s + "\u00a0%"
			}
			return s + "%"
		},
		// tv says a value of a fixed vocabulary (a status, a kind): the
		// message prefix.value, or the value itself if the catalogue
		// does not know it.
		"tv": func(prefix string, v any) string {
			key := fmt.Sprintf("%s.%v", prefix, v)
			if l.Has(key) {
				return l.T(key, nil)
			}
			return fmt.Sprint(v)
		},
		"jsI18n": func() (template.JS, error) {
			return jsCatalogue(l, jsKeys)
		},
	}
}

// argMap turns template arguments "Name", value, ... into message args.
func argMap(kv []any) (map[string]any, error) {
	if len(kv) == 0 {
		return nil, nil
	}
	return dict(kv...)
}

func withTime(v any, f func(time.Time) string) string {
	switch t := v.(type) {
	case time.Time:
		return f(t)
	case *time.Time:
		if t != nil {
			return f(*t)
		}
	}
	return ""
}

func toInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case *int64:
		if n != nil {
			return *n, nil
		}
		return 0, nil
	case *int:
		if n != nil {
			return int64(*n), nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("not an integer: %T", v)
}

// jsCatalogue is what the page scripts need to speak the page's language:
// the language, the centre's zone and the texts of the js.* keys (plural
// ones with every form), as JSON for app.js.
func jsCatalogue(l *i18n.Localizer, keys []string) (template.JS, error) {
	texts := make(map[string]any, len(keys))
	for _, k := range keys {
		texts[k] = l.Forms(k)
	}
	b, err := json.Marshal(map[string]any{"lang": l.Lang(), "zone": l.Zone().String(), "t": texts})
	return template.JS(b), err
}

// jsKeysOf lists the catalogue keys page scripts use (area "js").
func jsKeysOf(cat *i18n.Catalogue) []string {
	var out []string
	for _, k := range cat.Keys(cat.Default()) {
		if strings.HasPrefix(k, "js.") {
			out = append(out, k)
		}
	}
	return out
}
