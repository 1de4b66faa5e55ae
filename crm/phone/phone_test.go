package phone

import (
	"errors"
	"testing"

	"hotline/crm"
)

func TestE164(t *testing.T) {
	ru := Normalizer{Region: "RU"}
	for _, tc := range []struct {
		name, raw, want string
		region          string
		wantErr         bool
	}{
		{"e164", "+74951234567", "+74951234567", "", false},
		{"russian trunk prefix 8", "8 (495) 123-45-67", "+74951234567", "", false},
		{"national without prefix", "495 123 45 67", "+74951234567", "", false},
		{"international 00", "0074951234567", "+74951234567", "", false},
		{"mobile", "+7 916 123-45-67", "+79161234567", "", false},
		{"uk number with GB region", "020 7946 0018", "+442079460018", "GB", false},
		{"foreign e164 with RU region", "+442079460018", "+442079460018", "", false},
		{"extension is not a number", "1001", "", "", true},
		{"letters", "call me", "", "", true},
		{"empty", "  ", "", "", true},
		{"too long", "+7495123456712345678901234567890123456789", "", "", true},
		{"injection", "'; DROP TABLE clients;--", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := ru
			if tc.region != "" {
				n = Normalizer{Region: tc.region}
			}
			got, err := n.E164(tc.raw)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("E164(%q) = %q, %v; want %q, error %v", tc.raw, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestLookupAndDigits(t *testing.T) {
	n := Normalizer{}
	if v, ok := n.Lookup("84951234567"); !ok || v != "+74951234567" {
		t.Fatalf("Lookup = %q, %v", v, ok)
	}
	if v, ok := n.Lookup(" 1001 "); ok || v != "1001" {
		t.Fatalf("Lookup(extension) = %q, %v", v, ok)
	}
	if d := Digits("+7 (495) 123-45-67"); d != "74951234567" {
		t.Fatalf("Digits = %q", d)
	}
}

func TestContact(t *testing.T) {
	n := Normalizer{Region: "RU"}
	c := crm.Contact{Kind: crm.ContactPhone, Value: " 8 (495) 123-45-67 ", Label: " office "}
	if err := n.Contact(&c); err != nil {
		t.Fatal(err)
	}
	if c.Value != "+74951234567" || c.Raw != "8 (495) 123-45-67" || c.Label != "office" {
		t.Fatalf("contact = %+v", c)
	}
	e := crm.Contact{Kind: crm.ContactEmail, Value: " Ivan@Example.RU "}
	if err := n.Contact(&e); err != nil || e.Value != "ivan@example.ru" {
		t.Fatalf("email contact = %+v, %v", e, err)
	}
	for _, bad := range []crm.Contact{
		{Kind: crm.ContactPhone, Value: "12"},
		{Kind: crm.ContactEmail, Value: "no-at-sign"},
		{Kind: "fax", Value: "+74951234567"},
	} {
		err := n.Contact(&bad)
		var ce *crm.Error
		if !crm.IsKind(err, crm.KindInvalid) {
			t.Fatalf("Contact(%+v) = %v, want invalid", bad, err)
		}
		if errors.As(err, &ce); ce.Field != "contacts" {
			t.Fatalf("error field = %q", ce.Field)
		}
	}
}

// TestMemo: the memo answers what the normalizer answers, errors included,
// the second time from memory, and starts over when full.
func TestMemo(t *testing.T) {
	n := Normalizer{Region: "RU"}
	m := NewMemo(n, 2)
	for range 2 {
		for _, raw := range []string{"84951234567", " 1001 ", "call me", "+442079460018"} {
			want, wantErr := n.E164(raw)
			got, err := m.E164(raw)
			if got != want || (err == nil) != (wantErr == nil) {
				t.Fatalf("memo E164(%q) = %q, %v; normalizer says %q, %v", raw, got, err, want, wantErr)
			}
			wv, wok := n.Lookup(raw)
			if v, ok := m.Lookup(raw); v != wv || ok != wok {
				t.Fatalf("memo Lookup(%q) = %q, %v; normalizer says %q, %v", raw, v, ok, wv, wok)
			}
			if len(m.seen) > 2 {
				t.Fatalf("memo holds %d numbers, more than its 2", len(m.seen))
			}
		}
	}
}
