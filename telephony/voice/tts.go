package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultCommand is the synthesizer Hotline runs when HOTLINE_TTS_COMMAND
// is not set: Debian's espeak-ng, reading the text from a file so that no
// text, however it begins, is taken for an option.
const DefaultCommand = "espeak-ng -v {voice} -w {out} -f {textfile}"

// MaxText bounds the text of one prompt.
const MaxText = 1000

// Command runs a text-to-speech program. Its template is split on spaces
// into the program and its arguments; in each argument {text} is replaced
// by the text, {textfile} by a file holding it (UTF-8), {voice} by the
// voice (the language code, "ru" or "en"), {lang} by the language code and
// {out} by the WAV file the program must write. Nothing goes through a
// shell: each argument reaches the program as one argv element.
type Command struct {
	args    []string
	Timeout time.Duration // per synthesis; default 20 s
	TempDir string        // "" = os.TempDir()
}

// ParseCommand checks a command template: a program, and {out} somewhere.
func ParseCommand(tmpl string) (*Command, error) {
	args := strings.Fields(tmpl)
	if len(args) == 0 {
		return nil, errors.New("empty command")
	}
	if !strings.Contains(tmpl, "{out}") {
		return nil, errors.New("the command must write the file {out}")
	}
	if !strings.Contains(tmpl, "{text}") && !strings.Contains(tmpl, "{textfile}") {
		return nil, errors.New("the command must take the text as {text} or {textfile}")
	}
	return &Command{args: args}, nil
}

// Program is the command's executable.
func (c *Command) Program() string { return c.args[0] }

// Synthesize speaks text in voice into a WAV file and returns its bytes
// (in the program's own format; ToPhone converts it).
func (c *Command) Synthesize(ctx context.Context, voice, text string) ([]byte, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	if !validVoice(voice) {
		return nil, fmt.Errorf("voice: bad voice %q", voice)
	}
	dir, err := os.MkdirTemp(c.TempDir, "hotline-tts-")
	if err != nil {
		return nil, fmt.Errorf("voice: synthesize: %w", err)
	}
	defer os.RemoveAll(dir)
	out, textFile := filepath.Join(dir, "out.wav"), filepath.Join(dir, "text.txt")
	if err := os.WriteFile(textFile, []byte(text), 0o600); err != nil {
		return nil, fmt.Errorf("voice: synthesize: %w", err)
	}
	// A text that starts with '-' must not read as an option of the program.
	argText := text
	if strings.HasPrefix(argText, "-") {
		argText = " " + argText
	}
	r := strings.NewReplacer("{textfile}", textFile, "{text}", argText, "{voice}", voice, "{lang}", voice, "{out}", out)
	argv := make([]string, len(c.args))
	for i, a := range c.args {
		argv[i] = r.Replace(a)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &limited{w: &stderr, n: 2048}
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("voice: %s: %w: %s", filepath.Base(argv[0]), err, strings.TrimSpace(stderr.String()))
	}
	st, err := os.Stat(out)
	if err != nil {
		return nil, fmt.Errorf("voice: %s wrote no audio: %w", filepath.Base(argv[0]), err)
	}
	if st.Size() > MaxUpload {
		return nil, fmt.Errorf("voice: %s wrote %d bytes, over %d MiB", filepath.Base(argv[0]), st.Size(), MaxUpload>>20)
	}
	return os.ReadFile(out)
}

func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("voice: empty text")
	}
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxText {
		return fmt.Errorf("voice: the text must be valid UTF-8 of at most %d characters", MaxText)
	}
	return nil
}

// validVoice: a language code such as ru, en or en-GB.
func validVoice(v string) bool {
	if v == "" || len(v) > 16 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// limited keeps the first n bytes written to it.
type limited struct {
	w *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
