// Package auth holds the rules of signing in: it hashes and checks
// passwords (argon2id, stored as PHC strings), creates users and sets their
// passwords by the rules, limits failed sign-ins per login and address, and
// makes random bearer tokens of which only a SHA-256 hash is stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams follow the OWASP password storage recommendation for
// argon2id (19 MiB, 2 passes, 1 lane).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits a stored hash's parameters must respect, so that a tampered hash
// cannot make a login burn gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 16
	maxKeyLen  = 128
	maxSaltLen = 64
)

// ErrMalformedHash means a stored hash is not an argon2id PHC string.
var ErrMalformedHash = errors.New("malformed argon2id hash")

var b64 = base64.RawStdEncoding

// HashPassword hashes pw with argon2id and DefaultParams, returning a PHC
// string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(pw, DefaultParams)
}

// HashPasswordWith is HashPassword with explicit cost parameters.
func HashPasswordWith(pw string, p Params) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.SaltLen == 0 || p.KeyLen == 0 {
		return "", errors.New("argon2id parameters must be positive")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC hash, comparing in
// constant time. The error is non-nil only when hash is malformed.
func CheckPassword(hash, pw string) (bool, error) {
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than
// DefaultParams, so that a login can upgrade it.
func NeedsRehash(hash string) bool {
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return true
	}
	d := DefaultParams
	return p.Memory != d.Memory || p.Time != d.Time || p.Threads != d.Threads ||
		uint32(len(salt)) != d.SaltLen || uint32(len(key)) != d.KeyLen
}

// parsePHC splits "$argon2id$v=19$m=..,t=..,p=..$salt$key".
func parsePHC(hash string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrMalformedHash, parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %v", ErrMalformedHash, err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: key: %v", ErrMalformedHash, err)
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime ||
		threads == 0 || threads > 255 || len(key) == 0 || len(key) > maxKeyLen ||
		len(salt) == 0 || len(salt) > maxSaltLen {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range", ErrMalformedHash)
	}
	p.Threads = uint8(threads)
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// TokenBytes is the number of random bytes in a token.
const TokenBytes = 32

// NewToken returns a new random token (32 bytes, unpadded base64url: 43
// characters) and the SHA-256 hash to store in its place.
func NewToken() (plain string, hash []byte) {
	var b [TokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand.Read never fails on supported platforms (Go 1.24+).
		panic(fmt.Sprintf("auth: crypto/rand: %v", err))
	}
	plain = base64.RawURLEncoding.EncodeToString(b[:])
	return plain, HashToken(plain)
}

// HashToken returns the SHA-256 hash of a presented token, for looking it up.
func HashToken(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// NewPassword returns a random password of n characters (at least 12) from an
// alphabet without look-alike characters, for generated logins.
func NewPassword(n int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	if n < 12 {
		n = 12
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(out)
}

// randIntn returns a uniform random int in [0, n) from crypto/rand.
func randIntn(n int) int {
	limit := 256 - 256%n // reject bytes that would bias the result
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("auth: crypto/rand: %v", err))
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
