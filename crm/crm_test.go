package crm

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func fieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestClientValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     Client
		field string // "" means valid
	}{
		{"minimal person", Client{Name: "Ivan"}, ""},
		{"company", Client{Name: "ООО «Ромашка»", Kind: ClientCompany}, ""},
		{"injection kept", Client{Name: "'; DROP TABLE clients;--", Notes: "<script>alert(1)</script>"}, ""},
		{"blank name", Client{Name: " \t"}, "name"},
		{"long name", Client{Name: strings.Repeat("я", 301)}, "name"}, // characters, not bytes
		{"bad kind", Client{Name: "x", Kind: "robot"}, "kind"},
		{"invalid utf8", Client{Name: "bad \xff"}, "name"},
		{"nul in notes", Client{Name: "x", Notes: "a\x00b"}, "notes"},
		{"long company", Client{Name: "x", Company: strings.Repeat("c", 301)}, "company"},
		{"empty tag", Client{Name: "x", Tags: []string{""}}, "tags"},
		{"too many tags", Client{Name: "x", Tags: strings.Split(strings.Repeat("t,", 50)+"t", ",")}, "tags"},
		{"huge notes", Client{Name: "x", Notes: strings.Repeat("n", 20001)}, "notes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			err := c.Validate()
			if got := fieldOf(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Fatalf("Validate() = %v (field %q), want field %q", err, got, tc.field)
			}
			if err != nil && !IsKind(err, KindInvalid) {
				t.Fatalf("kind = %s", KindOf(err))
			}
			if err == nil && c.Kind == "" {
				t.Fatal("kind not defaulted")
			}
		})
	}
}

func TestContactValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Contact
		ok   bool
		want string
	}{
		{"e164", Contact{Kind: ContactPhone, Value: "+74951234567"}, true, "+74951234567"},
		{"not e164", Contact{Kind: ContactPhone, Value: "84951234567"}, false, ""},
		{"too short", Contact{Kind: ContactPhone, Value: "+7495"}, false, ""},
		{"email lower-cased", Contact{Kind: ContactEmail, Value: " Ivan@Example.RU "}, true, "ivan@example.ru"},
		{"email without domain", Contact{Kind: ContactEmail, Value: "ivan@"}, false, ""},
		{"unknown kind", Contact{Kind: "fax", Value: "+74951234567"}, false, ""},
		{"long label", Contact{Kind: ContactPhone, Value: "+74951234567", Label: strings.Repeat("l", 51)}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			err := c.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (c.Value != tc.want || c.Raw == "") {
				t.Fatalf("contact = %+v", c)
			}
			if !tc.ok && fieldOf(err) != "contacts" {
				t.Fatalf("field = %q", fieldOf(err))
			}
		})
	}
	dup := Client{Name: "x", Contacts: []Contact{{Kind: ContactEmail, Value: "A@b.ru"}, {Kind: ContactEmail, Value: "a@B.ru"}}}
	if err := dup.ValidateContacts(); fieldOf(err) != "contacts" {
		t.Fatalf("duplicate email accepted: %v", err)
	}
}

func TestUserValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		u     User
		field string
	}{
		{"agent", User{Login: " Agent1 ", Role: RoleAgent, Endpoints: []string{"PJSIP/1001"}}, ""},
		{"short login", User{Login: "a", Role: RoleAgent}, "login"},
		{"login with space", User{Login: "a b", Role: RoleAgent}, "login"},
		{"unknown role", User{Login: "root", Role: "root"}, "role"},
		{"bad endpoint", User{Login: "agent", Role: RoleAgent, Endpoints: []string{"1001"}}, "endpoints"},
		{"bad name", User{Login: "agent", Role: RoleAgent, Name: "\xff"}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.u
			err := u.Validate()
			if got := fieldOf(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Fatalf("Validate() = %v, want field %q", err, tc.field)
			}
		})
	}
	if err := ValidatePassword("short"); fieldOf(err) != "password" {
		t.Fatalf("short password: %v", err)
	}
	if err := ValidatePassword("long enough"); err != nil {
		t.Fatal(err)
	}
}

func TestPriorityAndInteractionValidate(t *testing.T) {
	neg := int64(-1)
	for _, tc := range []struct {
		p     PriorityClass
		field string
	}{
		{PriorityClass{Code: "vip", Name: "VIP"}, ""},
		{PriorityClass{Code: "V I P", Name: "VIP"}, "code"},
		{PriorityClass{Code: "X", Name: " "}, "name"},
		{PriorityClass{Code: "X", Name: "X", Rank: -1}, "rank"},
		{PriorityClass{Code: "X", Name: "X", MinRevenue: &neg}, "min_revenue"},
		{PriorityClass{Code: "X", Name: "X", MinPurchases: new(int)}, ""},
	} {
		p := tc.p
		if err := p.Validate(); fieldOf(err) != tc.field {
			t.Errorf("%+v: %v, want field %q", tc.p, err, tc.field)
		}
	}
	for _, tc := range []struct {
		i     Interaction
		field string
	}{
		{Interaction{ClientID: 1, Kind: InteractionCall}, ""},
		{Interaction{ClientID: 1, Kind: "survey_result"}, ""},
		{Interaction{Kind: InteractionCall}, "client_id"},
		{Interaction{ClientID: 1, Kind: "Call!"}, "kind"},
		{Interaction{ClientID: 1, Kind: InteractionNote, Summary: strings.Repeat("s", 501)}, "summary"},
		{Interaction{ClientID: 1, Kind: InteractionNote, Body: "nul\x00"}, "body"},
	} {
		i := tc.i
		if err := i.Validate(); fieldOf(err) != tc.field {
			t.Errorf("%+v: %v, want field %q", tc.i, err, tc.field)
		}
	}
}

func TestError(t *testing.T) {
	inner := fmt.Errorf("db down")
	err := fmt.Errorf("get client: %w", &Error{Kind: KindUnavailable, Message: "database", Err: inner})
	if KindOf(err) != KindUnavailable || !errors.Is(err, inner) || !IsKind(err, KindUnavailable) {
		t.Fatalf("kind/unwrap broken: %v", err)
	}
	if got := Invalid("name", "is %s", "required").Error(); got != "name: is required" {
		t.Fatalf("Error() = %q", got)
	}
	if KindOf(errors.New("plain")) != KindInternal || IsKind(nil, KindInternal) {
		t.Fatal("plain errors must be internal, nil has no kind")
	}
}
