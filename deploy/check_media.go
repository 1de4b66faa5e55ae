package deploy

import (
	"strconv"
	"strings"
)

// checkModules: Hotline's spoken prompts need res_http_media_cache (and
// res_curl under it) loaded; with autoload = no they must be named.
func checkModules(c *Conf, _ AsteriskOptions) []Problem {
	secs := c.Find("modules")
	if len(secs) == 0 {
		return []Problem{problem(c, 0, Error, "no [modules] section")}
	}
	m := secs[0]
	autoload, _ := c.Value(m, "autoload")
	var out []Problem
	for _, mod := range []string{"res_curl.so", "res_http_media_cache.so"} {
		loaded, noload := false, 0
		for _, e := range m.Entries {
			if !strings.EqualFold(strings.TrimSpace(e.Value), mod) {
				continue
			}
			switch e.Key {
			case "load", "require", "preload", "preload-require":
				loaded = true
			case "noload":
				noload = e.Line
			}
		}
		switch {
		case noload != 0:
			out = append(out, problem(c, noload, Error, "noload = %s: Asterisk cannot fetch Hotline's spoken prompts (sound:http://...)", mod))
		case !loaded && !IsTrue(autoload):
			out = append(out, problem(c, m.Line, Error, "autoload is off and %s is not loaded: add require = %s for Hotline's spoken prompts", mod, mod))
		case !loaded:
			out = append(out, problem(c, m.Line, Warning, "add require = %s so that Asterisk refuses to start without what plays Hotline's spoken prompts", mod))
		}
	}
	return out
}

// checkMediaCache: prompts must arrive while the caller waits.
func checkMediaCache(c *Conf, _ AsteriskOptions) []Problem {
	g := c.Find("general")
	if len(g) == 0 {
		return nil
	}
	var out []Problem
	if v, ok := c.Value(g[0], "timeout_secs"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 || n > 15 {
			out = append(out, problem(c, g[0].Line, Warning, "timeout_secs = %s: use 1-15 s, a caller hears silence while a prompt is fetched", v))
		}
	}
	if v, ok := c.Value(g[0], "protocols"); ok && !strings.Contains(v, "http") {
		out = append(out, problem(c, g[0].Line, Error, "protocols = %s: Hotline's prompts are fetched over http or https", v))
	}
	return out
}
