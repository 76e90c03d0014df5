package runtime

import (
	"context"
	"fmt"
	"iter"
	"sync"
)

// CheckAppend checks recs against the Seq rule of Store.Append for a
// thread whose last record is last (0 for a thread the store does not
// hold): recs[0].Seq must be last+1 and the Seqs consecutive. Its error
// wraps ErrConflict and names the thread. Stores call it under their lock
// (or inside their transaction) before writing anything.
func CheckAppend(thread string, last uint64, recs []Record) error {
	for i, r := range recs {
		if want := last + 1 + uint64(i); r.Seq != want {
			return fmt.Errorf("thread %q: record %d appended where record %d was expected: %w", thread, r.Seq, want, ErrConflict)
		}
	}
	return nil
}

// NewMemoryStore returns a Store that keeps threads in memory, for tests
// and short-lived processes. It keeps each record encoded (EncodeRecord)
// and decodes it on Load, so a test reads exactly what a restart from a
// durable store would: a state that does not survive its codec fails in
// the test too. It is safe for concurrent use; what it holds is lost with
// the process.
func NewMemoryStore() Store {
	return &memoryStore{threads: make(map[string][][]byte)}
}

type memoryStore struct {
	mu      sync.RWMutex
	threads map[string][][]byte // thread -> encoded records, index Seq-1
}

func (m *memoryStore) Append(ctx context.Context, thread string, recs []Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graphc: memory store: thread %q: %w", thread, err)
	}
	if len(recs) == 0 {
		return nil
	}
	enc := make([][]byte, len(recs))
	for i, r := range recs {
		b, err := EncodeRecord(r)
		if err != nil {
			return fmt.Errorf("graphc: memory store: thread %q: %w", thread, err)
		}
		enc[i] = b
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.threads[thread]
	if err := CheckAppend(thread, uint64(len(old)), recs); err != nil {
		return fmt.Errorf("graphc: memory store: %w", err)
	}
	m.threads[thread] = append(old, enc...)
	return nil
}

func (m *memoryStore) Load(ctx context.Context, thread string) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("graphc: memory store: thread %q: %w", thread, err)
	}
	m.mu.RLock()
	enc := m.threads[thread] // records are never changed once appended
	m.mu.RUnlock()
	if len(enc) == 0 {
		return nil, fmt.Errorf("graphc: memory store: thread %q: %w", thread, ErrNoThread)
	}
	recs := make([]Record, len(enc))
	for i, b := range enc {
		r, err := DecodeRecord(b)
		if err != nil {
			return nil, fmt.Errorf("graphc: memory store: thread %q, record %d: %w", thread, i+1, err)
		}
		recs[i] = r
	}
	return recs, nil
}

func (m *memoryStore) Threads(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := ctx.Err(); err != nil {
			yield("", fmt.Errorf("graphc: memory store: listing threads: %w", err))
			return
		}
		m.mu.RLock()
		ids := make([]string, 0, len(m.threads))
		for id := range m.threads {
			ids = append(ids, id)
		}
		m.mu.RUnlock()
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				yield("", fmt.Errorf("graphc: memory store: listing threads: %w", err))
				return
			}
			if !yield(id, nil) {
				return
			}
		}
	}
}
