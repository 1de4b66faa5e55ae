package voice

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MinURL is the shortest HTTP media URL Asterisk 22.10.1 plays: it cuts its
// cache file's path to the URL's length, so a shorter URL fails with "does
// not exist in any format". Every URL Signer makes is longer.
const MinURL = 45

// MediaPath is where the media handler is mounted.
const MediaPath = "/media/v1/"

// Signer makes and checks media URLs: {base}/media/v1/{expiry}/{mac}/{id}.wav,
// where mac is an HMAC-SHA256 of the id and the expiry under a server secret.
// Expiries are rounded up to the hour, so a prompt keeps the same URL for
// an hour and Asterisk's media cache (keyed by URL) serves it meanwhile.
type Signer struct {
	Secret []byte
	Base   string        // how Asterisk reaches Hotline, e.g. http://10.0.0.2:8080
	TTL    time.Duration // at least this long valid; default 1 h
	Now    func() time.Time
}

// ErrForbidden is a media URL that is altered, expired or not ours.
var ErrForbidden = errors.New("voice: media URL expired or not signed by this server")

func (s Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// URL returns the signed HTTP URL of audio id (letters, digits and '-').
func (s Signer) URL(id string) string {
	ttl := s.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	exp := s.now().Add(ttl).Truncate(time.Hour).Add(time.Hour).Unix()
	e := strconv.FormatInt(exp, 10)
	return strings.TrimRight(s.Base, "/") + MediaPath + e + "/" + s.mac(id, e) + "/" + id + ".wav"
}

func (s Signer) mac(id, exp string) string {
	m := hmac.New(sha256.New, s.Secret)
	fmt.Fprintf(m, "hotline-media\x00%s\x00%s", id, exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// Check verifies the path below MediaPath ("{expiry}/{mac}/{id}.wav") and
// returns the id and when the URL expires.
func (s Signer) Check(rest string) (id string, expires time.Time, err error) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || !strings.HasSuffix(parts[2], ".wav") || len(s.Secret) == 0 {
		return "", time.Time{}, ErrForbidden
	}
	e, mac, id := parts[0], parts[1], strings.TrimSuffix(parts[2], ".wav")
	exp, perr := strconv.ParseInt(e, 10, 64)
	if perr != nil || !validID(id) {
		return "", time.Time{}, ErrForbidden
	}
	if subtle.ConstantTimeCompare([]byte(mac), []byte(s.mac(id, e))) != 1 {
		return "", time.Time{}, ErrForbidden
	}
	expires = time.Unix(exp, 0)
	if !s.now().Before(expires) {
		return "", time.Time{}, ErrForbidden
	}
	return id, expires, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
