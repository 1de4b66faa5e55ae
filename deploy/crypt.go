package deploy

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"hash"
	"strconv"
	"strings"
)

// cryptMatches reports whether password matches a crypt(3) hash of the
// SHA-256 ("$5$") or SHA-512 ("$6$") kind, which `ari mkpasswd` and
// `openssl passwd -6` write for ari.conf's password_format = crypt. ok is
// false for a hash of another kind (it cannot be checked here).
func cryptMatches(hashed, password string) (match, ok bool) {
	var newHash func() hash.Hash
	var order [][3]int
	switch {
	case strings.HasPrefix(hashed, "$6$"):
		newHash, order = sha512.New, sha512Order
	case strings.HasPrefix(hashed, "$5$"):
		newHash, order = sha256.New, sha256Order
	default:
		return false, false
	}
	rest := hashed[3:]
	rounds, explicit := 5000, false
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		n, after, found := strings.Cut(r, "$")
		v, err := strconv.Atoi(n)
		if !found || err != nil {
			return false, false
		}
		rounds, explicit, rest = min(max(v, 1000), 999999999), true, after
	}
	salt, _, found := strings.Cut(rest, "$")
	if !found {
		return false, false
	}
	salt = salt[:min(len(salt), 16)]
	want := shaCrypt(newHash, order, hashed[:3], []byte(password), []byte(salt), rounds, explicit)
	return subtle.ConstantTimeCompare([]byte(want), []byte(hashed)) == 1, true
}

// shaCrypt is Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
// (https://www.akkadia.org/drepper/SHA-crypt.txt), steps 1-22.
func shaCrypt(newHash func() hash.Hash, order [][3]int, prefix string, p, s []byte, rounds int, explicit bool) string {
	sum := func(parts ...[]byte) []byte {
		h := newHash()
		for _, x := range parts {
			h.Write(x)
		}
		return h.Sum(nil)
	}
	size := newHash().Size()
	b := sum(p, s, p)
	a := newHash()
	a.Write(p)
	a.Write(s)
	for i := len(p); i > 0; i -= size {
		a.Write(b[:min(i, size)])
	}
	for i := len(p); i > 0; i >>= 1 {
		if i&1 != 0 {
			a.Write(b)
		} else {
			a.Write(p)
		}
	}
	c := a.Sum(nil)
	dp := newHash()
	for range len(p) {
		dp.Write(p)
	}
	pp := repeatTo(dp.Sum(nil), len(p))
	ds := newHash()
	for range 16 + int(c[0]) {
		ds.Write(s)
	}
	ss := repeatTo(ds.Sum(nil), len(s))
	for r := range rounds {
		h := newHash()
		if r&1 != 0 {
			h.Write(pp)
		} else {
			h.Write(c)
		}
		if r%3 != 0 {
			h.Write(ss)
		}
		if r%7 != 0 {
			h.Write(pp)
		}
		if r&1 != 0 {
			h.Write(c)
		} else {
			h.Write(pp)
		}
		c = h.Sum(nil)
	}
	var out strings.Builder
	out.WriteString(prefix)
	if explicit {
		out.WriteString("rounds=" + strconv.Itoa(rounds) + "$")
	}
	out.Write(s)
	out.WriteByte('$')
	encodeDigest(&out, c, order)
	return out.String()
}

// encodeDigest writes the digest in crypt's base 64, three bytes (in the
// order of the spec) to four characters, little end first.
func encodeDigest(out *strings.Builder, c []byte, order [][3]int) {
	for _, t := range order {
		n := 4
		w := 0
		for _, i := range t {
			w <<= 8
			if i >= 0 {
				w |= int(c[i])
			}
		}
		if t[0] < 0 {
			n = 2
			if t[1] >= 0 {
				n = 3
			}
		}
		for range n {
			out.WriteByte(cryptAlphabet[w&0x3f])
			w >>= 6
		}
	}
}

const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func repeatTo(block []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, block[:min(len(block), n-len(out))]...)
	}
	return out
}

// The byte order of the digest in the encoded hash (step 22 of the spec):
// triplets (i, i+n, i+2n), rotated by i%3 (SHA-512 one way, SHA-256 the
// other), then the last bytes; -1 is a zero byte.
var (
	sha512Order = shaOrder(21, false, [3]int{-1, -1, 63})
	sha256Order = shaOrder(10, true, [3]int{-1, 31, 30})
)

func shaOrder(n int, reverse bool, last [3]int) [][3]int {
	var out [][3]int
	for i := range n {
		a, b, c := i, i+n, i+2*n
		r := i % 3
		if reverse && r != 0 {
			r = 3 - r
		}
		switch r {
		case 0:
			out = append(out, [3]int{a, b, c})
		case 1:
			out = append(out, [3]int{b, c, a})
		default:
			out = append(out, [3]int{c, a, b})
		}
	}
	return append(out, last)
}
