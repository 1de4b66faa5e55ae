package ari

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir finds the shared folder: $HOTLINE_SHARED_DIR, or the first parent
// of the working directory holding shared/ari/transcripts. It skips the test
// when there is none.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	d := sharedDirOrEmpty()
	if d == "" {
		tb.Skip("shared/ari/transcripts not found above the working directory; set HOTLINE_SHARED_DIR")
	}
	return d
}

// sharedDirOrEmpty is sharedDir without the skip: "" when there is none.
func sharedDirOrEmpty() string {
	if d := os.Getenv("HOTLINE_SHARED_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(dir, "shared")
		if st, err := os.Stat(filepath.Join(cand, "ari", "transcripts")); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

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
	root := filepath.Join(sharedDir(tb), "ari", "transcripts")
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
