// Package spool is a bounded, durable, append-only queue of records in
// files: the call tracker journals every call update here before it is
// written to PostgreSQL, so that updates survive a database outage and a
// crash and are replayed in order. Records live in segment files named by
// the id of their first record; a small commit file holds the id of the
// last record the consumer has stored. When the spool holds MaxBytes of
// uncommitted records, Append blocks (backpressure) and says so in the log.
package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SyncPolicy says when appended records are fsynced.
type SyncPolicy int

// The fsync policies.
const (
	SyncAlways SyncPolicy = iota // fsync after every Append (survives power loss)
	// SyncInterval: a record is fsynced within SyncEvery of its Append
	// unless the consumer committed it before (it is stored elsewhere
	// then). A crash of the process loses nothing; a power failure loses
	// no committed record and of the others at most the last SyncEvery.
	// When the consumer keeps up, nothing is fsynced at all.
	SyncInterval
	SyncNever // leave it to the OS
)

// Options configure a spool; zero values are safe.
type Options struct {
	MaxBytes     int64 // uncommitted bytes before Append blocks (default 256 MiB)
	SegmentBytes int64 // segment file size (default 16 MiB)
	Sync         SyncPolicy
	SyncEvery    time.Duration // for SyncInterval: the most a record waits to be durable (default 100 ms)
	Logger       *slog.Logger
}

// Stats describe the spool's state.
type Stats struct {
	PendingBytes   int64  // uncommitted bytes
	PendingRecords uint64 // uncommitted records
	Segments       int
	FullWaits      uint64 // Appends that had to wait for room
	Syncs          uint64 // fsyncs of appended records
}

const headerSize = 8 // uint32 length, uint32 CRC-32C

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type segment struct {
	first uint64 // id of its first record
	path  string
	size  int64
}

type position struct {
	seg int   // index in segments
	off int64 // byte offset in that segment
	id  uint64
}

// Spool is a durable queue. Append, Next and Commit are safe for
// concurrent use; Next/Commit are meant for one consumer.
type Spool struct {
	dir  string
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	room      *sync.Cond
	segs      []segment
	w         *os.File // the last segment, open for appending
	nextID    uint64   // id of the next appended record
	cur       position // first uncommitted record
	peek      position // just after the last record handed out by Next
	peekLast  uint64
	pending   int64
	unsynced  bool        // appended records wait for their fsync (SyncInterval)
	syncTimer *time.Timer // fires SyncEvery after the oldest of them was appended
	syncs     uint64
	commitF   *os.File
	readers   map[string]*os.File
	fullWaits uint64
	closed    bool
	ready     chan struct{}
}

// Open opens (or creates) the spool in dir, validates the segments, drops a
// torn last record left by a crash, and positions the reader after the
// last committed record.
func Open(dir string, opts Options) (*Spool, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 256 << 20
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = 16 << 20
	}
	if opts.SyncEvery <= 0 {
		opts.SyncEvery = 100 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: create %s: %w", dir, err)
	}
	s := &Spool{dir: dir, opts: opts, log: opts.Logger, readers: map[string]*os.File{}, ready: make(chan struct{}, 1)}
	s.room = sync.NewCond(&s.mu)
	if err := s.load(); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

func segName(first uint64) string { return fmt.Sprintf("%020d.seg", first) }

// load reads the commit file and the segments.
func (s *Spool) load() error {
	committed, err := s.openCommit()
	if err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(s.dir, "*.seg"))
	if err != nil {
		return fmt.Errorf("spool: list segments: %w", err)
	}
	sort.Strings(names)
	s.nextID = committed + 1
	for _, p := range names {
		first, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(p), ".seg"), 10, 64)
		if err != nil {
			continue
		}
		n, size, err := scanSegment(p)
		if err != nil {
			return err
		}
		if first+n <= committed+1 && p != names[len(names)-1] {
			_ = os.Remove(p) // fully committed
			continue
		}
		s.segs = append(s.segs, segment{first: first, path: p, size: size})
		s.nextID = max(s.nextID, first+n)
	}
	if len(s.segs) == 0 {
		if err := s.newSegment(); err != nil {
			return err
		}
	} else if s.w, err = os.OpenFile(s.segs[len(s.segs)-1].path, os.O_WRONLY|os.O_APPEND, 0o640); err != nil {
		return fmt.Errorf("spool: open segment: %w", err)
	}
	return s.seek(committed)
}

func (s *Spool) openCommit() (uint64, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "commit"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return 0, fmt.Errorf("spool: open commit file: %w", err)
	}
	s.commitF = f
	var b [8]byte
	if n, err := f.ReadAt(b[:], 0); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return 0, fmt.Errorf("spool: read commit file: %w", err)
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// scanSegment counts the valid records of a segment and truncates a torn tail.
func scanSegment(path string) (n uint64, size int64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("spool: read %s: %w", path, err)
	}
	var off int64
	for {
		l, ok := recordAt(b, off)
		if !ok {
			break
		}
		off += headerSize + int64(l)
		n++
	}
	if off != int64(len(b)) {
		if err := os.Truncate(path, off); err != nil {
			return 0, 0, fmt.Errorf("spool: truncate torn record in %s: %w", path, err)
		}
	}
	return n, off, nil
}

// recordAt returns the payload length of a valid record at off in b.
func recordAt(b []byte, off int64) (uint32, bool) {
	if int64(len(b))-off < headerSize {
		return 0, false
	}
	l := binary.BigEndian.Uint32(b[off:])
	sum := binary.BigEndian.Uint32(b[off+4:])
	end := off + headerSize + int64(l)
	if end > int64(len(b)) || crc32.Checksum(b[off+headerSize:end], crcTable) != sum {
		return 0, false
	}
	return l, true
}

// seek positions the reader at the first record after committed and
// computes the pending bytes.
func (s *Spool) seek(committed uint64) error {
	s.cur = position{seg: 0, off: 0, id: s.segs[0].first}
	for s.cur.id <= committed && s.cur.id < s.nextID {
		if err := s.skip(&s.cur); err != nil {
			return err
		}
	}
	s.peek = s.cur
	s.pending = 0
	for i := s.cur.seg; i < len(s.segs); i++ {
		s.pending += s.segs[i].size
	}
	s.pending -= s.cur.off
	return nil
}

// skip moves p past one record.
func (s *Spool) skip(p *position) error {
	for p.off >= s.segs[p.seg].size {
		if p.seg+1 >= len(s.segs) {
			return fmt.Errorf("spool: record %d missing", p.id)
		}
		p.seg, p.off = p.seg+1, 0
	}
	var h [headerSize]byte
	if err := s.readAt(s.segs[p.seg].path, h[:], p.off); err != nil {
		return err
	}
	p.off += headerSize + int64(binary.BigEndian.Uint32(h[:]))
	p.id++
	return nil
}

func (s *Spool) readAt(path string, b []byte, off int64) error {
	f, ok := s.readers[path]
	if !ok {
		var err error
		if f, err = os.Open(path); err != nil {
			return fmt.Errorf("spool: open %s: %w", path, err)
		}
		s.readers[path] = f
	}
	if _, err := f.ReadAt(b, off); err != nil {
		return fmt.Errorf("spool: read %s: %w", path, err)
	}
	return nil
}

func (s *Spool) newSegment() error {
	if s.w != nil {
		if err := s.w.Sync(); err != nil {
			return fmt.Errorf("spool: sync segment: %w", err)
		}
		_ = s.w.Close()
	}
	p := filepath.Join(s.dir, segName(s.nextID))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("spool: create segment: %w", err)
	}
	s.w = f
	s.segs = append(s.segs, segment{first: s.nextID, path: p})
	return nil
}
