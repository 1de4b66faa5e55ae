package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"time"
)

// ErrClosed is returned by a closed spool.
var ErrClosed = errors.New("spool: closed")

// Append adds records in order and makes them durable per the sync policy.
// While the spool is full it blocks until the consumer commits.
func (s *Spool) Append(records ...[]byte) error {
	var size int64
	for _, r := range records {
		size += headerSize + int64(len(r))
	}
	if size > s.opts.MaxBytes {
		return fmt.Errorf("spool: %d bytes in one append exceed the spool's %d bytes", size, s.opts.MaxBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.waitRoom(size); err != nil {
		return err
	}
	buf := make([]byte, 0, size)
	for _, r := range records {
		var h [headerSize]byte
		binary.BigEndian.PutUint32(h[:], uint32(len(r)))
		binary.BigEndian.PutUint32(h[4:], crc32.Checksum(r, crcTable))
		buf = append(append(buf, h[:]...), r...)
	}
	last := &s.segs[len(s.segs)-1]
	if last.size > 0 && last.size+size > s.opts.SegmentBytes {
		if err := s.newSegment(); err != nil {
			return err
		}
		last = &s.segs[len(s.segs)-1]
	}
	if _, err := s.w.Write(buf); err != nil {
		return fmt.Errorf("spool: write: %w", err)
	}
	last.size += size
	s.nextID += uint64(len(records))
	s.pending += size
	if err := s.maybeSync(); err != nil {
		return err
	}
	select {
	case s.ready <- struct{}{}:
	default:
	}
	return nil
}

func (s *Spool) waitRoom(size int64) error {
	if s.pending+size <= s.opts.MaxBytes {
		return s.closedErr()
	}
	s.fullWaits++
	s.log.Error("spool is full: holding new records until the database catches up",
		"dir", s.dir, "pending_bytes", s.pending, "max_bytes", s.opts.MaxBytes)
	start := time.Now()
	for s.pending+size > s.opts.MaxBytes && !s.closed {
		s.room.Wait()
	}
	s.log.Warn("spool has room again", "dir", s.dir, "waited", time.Since(start))
	return s.closedErr()
}

func (s *Spool) closedErr() error {
	if s.closed {
		return ErrClosed
	}
	return nil
}

func (s *Spool) maybeSync() error {
	switch s.opts.Sync {
	case SyncNever:
		return nil
	case SyncInterval:
		// The deadline is the oldest unsynced record's: a later Append
		// does not move it.
		if !s.unsynced {
			s.unsynced = true
			if s.syncTimer == nil {
				s.syncTimer = time.AfterFunc(s.opts.SyncEvery, s.syncDue)
			} else {
				s.syncTimer.Reset(s.opts.SyncEvery)
			}
		}
		return nil
	}
	return s.sync()
}

// sync fsyncs the segment being appended to (a full one was fsynced when
// the next was begun).
func (s *Spool) sync() error {
	if err := s.w.Sync(); err != nil {
		return fmt.Errorf("spool: fsync: %w", err)
	}
	s.syncs++
	s.unsynced = false
	return nil
}

// syncDue runs SyncEvery after an Append found every earlier record
// synced or committed: the records the consumer has not committed since
// are fsynced now.
func (s *Spool) syncDue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.unsynced {
		return
	}
	if s.cur.id >= s.nextID { // all committed: durable where the consumer stored them
		s.unsynced = false
		return
	}
	if err := s.sync(); err != nil {
		s.log.Error("spool: records not yet stored are not durable; trying again", "dir", s.dir, "err", err)
		s.syncTimer.Reset(s.opts.SyncEvery)
	}
}

// Next returns up to max of the oldest uncommitted records and the id of
// the last one; it returns the same records again until they are
// committed. It does not block: no records means none are pending.
func (s *Spool) Next(max int) ([][]byte, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, 0, ErrClosed
	}
	p := s.cur
	var out [][]byte
	for len(out) < max && p.id < s.nextID {
		for p.off >= s.segs[p.seg].size {
			p.seg, p.off = p.seg+1, 0
		}
		var h [headerSize]byte
		if err := s.readAt(s.segs[p.seg].path, h[:], p.off); err != nil {
			return nil, 0, err
		}
		rec := make([]byte, binary.BigEndian.Uint32(h[:]))
		if err := s.readAt(s.segs[p.seg].path, rec, p.off+headerSize); err != nil {
			return nil, 0, err
		}
		if crc32.Checksum(rec, crcTable) != binary.BigEndian.Uint32(h[4:]) {
			return nil, 0, fmt.Errorf("spool: record %d in %s is corrupt", p.id, s.segs[p.seg].path)
		}
		out = append(out, rec)
		p.off += headerSize + int64(len(rec))
		p.id++
	}
	s.peek, s.peekLast = p, p.id-1
	return out, p.id - 1, nil
}

// Commit marks every record up to last as stored; segments wholly before
// the reader are deleted and Appends waiting for room resume.
func (s *Spool) Commit(last uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if last < s.cur.id {
		return nil
	}
	p := s.cur
	if last == s.peekLast && s.peek.id == last+1 {
		p = s.peek
	} else {
		for p.id <= last && p.id < s.nextID {
			if err := s.skip(&p); err != nil {
				return err
			}
		}
	}
	var freed int64
	for i := s.cur.seg; i < p.seg; i++ {
		freed += s.segs[i].size
	}
	freed += p.off - s.cur.off
	s.pending -= freed
	s.cur = p
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], p.id-1)
	if _, err := s.commitF.WriteAt(b[:], 0); err != nil {
		return fmt.Errorf("spool: write commit: %w", err)
	}
	s.dropCommitted()
	if s.unsynced && s.cur.id >= s.nextID {
		// every appended record is stored by the consumer: none needs an fsync
		s.unsynced = false
		s.syncTimer.Stop()
	}
	s.room.Broadcast()
	return nil
}

// dropCommitted deletes segments before the reader's segment.
func (s *Spool) dropCommitted() {
	n := s.cur.seg
	for i := 0; i < n; i++ {
		if f, ok := s.readers[s.segs[i].path]; ok {
			_ = f.Close()
			delete(s.readers, s.segs[i].path)
		}
		_ = os.Remove(s.segs[i].path)
	}
	s.segs = s.segs[n:]
	s.cur.seg -= n
	s.peek.seg -= n
}

// Ready is signalled after an Append.
func (s *Spool) Ready() <-chan struct{} { return s.ready }

// Stats returns the spool's state.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{PendingBytes: s.pending, PendingRecords: s.nextID - s.cur.id, Segments: len(s.segs), FullWaits: s.fullWaits, Syncs: s.syncs}
}

// Close syncs and closes the files; blocked Appends return ErrClosed.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.room.Broadcast()
	if s.syncTimer != nil {
		s.syncTimer.Stop()
	}
	var err error
	if s.w != nil {
		err = s.w.Sync()
	}
	s.closeFiles()
	return err
}

func (s *Spool) closeFiles() {
	if s.w != nil {
		_ = s.w.Close()
	}
	if s.commitF != nil {
		_ = s.commitF.Close()
	}
	for _, f := range s.readers {
		_ = f.Close()
	}
}
