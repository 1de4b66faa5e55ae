package crm

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// PriorityClass is a client classification by priority (the seed's
// "классификация клиентов по приоритетности"), e.g. VIP, A, B, C. Rank orders
// classes: a lower rank is served first. Admins edit the classes and their
// rules; clients not chosen by hand are classified by the rules (Classify).
type PriorityClass struct {
	Code        string // "VIP", "A", "B", "C"
	Name        string
	Rank        int
	Description string // the rule in words, e.g. "yearly revenue over 1M"
	// MinRevenue, when set, is the revenue of the last 12 months, in minor
	// units of the base currency, from which a client qualifies.
	MinRevenue *int64
	// MinPurchases, when set, is the number of purchases in the last 12
	// months from which a client qualifies.
	MinPurchases *int
}

// Standing is what a client did in the last 12 months: the rules of the
// priority classes are about it.
type Standing struct {
	Revenue   int64 // income, minor units of the base currency
	Purchases int   // sales (income transactions)
}

// StandingPeriod is the window the rules look at, ending now.
const StandingPeriod = 12 // months

// StandingSince is the start of the window that ends at now.
func StandingSince(now time.Time) time.Time { return now.AddDate(0, -StandingPeriod, 0) }

// HasRules reports whether the class has any rule; a class without one is
// given only by hand (or as the default class).
func (p PriorityClass) HasRules() bool { return p.MinRevenue != nil || p.MinPurchases != nil }

// Qualifies reports whether a client of standing s meets every rule of the
// class. A class without rules qualifies nobody.
func (p PriorityClass) Qualifies(s Standing) bool {
	if !p.HasRules() {
		return false
	}
	if p.MinRevenue != nil && s.Revenue < *p.MinRevenue {
		return false
	}
	if p.MinPurchases != nil && s.Purchases < *p.MinPurchases {
		return false
	}
	return true
}

// Classify returns the code of the most important class (lowest rank, then
// code) whose rules all hold for s; when none does, the default class: the
// least important one (highest rank, then the last code). No classes: "".
func Classify(classes []PriorityClass, s Standing) string {
	var best, fallback *PriorityClass
	for i := range classes {
		c := &classes[i]
		if fallback == nil || c.Rank > fallback.Rank || (c.Rank == fallback.Rank && c.Code < fallback.Code) {
			fallback = c
		}
		if c.Qualifies(s) && (best == nil || c.Rank < best.Rank || (c.Rank == best.Rank && c.Code < best.Code)) {
			best = c
		}
	}
	switch {
	case best != nil:
		return best.Code
	case fallback != nil:
		return fallback.Code
	}
	return ""
}

// Validate checks a priority class.
func (p *PriorityClass) Validate() error {
	if err := checkText("name", p.Name); err != nil {
		return err
	}
	if err := checkText("description", p.Description); err != nil {
		return err
	}
	p.Code = strings.ToUpper(strings.TrimSpace(p.Code))
	if !priorityCodeRe.MatchString(p.Code) {
		return Invalid("code", "must be 1-16 characters of A-Z, 0-9 or _")
	}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 100 {
		return Invalid("name", "must be 1-100 characters")
	}
	if p.Rank < 0 || p.Rank > 1000 {
		return Invalid("rank", "must be between 0 and 1000")
	}
	if utf8.RuneCountInString(p.Description) > 2000 {
		return Invalid("description", "must be at most 2000 characters")
	}
	if p.MinRevenue != nil && (*p.MinRevenue < 0 || *p.MinRevenue > 1e17) {
		return Invalid("min_revenue", "must be between 0 and 1e15")
	}
	if p.MinPurchases != nil && (*p.MinPurchases < 0 || *p.MinPurchases > 1_000_000) {
		return Invalid("min_purchases", "must be between 0 and 1000000")
	}
	return nil
}

// ClientPriority is a client's class and how it was given, with the
// standing the rules saw.
type ClientPriority struct {
	ClientID int64
	Code     string
	Manual   bool // chosen by hand; the rules leave it alone
	Standing Standing
}

// ClassSize is how many clients a class has, and how many of them were
// put there by hand.
type ClassSize struct {
	Clients int
	Manual  int
}

// PriorityService keeps the priority classes and classifies clients by
// their rules (crm/postgres.PriorityService implements it).
type PriorityService interface {
	// List returns the classes, most important first.
	List(ctx context.Context) ([]PriorityClass, error)
	// Save creates the class or replaces the one with its code.
	Save(ctx context.Context, p PriorityClass) error
	// Delete removes a class; its clients are classified again.
	Delete(ctx context.Context, code string) error
	// ClassSizes counts the clients of each class, by code.
	ClassSizes(ctx context.Context) (map[string]ClassSize, error)
	// ClientPriority returns a client's class, flag and standing.
	ClientPriority(ctx context.Context, clientID int64) (ClientPriority, error)
	// SetClientPriority puts the client in class code by hand when manual,
	// or hands it back to the rules (code ignored) and classifies it now.
	SetClientPriority(ctx context.Context, clientID int64, code string, manual bool) (ClientPriority, error)
	// Reclassify applies the rules to every client not chosen by hand and
	// returns how many changed class.
	Reclassify(ctx context.Context) (int, error)
}
