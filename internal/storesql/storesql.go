package storesql

import (
	"fmt"

	"github.com/graphc/graphc/runtime"
)

// Rows is what *sql.Rows and pgx.Rows both offer.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Records reads the rows of `SELECT seq, record ... ORDER BY seq` for
// thread from the store named store: each record decoded, numbered from 1
// without a gap, its stored seq and its own seq agreeing. A thread without
// rows is an error wrapping runtime.ErrNoThread. The caller closes rows.
func Records(rows Rows, store, thread string) ([]runtime.Record, error) {
	var recs []runtime.Record
	for rows.Next() {
		want := uint64(len(recs)) + 1
		var seq int64
		var b []byte
		if err := rows.Scan(&seq, &b); err != nil {
			return nil, fmt.Errorf("graphc: %s: thread %q: record %d: %w", store, thread, want, err)
		}
		r, err := runtime.DecodeRecord(b)
		switch {
		case err != nil:
			return nil, fmt.Errorf("graphc: %s: thread %q: record %d: %w", store, thread, want, err)
		case uint64(seq) != want || r.Seq != want:
			return nil, fmt.Errorf("graphc: %s: thread %q: record %d: stored as seq %d holding seq %d", store, thread, want, seq, r.Seq)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("graphc: %s: thread %q: %w", store, thread, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("graphc: %s: thread %q: %w", store, thread, runtime.ErrNoThread)
	}
	return recs, nil
}

// Threads yields each thread id of the rows of `SELECT thread ...`, and
// stops at the first error, which it yields naming the store. The caller
// closes rows.
func Threads(rows Rows, store string, yield func(string, error) bool) {
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			yield("", ListError(store, err))
			return
		}
		if !yield(string(id), nil) {
			return
		}
	}
	if err := rows.Err(); err != nil {
		yield("", ListError(store, err))
	}
}

// ListError is the error of listing the threads of the store named store.
func ListError(store string, err error) error {
	return fmt.Errorf("graphc: %s: listing threads: %w", store, err)
}
