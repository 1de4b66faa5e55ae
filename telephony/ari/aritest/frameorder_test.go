package aritest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"hotline/telephony/ari/aritest/transcripts"
)

// topKeys returns the keys of a JSON object in the order they are written.
func topKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestFramesHaveAsterisksKeyOrder: every frame a real Asterisk wrote in
// the recorded streams, given to the simulated PBX's encoder as its
// fields, comes out with its keys in the order Asterisk wrote them ("type"
// first for most events, after "cause" in a hang-up request, after
// "variable" and "value" in a variable set) and with the same values.
func TestFramesHaveAsterisksKeyOrder(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(transcripts.Dir(t), "*.jsonl"))
	checked := map[string]int{}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			var f fields
			if json.Unmarshal(line, &f) != nil || f["type"] == nil {
				continue
			}
			got, err := marshalFrame(f)
			if err != nil {
				t.Fatal(err)
			}
			if want, have := topKeys(t, line), topKeys(t, got); !slices.Equal(want, have) {
				t.Fatalf("%s: keys %v, Asterisk wrote %v", filepath.Base(name), have, want)
			}
			var a, b any
			_ = json.Unmarshal(line, &a)
			_ = json.Unmarshal(got, &b)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if !bytes.Equal(ja, jb) {
				t.Fatalf("%s: frame %s holds other values than %s", filepath.Base(name), got, line)
			}
			checked[f["type"].(string)]++
		}
	}
	if len(checked) < 20 {
		t.Fatalf("only %d event types checked: %v", len(checked), checked)
	}
}
