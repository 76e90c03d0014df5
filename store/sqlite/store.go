package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/graphc/graphc/internal/storesql"
	"github.com/graphc/graphc/runtime"
)

// Store is a runtime.Store in a SQLite database. It is safe for concurrent
// use, and several processes may share the database (SQLite serializes
// their transactions; the Seq check is made inside each).
type Store struct {
	db   *sql.DB
	name string // the database file, for errors

	mu      sync.Mutex
	w       *sql.Conn // the one writer connection
	closed  bool
	queue   []*appendReq   // waiting for the next transaction
	leading bool           // an Append is committing a batch
	wg      sync.WaitGroup // Appends in progress, for Close
	commits atomic.Int64   // transactions committed by Append, for tests
}

// appendReq is one Append waiting for a transaction.
type appendReq struct {
	ctx    context.Context
	thread string
	recs   []runtime.Record
	enc    [][]byte
	done   chan result // buffered: the committer never blocks
}

type result struct {
	err  error
	lead bool // the receiver commits the next batch
}

// migrations are the schema versions, applied in order; a database
// records the ones applied in graphc_migrations.
var migrations = []string{
	1: `
CREATE TABLE graphc_threads (
	thread   BLOB PRIMARY KEY,      -- the thread id's bytes
	last_seq INTEGER NOT NULL       -- the Seq of its last record
) WITHOUT ROWID;
CREATE TABLE graphc_records (
	thread BLOB NOT NULL,
	seq    INTEGER NOT NULL,
	record BLOB NOT NULL,           -- runtime.EncodeRecord
	PRIMARY KEY (thread, seq)       -- loading a thread is a range scan
) WITHOUT ROWID;`,
}

// Open prepares db for storing threads and returns the store. It sets
// journal_mode=WAL (kept by the database file) and, on the connection it
// writes with, synchronous=FULL (every commit is durable) and
// busy_timeout=10000 ms; other connections should set a busy_timeout too
// (modernc.org/sqlite: "?_pragma=busy_timeout(10000)"). It creates or
// migrates the schema, and fails on a database migrated by a newer graphc.
// Close releases the writer connection; db stays open.
func Open(db *sql.DB) (*Store, error) {
	ctx := context.Background()
	s := &Store{db: db, name: "sqlite store"}
	w, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphc: sqlite store: %w", err)
	}
	var file string
	if err := w.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err == nil && file != "" {
		s.name = "sqlite store " + file
	}
	if err := s.prepare(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("graphc: %s: %w", s.name, err)
	}
	s.w = w
	return s, nil
}

func (s *Store) prepare(ctx context.Context, w *sql.Conn) error {
	for _, p := range []string{"PRAGMA busy_timeout = 10000", "PRAGMA synchronous = FULL"} {
		if _, err := w.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	// Switching to WAL needs the database to itself, and SQLite does not
	// wait for that (busy_timeout does not apply): processes opening a new
	// database together retry, for up to 10 s.
	deadline := time.Now().Add(10 * time.Second)
	for wait := 10 * time.Millisecond; mode != "wal" && mode != "memory"; wait = min(2*wait, time.Second) {
		err := w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil {
			break
		}
		if !busy(err) || time.Now().After(deadline) {
			return fmt.Errorf("setting WAL mode: %w", err)
		}
		time.Sleep(wait)
	}
	have, err := version(ctx, w)
	if err != nil {
		return err
	}
	if have > len(migrations)-1 {
		return fmt.Errorf("the schema is at version %d, newer than this graphc's %d: upgrade github.com/graphc/graphc/store/sqlite", have, len(migrations)-1)
	}
	if have == len(migrations)-1 {
		return nil // nothing to write: a read-only database works
	}
	return inTx(ctx, w, func() error {
		if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS graphc_migrations (
	version    INTEGER PRIMARY KEY,
	applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)`); err != nil {
			return err
		}
		have, err := version(ctx, w) // again, inside the transaction
		if err != nil {
			return err
		}
		for v := have + 1; v < len(migrations); v++ {
			if _, err := w.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migrating to schema version %d: %w", v, err)
			}
			if _, err := w.ExecContext(ctx, `INSERT INTO graphc_migrations (version) VALUES (?)`, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// busy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED, as
// any driver words it.
func busy(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "locked") || strings.Contains(msg, "busy")
}

// version returns the schema version of the database, 0 for none.
func version(ctx context.Context, w *sql.Conn) (int, error) {
	var n int
	err := w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'graphc_migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	err = w.QueryRowContext(ctx, `SELECT max(version) FROM graphc_migrations`).Scan(&v)
	return int(v.Int64), err
}

// inTx runs fn in a write transaction on w: BEGIN IMMEDIATE takes the
// write lock up front, so a transaction never fails on upgrading a read
// lock another process invalidated.
func inTx(ctx context.Context, w *sql.Conn, fn func() error) error {
	if _, err := w.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		_, _ = w.ExecContext(ctx, "ROLLBACK")
		return err
	}
	if _, err := w.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = w.ExecContext(ctx, "ROLLBACK") // SQLite may keep the transaction open
		return err
	}
	return nil
}

// Close waits for the Appends in progress and releases the writer
// connection; later Appends fail. It does not close the *sql.DB.
func (s *Store) Close() error {
	s.mu.Lock()
	was := s.closed
	s.closed = true
	s.mu.Unlock()
	if was {
		return nil
	}
	s.wg.Wait()
	return s.w.Close()
}

// Append implements runtime.Store.Append. Concurrent Appends are committed
// together: the first becomes the leader and commits every Append queued
// meanwhile in one transaction, each in a savepoint so that one refused
// (ErrConflict) or failing Append does not undo the others; then it hands
// the lead to the next waiting Append, if any.
func (s *Store) Append(ctx context.Context, thread string, recs []runtime.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graphc: %s: thread %q: %w", s.name, thread, err)
	}
	if len(recs) == 0 {
		return nil
	}
	if recs[0].Seq == 0 {
		return fmt.Errorf("graphc: %s: thread %q: record seq 0 appended (records are numbered from 1): %w", s.name, thread, runtime.ErrConflict)
	}
	if err := runtime.CheckAppend(thread, recs[0].Seq-1, recs); err != nil { // consecutive?
		return fmt.Errorf("graphc: %s: %w", s.name, err)
	}
	req := &appendReq{ctx: ctx, thread: thread, recs: recs, enc: make([][]byte, len(recs)), done: make(chan result, 1)}
	for i, r := range recs {
		b, err := runtime.EncodeRecord(r)
		if err != nil {
			return fmt.Errorf("graphc: %s: thread %q: %w", s.name, thread, err)
		}
		req.enc[i] = b
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("graphc: %s: thread %q: the store is closed", s.name, thread)
	}
	s.wg.Add(1)
	defer s.wg.Done()
	s.queue = append(s.queue, req)
	lead := !s.leading
	s.leading = true
	s.mu.Unlock()
	if lead {
		s.commitQueued()
	}
	for {
		r := <-req.done // the result, or the lead
		if !r.lead {
			return r.err
		}
		s.commitQueued()
	}
}

// commitQueued commits the queued Appends in one transaction, sends each
// its result, and passes the lead to the first Append queued since (its
// own result arrives after the lead, from a later batch).
func (s *Store) commitQueued() {
	s.mu.Lock()
	batch := s.queue
	s.queue = nil
	s.mu.Unlock()
	errs := s.commit(s.w, batch)
	s.mu.Lock()
	var next *appendReq
	if len(s.queue) > 0 {
		next = s.queue[0]
	} else {
		s.leading = false
	}
	s.mu.Unlock()
	for i, req := range batch {
		req.done <- result{err: errs[i]}
	}
	if next != nil {
		next.done <- result{lead: true}
	}
}

// commit writes batch in one transaction and returns each Append's error.
func (s *Store) commit(w *sql.Conn, batch []*appendReq) []error {
	errs := make([]error, len(batch))
	ctx := context.Background() // a batch is not cancelled with one of its Appends
	included := 0
	err := inTx(ctx, w, func() error {
		for i, req := range batch {
			if err := req.ctx.Err(); err != nil {
				errs[i] = fmt.Errorf("graphc: %s: thread %q: %w", s.name, req.thread, err)
				continue
			}
			if _, err := w.ExecContext(ctx, "SAVEPOINT graphc_append"); err != nil {
				return err
			}
			if errs[i] = s.insert(ctx, w, req); errs[i] != nil {
				if _, err := w.ExecContext(ctx, "ROLLBACK TO graphc_append"); err != nil {
					return err
				}
			} else {
				included++
			}
			if _, err := w.ExecContext(ctx, "RELEASE graphc_append"); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.commits.Add(1)
	} else { // nothing of the batch was committed
		for i, req := range batch {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("graphc: %s: thread %q: %w", s.name, req.thread, err)
			}
		}
	}
	return errs
}

// insert appends req's records inside the open transaction, after the
// Seq check.
func (s *Store) insert(ctx context.Context, w *sql.Conn, req *appendReq) error {
	var last uint64
	err := w.QueryRowContext(ctx, `SELECT last_seq FROM graphc_threads WHERE thread = ?`, []byte(req.thread)).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("graphc: %s: thread %q: %w", s.name, req.thread, err)
	}
	if err := runtime.CheckAppend(req.thread, last, req.recs); err != nil {
		return fmt.Errorf("graphc: %s: %w", s.name, err)
	}
	for i, r := range req.recs {
		if _, err := w.ExecContext(ctx, `INSERT INTO graphc_records (thread, seq, record) VALUES (?, ?, ?)`, []byte(req.thread), int64(r.Seq), req.enc[i]); err != nil {
			return fmt.Errorf("graphc: %s: thread %q: record %d: %w", s.name, req.thread, r.Seq, err)
		}
	}
	to := int64(req.recs[len(req.recs)-1].Seq)
	if _, err := w.ExecContext(ctx, `INSERT INTO graphc_threads (thread, last_seq) VALUES (?, ?)
ON CONFLICT (thread) DO UPDATE SET last_seq = excluded.last_seq`, []byte(req.thread), to); err != nil {
		return fmt.Errorf("graphc: %s: thread %q: %w", s.name, req.thread, err)
	}
	return nil
}

// Load implements runtime.Store.Load. A record that does not decode, or
// out of sequence, is an error naming the thread and the record.
func (s *Store) Load(ctx context.Context, thread string) ([]runtime.Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, record FROM graphc_records WHERE thread = ? ORDER BY seq`, []byte(thread))
	if err != nil {
		return nil, fmt.Errorf("graphc: %s: thread %q: %w", s.name, thread, err)
	}
	defer rows.Close()
	return storesql.Records(rows, s.name, thread)
}

// Threads implements runtime.Store.Threads.
func (s *Store) Threads(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		rows, err := s.db.QueryContext(ctx, `SELECT thread FROM graphc_threads`)
		if err != nil {
			yield("", storesql.ListError(s.name, err))
			return
		}
		defer rows.Close()
		storesql.Threads(rows, s.name, yield)
	}
}

var _ runtime.Store = (*Store)(nil)
