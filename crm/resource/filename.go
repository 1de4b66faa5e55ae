package resource

import (
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"hotline/crm"
)

// CheckFilename refuses a document filename that could not be saved as is
// on every reader's machine or that could break a header or a path: empty
// or over 255 bytes, not UTF-8, control or invisible formatting characters
// (CR, LF, NUL, right-to-left overrides), path separators and the other
// characters Windows reserves (< > : " / \ | ? *), "." and "..", a trailing
// dot or space, and the DOS device names (CON, PRN, AUX, NUL, COM1-9,
// LPT1-9, with or without an extension).
func CheckFilename(name string) error {
	const rule = "1-255 bytes of printable characters, without < > : \" / \\ | ? *, not a reserved name such as CON or .."
	switch {
	case name == "" || len(name) > 255 || !utf8.ValidString(name):
		return crm.Invalid("filename", rule)
	case name == "." || name == ".." || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") || strings.HasPrefix(name, " "):
		return crm.Invalid("filename", rule)
	case strings.ContainsAny(name, `<>:"/\|?*`):
		return crm.Invalid("filename", rule)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return crm.Invalid("filename", rule)
		}
	}
	if reservedDeviceName(name) {
		return crm.Invalid("filename", rule)
	}
	return nil
}

// reservedDeviceName reports whether name (before its first dot) is a DOS
// device name, which Windows opens as the device whatever the extension.
func reservedDeviceName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		c := base[3]
		return c >= '0' && c <= '9'
	}
	return false
}

// ContentDisposition is the Content-Disposition of a download of name:
// "attachment" with the name encoded as RFC 6266/2231 asks (UTF-8 names as
// filename*), after dropping any character a stored name from before the
// filename rules may still hold that could break the header or a path.
func ContentDisposition(name string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1
		case strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	clean = strings.Trim(clean, " .")
	if clean == "" || reservedDeviceName(clean) {
		clean = "document" + clean
	}
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": clean}); v != "" {
		return v
	}
	return "attachment"
}
