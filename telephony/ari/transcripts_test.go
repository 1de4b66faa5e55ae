package ari

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"hotline/telephony/ari/aritest/transcripts"
)

// transcriptLine is one recorded event frame.
type transcriptLine struct {
	file string // relative to transcripts/
	line int
	raw  []byte
}

// loadTranscripts reads every line of the *.jsonl files matching glob under
// transcripts/ and transcripts/with-linkedid/.
func loadTranscripts(tb testing.TB, glob string) []transcriptLine {
	tb.Helper()
	root := transcripts.Dir(tb)
	var files []string
	for _, dir := range []string{root, filepath.Join(root, "with-linkedid")} {
		m, err := filepath.Glob(filepath.Join(dir, glob))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		tb.Fatalf("no transcripts match %s under %s", glob, root)
	}
	var out []transcriptLine
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
		n := 0
		for sc.Scan() {
			n++
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			out = append(out, transcriptLine{file: rel, line: n, raw: append([]byte(nil), line...)})
		}
		if err := sc.Err(); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
	}
	return out
}

func (l transcriptLine) String() string {
	return l.file + ":" + itoa(l.line)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}
