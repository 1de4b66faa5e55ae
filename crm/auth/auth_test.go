package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// fast keeps the tests quick; DefaultParams are checked once.
var fast = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
	ok, err := CheckPassword(h, "correct horse battery staple")
	if err != nil || !ok {
		t.Fatalf("right password: ok=%v err=%v", ok, err)
	}
	ok, err = CheckPassword(h, "correct horse battery stapl")
	if err != nil || ok {
		t.Fatalf("wrong password: ok=%v err=%v", ok, err)
	}
	if NeedsRehash(h) {
		t.Fatal("fresh default hash needs rehash")
	}
}

func TestHashesAreSalted(t *testing.T) {
	a, _ := HashPasswordWith("same", fast)
	b, _ := HashPasswordWith("same", fast)
	if a == b {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if !NeedsRehash(a) {
		t.Fatal("hash with weaker parameters does not need rehash")
	}
	for _, h := range []string{a, b} {
		if ok, err := CheckPassword(h, "same"); !ok || err != nil {
			t.Fatalf("CheckPassword(%q) = %v, %v", h, ok, err)
		}
	}
}

func TestUnicodeAndEmptyPasswords(t *testing.T) {
	h, _ := HashPasswordWith("пароль-Ω", fast)
	if ok, _ := CheckPassword(h, "пароль-Ω"); !ok {
		t.Fatal("unicode password rejected")
	}
	if ok, _ := CheckPassword(h, ""); ok {
		t.Fatal("empty password accepted")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, _ := HashPasswordWith("x", fast)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuu5Yq9yN7xH6z0QOT2QbC4m3sK8q3wH6a",
		"argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"version":      strings.Replace(good, "v=19", "v=16", 1),
		"params":       strings.Replace(good, parts[3], "m=x,t=1,p=1", 1),
		"huge memory":  strings.Replace(good, parts[3], "m=99999999,t=1,p=1", 1),
		"zero threads": strings.Replace(good, parts[3], "m=1024,t=1,p=0", 1),
		"bad salt":     strings.Replace(good, parts[4], "!!!", 1),
		"no key":       strings.Join(parts[:5], "$") + "$",
		"extra part":   good + "$x",
	} {
		t.Run(name, func(t *testing.T) {
			ok, err := CheckPassword(h, "x")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("CheckPassword = %v, %v; want false, ErrMalformedHash", ok, err)
			}
		})
	}
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		plain, hash := NewToken()
		raw, err := base64.RawURLEncoding.DecodeString(plain)
		if err != nil || len(raw) != TokenBytes {
			t.Fatalf("token %q: %d bytes, %v", plain, len(raw), err)
		}
		if len(hash) != 32 || string(hash) != string(HashToken(plain)) {
			t.Fatalf("hash of %q is not its SHA-256", plain)
		}
		if seen[plain] {
			t.Fatalf("token %q repeated", plain)
		}
		seen[plain] = true
	}
}

func TestNewPassword(t *testing.T) {
	a, b := NewPassword(16), NewPassword(16)
	if len(a) != 16 || a == b {
		t.Fatalf("NewPassword: %q %q", a, b)
	}
	if len(NewPassword(3)) != 12 {
		t.Fatal("short passwords are not raised to 12 characters")
	}
	if strings.ContainsAny(a+b, "0O1lI") {
		t.Fatalf("look-alike characters in %q %q", a, b)
	}
}
