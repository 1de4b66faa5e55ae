package resource_test

import (
	"strings"
	"testing"

	"hotline/crm/resource"
)

func TestCheckFilename(t *testing.T) {
	good := []string{"offer.html", "Договор №5 (final).docx", "a", "report 2026-12.pdf", "con-call.txt", "COM10.txt", ".profile", strings.Repeat("я", 126) + ".t"}
	for _, n := range good {
		if err := resource.CheckFilename(n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
	bad := map[string]string{
		"empty": "", "too long": strings.Repeat("a", 256), "CRLF": "a\r\nSet-Cookie: x=1.txt", "LF": "a\nb.txt",
		"NUL": "a\x00.txt", "tab": "a\tb.txt", "DEL": "a\x7f.txt", "slash": "../etc/passwd", "backslash": `..\boot.ini`,
		"dot": ".", "dotdot": "..", "trailing dot": "a.", "trailing space": "a.txt ", "leading space": " a.txt",
		"CON": "CON", "con.txt": "con.txt", "NUL.tar.gz": "NUL.tar.gz", "COM1": "COM1.log", "lpt9": "lpt9", "AUX": "Aux.html",
		"colon": "C:evil.txt", "quote": `a".txt`, "pipe": "a|b.txt", "star": "*.txt", "question": "a?.txt", "angle": "<a>.txt",
		"rtl override": "invoice\u202Efdp.exe", "bad utf8": "a\xff.txt",
	}
	for name, n := range bad {
		if err := resource.CheckFilename(n); err == nil {
			t.Errorf("%s: %q accepted", name, n)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	cases := map[string]string{
		"offer.html":          `attachment; filename=offer.html`,
		"Договор.txt":         `attachment; filename*=utf-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80.txt`,
		"a\r\nSet-Cookie:x=1": `attachment; filename="aSet-Cookie_x=1"`,
		"..":                  `attachment; filename=document`,
		"CON.txt":             `attachment; filename=documentCON.txt`,
		`a "b".txt`:           `attachment; filename="a _b_.txt"`,
	}
	for in, want := range cases {
		if got := resource.ContentDisposition(in); got != want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", in, got, want)
		}
	}
}
