package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// NewFileStore returns a Store that keeps each thread in one append-only
// file of JSON lines under dir, which it creates if missing.
//
// Each Append writes one line: the record as EncodeRecord gives it, or a
// JSON array of the records of a batch, so that a batch is all there or
// not at all. Append fsyncs the file before it returns, and the directory
// when it created the thread's file. A crash during an Append can leave a
// torn last line (no newline, or not decodable): Load ignores it and the
// next Append overwrites it. Damage anywhere else is an error naming the
// thread, the line and the record.
//
// A thread id may be any string: its file name keeps the bytes a-z, 0-9,
// '-' and '_' and writes every other byte as %xx (lower-case hex), so
// names are safe on case-insensitive file systems, never climb out of dir,
// and map back to the id; an encoded name longer than 200 bytes is split
// into nested directories of 200 bytes each.
//
// The store is safe for concurrent use by goroutines and, on Unix (flock),
// by processes sharing dir: appends to one thread are serialized, and the
// Seq check holds across processes. Elsewhere, only one process may use a
// directory at a time.
func NewFileStore(dir string) (Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("graphc: file store: %w", err)
	}
	return &fileStore{dir: dir, locks: make(map[string]*threadLock)}, nil
}

type fileStore struct {
	dir   string
	mu    sync.Mutex
	locks map[string]*threadLock // by file path relative to dir, while in use
}

// threadLock serializes the appends of one process to one thread (flock
// serializes processes); it is a channel so that waiting honours ctx.
type threadLock struct {
	ch   chan struct{}
	refs int
}

const (
	threadExt  = ".jsonl"
	nameChunk  = 200     // bytes of encoded id per path element
	scanBlock  = 1 << 16 // bytes read per step when scanning back for a newline
	fileFormat = "graphc: file store: thread %q: "
)

// threadFile maps a thread id to its file, relative to the store's dir.
func threadFile(thread string) string {
	var b strings.Builder
	b.Grow(len(thread) + len(threadExt))
	const hex = "0123456789abcdef"
	for i := 0; i < len(thread); i++ {
		c := thread[i]
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	e := b.String()
	var parts []string
	for len(e) > nameChunk {
		parts = append(parts, e[:nameChunk])
		e = e[nameChunk:]
	}
	return filepath.Join(append(parts, e+threadExt)...)
}

// threadID inverts threadFile; ok is false for a path threadFile never
// returns (a file someone else put in the directory).
func threadID(rel string) (id string, ok bool) {
	e, found := strings.CutSuffix(filepath.ToSlash(rel), threadExt)
	if !found {
		return "", false
	}
	e = strings.ReplaceAll(e, "/", "")
	b := make([]byte, 0, len(e))
	for i := 0; i < len(e); i++ {
		if e[i] != '%' {
			b = append(b, e[i])
			continue
		}
		if i+2 >= len(e) {
			return "", false
		}
		hi, lo := unhex(e[i+1]), unhex(e[i+2])
		if hi < 0 || lo < 0 {
			return "", false
		}
		b = append(b, byte(hi<<4|lo))
		i += 2
	}
	id = string(b)
	return id, threadFile(id) == rel
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

func (s *fileStore) lock(ctx context.Context, rel string) (*threadLock, error) {
	s.mu.Lock()
	l := s.locks[rel]
	if l == nil {
		l = &threadLock{ch: make(chan struct{}, 1)}
		s.locks[rel] = l
	}
	l.refs++
	s.mu.Unlock()
	select {
	case l.ch <- struct{}{}:
		return l, nil
	case <-ctx.Done():
		s.release(rel, l)
		return nil, ctx.Err()
	}
}

func (s *fileStore) unlock(rel string, l *threadLock) {
	<-l.ch
	s.release(rel, l)
}

func (s *fileStore) release(rel string, l *threadLock) {
	s.mu.Lock()
	if l.refs--; l.refs == 0 {
		delete(s.locks, rel)
	}
	s.mu.Unlock()
}

// encodeLine returns recs as one line: a record, or an array for a batch.
func encodeLine(recs []Record) ([]byte, error) {
	var line []byte
	if len(recs) > 1 {
		line = append(line, '[')
	}
	for i, r := range recs {
		b, err := EncodeRecord(r)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, b...)
	}
	if len(recs) > 1 {
		line = append(line, ']')
	}
	return append(line, '\n'), nil
}

// decodeLine decodes a line written by encodeLine (without its newline).
func decodeLine(line []byte) ([]Record, error) {
	if len(line) == 0 || line[0] != '[' {
		r, err := DecodeRecord(line)
		if err != nil {
			return nil, err
		}
		return []Record{r}, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, fmt.Errorf("graphc: decoding a batch of records: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("graphc: decoding a batch of records: the batch is empty")
	}
	recs := make([]Record, len(raw))
	for i, b := range raw {
		r, err := DecodeRecord(b)
		if err != nil {
			return nil, err
		}
		recs[i] = r
	}
	return recs, nil
}

// parseThread decodes a whole thread file. The last line is torn when it
// has no newline or does not decode: it is left out, and end is where it
// starts (where the next append writes). Any other damage, and records
// out of sequence, is an error naming the line and the record expected
// there.
func parseThread(data []byte) (recs []Record, end int, err error) {
	line := 0
	for off := 0; off < len(data); {
		n := bytes.IndexByte(data[off:], '\n')
		if n < 0 {
			return recs, off, nil // torn: no newline
		}
		line++
		got, err := decodeLine(data[off : off+n])
		if err != nil {
			if off+n+1 == len(data) {
				return recs, off, nil // torn: the last line does not decode
			}
			return nil, 0, fmt.Errorf("line %d (record %d): %w", line, len(recs)+1, err)
		}
		for _, r := range got {
			if want := uint64(len(recs)) + 1; r.Seq != want {
				return nil, 0, fmt.Errorf("line %d (record %d): the record has seq %d", line, want, r.Seq)
			}
			recs = append(recs, r)
		}
		off += n + 1
	}
	return recs, len(data), nil
}

// lastNewline returns the offset of the last '\n' in f before offset
// before, or -1.
func lastNewline(f *os.File, before int64) (int64, error) {
	buf := make([]byte, min(scanBlock, before))
	for before > 0 {
		n := min(int64(len(buf)), before)
		start := before - n
		if _, err := f.ReadAt(buf[:n], start); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i), nil
		}
		before = start
	}
	return -1, nil
}

// tail finds where the next append to f (size bytes) goes, past any torn
// last line, and the Seq of the last record before it. It reads the last
// one or two lines only, not the whole thread; ok is false when they do
// not decode where parseThread would fail (damage), for the caller to
// report by parsing it all.
func tail(f *os.File, size int64) (end int64, last uint64, ok bool, err error) {
	nl, err := lastNewline(f, size) // the last complete line ends at nl
	if err != nil || nl < 0 {
		return 0, 0, err == nil, err
	}
	prev, recs, err := lineBefore(f, nl)
	if err != nil || recs != nil {
		return nl + 1, lastSeq(recs), err == nil, err
	}
	if nl+1 < size || prev < 0 {
		// Not decodable and followed by a torn tail: damage. Or the only
		// line is torn.
		return 0, 0, nl+1 == size, nil
	}
	_, recs, err = lineBefore(f, prev) // the last line is torn: the one before decides
	return prev + 1, lastSeq(recs), err == nil && recs != nil, err
}

// lineBefore reads the line of f that ends with the newline at nl: it
// returns the offset of the newline before it (or -1) and its records,
// nil when it does not decode.
func lineBefore(f *os.File, nl int64) (prev int64, recs []Record, err error) {
	if prev, err = lastNewline(f, nl); err != nil {
		return 0, nil, err
	}
	line := make([]byte, nl-prev-1)
	if _, err := f.ReadAt(line, prev+1); err != nil {
		return 0, nil, err
	}
	recs, _ = decodeLine(line)
	return prev, recs, nil
}

func lastSeq(recs []Record) uint64 {
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].Seq
}

func (s *fileStore) Append(ctx context.Context, thread string, recs []Record) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	if len(recs) == 0 {
		return nil
	}
	if recs[0].Seq == 0 {
		return fmt.Errorf(fileFormat+"record seq 0 appended (records are numbered from 1): %w", thread, ErrConflict)
	}
	if err := CheckAppend(thread, recs[0].Seq-1, recs); err != nil { // consecutive?
		return fmt.Errorf("graphc: file store: %w", err)
	}
	line, err := encodeLine(recs)
	if err != nil {
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	rel := threadFile(thread)
	path := filepath.Join(s.dir, rel)
	l, err := s.lock(ctx, rel)
	if err != nil {
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	defer s.unlock(rel, l)

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		if err := CheckAppend(thread, 0, recs); err != nil {
			return fmt.Errorf("graphc: file store: %w", err) // create nothing
		}
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		}
	}
	if err != nil {
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf(fileFormat+"%w", thread, cerr)
		}
	}()
	if err := flockContext(ctx, f, true); err != nil {
		return fmt.Errorf(fileFormat+"locking %s: %w", thread, path, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	end, last, ok, err := tail(f, st.Size())
	if err != nil {
		return fmt.Errorf(fileFormat+"reading %s: %w", thread, path, err)
	}
	if !ok {
		return s.damaged(f, thread, path)
	}
	if err := CheckAppend(thread, last, recs); err != nil {
		return fmt.Errorf("graphc: file store: %w", err)
	}
	if end < st.Size() {
		if err := f.Truncate(end); err != nil { // cut the torn tail
			return fmt.Errorf(fileFormat+"%w", thread, err)
		}
	}
	if _, err := f.WriteAt(line, end); err != nil {
		_ = f.Truncate(end) // best effort: leave no half line behind
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Truncate(end) // not durable: do not let Load see it
		return fmt.Errorf(fileFormat+"%w", thread, err)
	}
	if end == 0 { // a new thread: make its directory entries durable
		for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
			if err := syncDir(dir); err != nil {
				return fmt.Errorf(fileFormat+"%w", thread, err)
			}
			if rel, err := filepath.Rel(s.dir, dir); err != nil || rel == "." {
				break
			}
		}
	}
	return nil
}

// damaged returns the error of a thread file whose tail does not parse,
// naming the line, by parsing the whole file.
func (s *fileStore) damaged(f *os.File, thread, path string) error {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return fmt.Errorf(fileFormat+"reading %s: %w", thread, path, err)
	}
	if _, _, err := parseThread(data); err != nil {
		return fmt.Errorf(fileFormat+"%s: %w", thread, path, err)
	}
	return fmt.Errorf(fileFormat+"%s: the last records do not follow each other", thread, path)
}

func (s *fileStore) Load(ctx context.Context, thread string) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf(fileFormat+"%w", thread, err)
	}
	path := filepath.Join(s.dir, threadFile(thread))
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf(fileFormat+"%w", thread, ErrNoThread)
	}
	if err != nil {
		return nil, fmt.Errorf(fileFormat+"%w", thread, err)
	}
	defer f.Close()
	if err := flockContext(ctx, f, false); err != nil { // no append is half-way
		return nil, fmt.Errorf(fileFormat+"locking %s: %w", thread, path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf(fileFormat+"reading %s: %w", thread, path, err)
	}
	recs, _, err := parseThread(data)
	if err != nil {
		return nil, fmt.Errorf(fileFormat+"%s: %w", thread, path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf(fileFormat+"%w", thread, ErrNoThread)
	}
	return recs, nil
}

// Threads lists the thread files under the store's directory. A thread
// whose only append was torn by a crash may be listed while Load reports
// ErrNoThread for it.
func (s *fileStore) Threads(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		stop := errors.New("stop")
		err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(s.dir, path)
			if err != nil {
				return err
			}
			id, ok := threadID(rel)
			if !ok {
				return nil
			}
			if info, err := d.Info(); err != nil || info.Size() == 0 {
				return nil // removed meanwhile, or created by an append that failed
			}
			if !yield(id, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yield("", fmt.Errorf("graphc: file store: listing threads in %s: %w", s.dir, err))
		}
	}
}
