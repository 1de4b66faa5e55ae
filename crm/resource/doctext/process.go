package doctext

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// PDFs are read in a child process: a crafted PDF can make the library
// spin forever or allocate without bound, and a goroutine cannot be
// stopped, but a process can. The parent (Process) writes the PDF to the
// child's stdin and reads the text from its stdout; it kills the child
// when the context ends. The child (ChildMain) also exits by itself when
// its heap grows over a limit, before the machine feels it.

// ChildCommand is the argument that makes a binary run ChildMain: hotline
// answers `hotline pdf-text` this way.
const ChildCommand = "pdf-text"

// Child exit codes.
const (
	exitCorrupt    = 2
	exitOverMemory = 3
)

// DefaultChildMemory is the heap a PDF child may use.
const DefaultChildMemory = 256 << 20

// ProcessOptions configure a Process.
type ProcessOptions struct {
	// Path and Args start the child: a binary whose main calls ChildMain
	// when given these arguments (hotline: os.Executable(), "pdf-text").
	Path string
	Args []string
	// Env, when not nil, is the child's whole environment.
	Env []string
	// MaxMemory is the child's heap limit (default 256 MiB).
	MaxMemory int64
	// Parallel is how many children may run at once (default 2); more
	// uploads wait for a slot within their deadline.
	Parallel int
}

// Process is a PDFReader that reads each PDF in a new child process.
type Process struct {
	o     ProcessOptions
	slots chan struct{}
}

var _ PDFReader = (*Process)(nil)

// NewProcess returns a Process.
func NewProcess(o ProcessOptions) *Process {
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultChildMemory
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	return &Process{o: o, slots: make(chan struct{}, o.Parallel)}
}

// PDFText runs a child on the PDF and returns what it wrote, at most
// maxText bytes. The child is killed when ctx ends.
func (p *Process) PDFText(ctx context.Context, content []byte, maxText int) (string, error) {
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for a pdf reader: %w", ctx.Err())
	}
	args := append(append([]string(nil), p.o.Args...),
		"-max-text", strconv.Itoa(maxText), "-max-memory", strconv.FormatInt(p.o.MaxMemory, 10))
	cmd := exec.CommandContext(ctx, p.o.Path, args...)
	cmd.Env = p.o.Env
	cmd.Stdin = bytes.NewReader(content)
	stdout, stderr := &cappedBuffer{max: maxText}, &cappedBuffer{max: 1024}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	why := strings.TrimSpace(stderr.b.String())
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("pdf reader stopped: %w", ctx.Err())
	case errors.As(err, &exit) && exit.ExitCode() == exitCorrupt:
		return "", fmt.Errorf("%w: %s", ErrCorrupt, why)
	case errors.As(err, &exit) && exit.ExitCode() == exitOverMemory:
		return "", fmt.Errorf("%w: the pdf reader went over %d bytes of memory", ErrTooLarge, p.o.MaxMemory)
	case err != nil:
		return "", fmt.Errorf("pdf reader: %w (%s)", err, why)
	}
	return stdout.b.String(), nil
}

// cappedBuffer keeps the first max bytes written and drops the rest.
type cappedBuffer struct {
	b   bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.b.Len(); room > 0 {
		c.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// ChildMain is the child's side of Process: it reads a PDF on stdin and
// writes its text on stdout, and returns the process exit code (0; 2 for a
// file it cannot read, the reason on stderr). args are the flags Process
// passes. It owns the process: it points os.Stdout at stderr (the library
// prints diagnostics) and exits at once when the heap passes -max-memory.
func ChildMain(args []string) int {
	out := os.Stdout
	os.Stdout = os.Stderr
	fs := flag.NewFlagSet(ChildCommand, flag.ContinueOnError)
	maxText := fs.Int("max-text", DefaultMaxText, "bytes of text to write at most")
	maxMemory := fs.Int64("max-memory", DefaultChildMemory, "heap bytes after which the process exits")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	debug.SetMemoryLimit(*maxMemory / 2)
	go watchMemory(*maxMemory, func() {
		fmt.Fprintf(os.Stderr, "heap over %d bytes\n", *maxMemory)
		os.Exit(exitOverMemory)
	})
	content, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<30))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	text := newTextBuffer(*maxText)
	if err := readPDF(content, text); err != nil {
		fmt.Fprintln(os.Stderr, strings.TrimPrefix(err.Error(), ErrCorrupt.Error()+": "))
		return exitCorrupt
	}
	if _, err := io.WriteString(out, text.String()); err != nil {
		return 1
	}
	return 0
}

// watchMemory calls over when the live heap passes max; it samples every
// 10 ms, so it overshoots by what the reader allocates in that time.
func watchMemory(max int64, over func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for range time.Tick(10 * time.Millisecond) {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && int64(sample[0].Value.Uint64()) > max {
			over()
			return
		}
	}
}
