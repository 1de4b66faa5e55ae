package crm

import (
	"strings"
	"unicode/utf8"
)

// Requisites are a Russian client's legal details, what a contract or an
// invoice needs: tax number (ИНН), registration reason code (КПП), state
// registration number (ОГРН or ОГРНИП), legal and postal address, and the
// bank (name, БИК, settlement and correspondent account). Every field may
// be empty; those given are checked, numbers with their check digits.
type Requisites struct {
	INN           string `json:"inn,omitempty" maxLength:"20" doc:"ИНН: 10 digits (organisation) or 12 (individual), with check digits"`
	KPP           string `json:"kpp,omitempty" maxLength:"20" doc:"КПП: 9 characters (organisations only)"`
	OGRN          string `json:"ogrn,omitempty" maxLength:"24" doc:"ОГРН (13 digits) or ОГРНИП (15), with check digit"`
	LegalAddress  string `json:"legal_address,omitempty" maxLength:"500"`
	PostalAddress string `json:"postal_address,omitempty" maxLength:"500"`
	BankName      string `json:"bank_name,omitempty" maxLength:"300"`
	BIK           string `json:"bik,omitempty" maxLength:"16" doc:"БИК: 9 digits"`
	Account       string `json:"account,omitempty" maxLength:"32" doc:"settlement account (расчётный счёт): 20 digits, checked with the BIK"`
	CorrAccount   string `json:"corr_account,omitempty" maxLength:"32" doc:"correspondent account: 20 digits starting 301, checked with the BIK"`
}

// IsZero reports whether no detail is given.
func (r Requisites) IsZero() bool { return r == Requisites{} }

// Validate tidies the fields (spaces and dashes out of the numbers) and
// checks them: lengths, digits and check digits; an account needs the BIK.
func (r *Requisites) Validate() error {
	for _, f := range []*string{&r.INN, &r.KPP, &r.OGRN, &r.BIK, &r.Account, &r.CorrAccount} {
		*f = strings.ToUpper(strings.Map(func(c rune) rune {
			if c == ' ' || c == '-' || c == '\u00a0' {
				return -1
			}
			return c
		}, *f))
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"legal_address", &r.LegalAddress, 500}, {"postal_address", &r.PostalAddress, 500}, {"bank_name", &r.BankName, 300}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkText(f.name, *f.v); err != nil {
			return err
		}
		if utf8.RuneCountInString(*f.v) > f.max {
			return Invalid(f.name, "must be at most %d characters", f.max)
		}
	}
	switch {
	case r.INN != "" && !ValidINN(r.INN):
		return Invalid("inn", "is not a valid INN (10 or 12 digits with check digits)")
	case r.KPP != "" && !validKPP(r.KPP):
		return Invalid("kpp", "is not a valid KPP (9 characters: 4 digits, 2 digits or letters, 3 digits)")
	case r.KPP != "" && len(r.INN) == 12:
		return Invalid("kpp", "an individual (12-digit INN) has no KPP")
	case r.OGRN != "" && !ValidOGRN(r.OGRN):
		return Invalid("ogrn", "is not a valid OGRN (13 digits) or OGRNIP (15 digits) with check digit")
	case r.BIK != "" && !validBIK(r.BIK):
		return Invalid("bik", "is not a valid BIK (9 digits starting with 04)")
	case (r.Account != "" || r.CorrAccount != "") && r.BIK == "":
		return Invalid("bik", "is required with an account")
	case r.Account != "" && !ValidAccount(r.Account, r.BIK):
		return Invalid("account", "does not match the BIK (20 digits with a check digit)")
	case r.CorrAccount != "" && !ValidCorrAccount(r.CorrAccount, r.BIK):
		return Invalid("corr_account", "does not match the BIK (20 digits starting with 301)")
	}
	return nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// checkDigit is the weighted sum of s's digits by w, modulo 11, modulo 10:
// the check digit of INNs.
func checkDigit(s string, w []int) byte {
	sum := 0
	for i, k := range w {
		sum += int(s[i]-'0') * k
	}
	return byte(sum%11%10) + '0'
}

// ValidINN checks an INN: 10 digits with one check digit (organisations)
// or 12 with two (individuals), as the Federal Tax Service computes them.
func ValidINN(s string) bool {
	if !allDigits(s) {
		return false
	}
	switch len(s) {
	case 10:
		return s[9] == checkDigit(s, []int{2, 4, 10, 3, 5, 9, 4, 6, 8})
	case 12:
		return s[10] == checkDigit(s, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) &&
			s[11] == checkDigit(s, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8})
	}
	return false
}

func validKPP(s string) bool {
	if len(s) != 9 || !allDigits(s[:4]) || !allDigits(s[6:]) {
		return false
	}
	for _, c := range s[4:6] {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidOGRN checks an OGRN (13 digits: the first 12 modulo 11, modulo 10,
// is the last) or an OGRNIP (15 digits: the first 14 modulo 13, modulo 10).
func ValidOGRN(s string) bool {
	if !allDigits(s) || (len(s) != 13 && len(s) != 15) {
		return false
	}
	mod := uint64(11)
	if len(s) == 15 {
		mod = 13
	}
	var n uint64
	for _, c := range s[:len(s)-1] {
		n = n*10 + uint64(c-'0')
	}
	return byte(n%mod%10)+'0' == s[len(s)-1]
}

func validBIK(s string) bool { return len(s) == 9 && allDigits(s) && strings.HasPrefix(s, "04") }

// accountKey checks the 23 digits of a bank key and an account with the
// Bank of Russia's weights 7, 1, 3: the sum of the low digits of the
// products ends in 0.
func accountKey(s string) bool {
	w := [3]int{7, 1, 3}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * w[i%3] % 10
	}
	return sum%10 == 0
}

// ValidAccount checks a settlement account against the bank's BIK (the
// BIK's last three digits before the account).
func ValidAccount(account, bik string) bool {
	return len(account) == 20 && allDigits(account) && validBIK(bik) && accountKey(bik[6:]+account)
}

// ValidCorrAccount checks a correspondent account against the BIK ("0" and
// the BIK's fifth and sixth digits before the account).
func ValidCorrAccount(account, bik string) bool {
	return len(account) == 20 && allDigits(account) && strings.HasPrefix(account, "301") && validBIK(bik) &&
		accountKey("0"+bik[4:6]+account)
}
