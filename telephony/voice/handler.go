package voice

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hotline/crm"
)

// Handler serves prompt audio at MediaPath to whoever holds a signed URL
// (Asterisk's res_http_media_cache, the prompts page's <audio> element):
// 403 for an altered or expired URL; a URL of audio replaced since plays
// the current audio.
func (v *Voice) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, MediaPath)
		if !ok {
			http.NotFound(w, r)
			return
		}
		id, expires, err := v.signer.Check(rest)
		if err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		key, ver, ok := splitID(id)
		if !ok {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		maxAge := max(0, int(expires.Sub(v.o.Now()).Seconds())) // the audio of an id never changes
		wav, err := v.o.Store.AudioData(r.Context(), key, ver)
		if crm.IsKind(err, crm.KindNotFound) {
			// Replaced since this URL was made (another replica made it
			// before it learnt of an upload): play the current audio, and
			// let caches keep it only briefly.
			var a Audio
			if a, err = v.o.Store.AudioInfo(r.Context(), key); err == nil {
				id, maxAge = a.ID(), min(maxAge, 60)
				wav, err = v.o.Store.AudioData(r.Context(), key, a.Version)
			}
		}
		if crm.IsKind(err, crm.KindNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			v.o.Logger.Warn("voice: read prompt audio", slog.String("key", key), slog.Any("err", err))
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "audio/wav")
		h.Set("ETag", `"`+id+`"`)
		h.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", maxAge))
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, id+".wav", time.Time{}, bytes.NewReader(wav))
	})
}

// splitID splits a media id into key and version.
func splitID(id string) (string, int64, bool) {
	key, v, ok := strings.Cut(id, "-")
	if !ok || len(key) != 32 {
		return "", 0, false
	}
	ver, err := strconv.ParseInt(v, 36, 64)
	return key, ver, err == nil
}
