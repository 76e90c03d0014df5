package pgstore

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/graphc/graphc/internal/storesql"
	"github.com/graphc/graphc/runtime"
)

// Store is a runtime.Store in a PostgreSQL database. It is safe for
// concurrent use by goroutines and by processes sharing the database.
type Store struct {
	pool *pgxpool.Pool
	name string // "postgres store host:port/database", for errors
}

// migrations are the schema versions, applied in order; a database
// records the ones applied in graphc_migrations.
var migrations = []string{
	1: `
CREATE TABLE graphc_threads (
	thread   bytea PRIMARY KEY,    -- the thread id's bytes: any string, NUL included
	last_seq bigint NOT NULL       -- the Seq of its last record
);
CREATE TABLE graphc_records (
	thread bytea NOT NULL,
	seq    bigint NOT NULL,
	record bytea NOT NULL,         -- runtime.EncodeRecord, byte for byte
	PRIMARY KEY (thread, seq)      -- loading a thread is an index range scan
);`,
}

// migrationLock is the advisory lock key that serializes migrations
// ("graphc" in ASCII).
const migrationLock = 0x677261706863

// Open creates or migrates the schema in the pool's database (in the
// first schema of its search_path) and returns the store. It fails on a
// database migrated by a newer graphc. The store does not own pool.
func Open(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	cc := pool.Config().ConnConfig
	s := &Store{pool: pool, name: fmt.Sprintf("postgres store %s:%d/%s", cc.Host, cc.Port, cc.Database)}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS graphc_migrations (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM graphc_migrations`).Scan(&have); err != nil {
			return err
		}
		if have > len(migrations)-1 {
			return fmt.Errorf("the schema is at version %d, newer than this graphc's %d: upgrade github.com/graphc/graphc/store/postgres", have, len(migrations)-1)
		}
		for v := have + 1; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migrating to schema version %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO graphc_migrations (version) VALUES ($1)`, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graphc: %s: %w", s.name, err)
	}
	return s, nil
}

// appendSQL appends records $3 (seqs) / $4 (encoded) to thread $1 if its
// last record is $2 - 1, in one statement. A new thread ($2 = 1) is an
// insert that does nothing if the thread exists; a racing insert waits
// for the first to commit and then finds it. Otherwise the thread's row is
// updated only where last_seq is $2 - 1: racing updates wait on its row
// lock, re-check last_seq once the winner commits, find it moved, and
// update nothing. The records are inserted only if one of the two did.
const appendSQL = `
WITH created AS (
	INSERT INTO graphc_threads (thread, last_seq)
	SELECT $1, $2 + cardinality($3::bigint[]) - 1 WHERE $2 = 1
	ON CONFLICT (thread) DO NOTHING
	RETURNING 1
), moved AS (
	UPDATE graphc_threads SET last_seq = $2 + cardinality($3::bigint[]) - 1
	WHERE thread = $1 AND last_seq = $2 - 1 AND $2 > 1
	RETURNING 1
)
INSERT INTO graphc_records (thread, seq, record)
SELECT $1, u.seq, u.record
FROM (SELECT 1 FROM created UNION ALL SELECT 1 FROM moved) AS ok,
	unnest($3::bigint[], $4::bytea[]) AS u(seq, record)`

// Append implements runtime.Store.Append.
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
	seqs := make([]int64, len(recs))
	enc := make([][]byte, len(recs))
	for i, r := range recs {
		b, err := runtime.EncodeRecord(r)
		if err != nil {
			return fmt.Errorf("graphc: %s: thread %q: %w", s.name, thread, err)
		}
		seqs[i], enc[i] = int64(r.Seq), b
	}
	tag, err := s.pool.Exec(ctx, appendSQL, []byte(thread), int64(recs[0].Seq), seqs, enc)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "23505": // unique_violation: raced past the check
		return fmt.Errorf("graphc: %s: thread %q: record %d: %w", s.name, thread, recs[0].Seq, runtime.ErrConflict)
	case err != nil:
		return fmt.Errorf("graphc: %s: thread %q: %w", s.name, thread, err)
	case tag.RowsAffected() == 0:
		return s.conflict(ctx, thread, recs)
	}
	return nil
}

// conflict returns the ErrConflict of an Append that found the thread
// elsewhere, saying where.
func (s *Store) conflict(ctx context.Context, thread string, recs []runtime.Record) error {
	var last uint64
	err := s.pool.QueryRow(ctx, `SELECT last_seq FROM graphc_threads WHERE thread = $1`, []byte(thread)).Scan(&last)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("graphc: %s: thread %q: record %d: %w", s.name, thread, recs[0].Seq, runtime.ErrConflict)
	}
	if cerr := runtime.CheckAppend(thread, last, recs); cerr != nil {
		return fmt.Errorf("graphc: %s: %w", s.name, cerr)
	}
	// The thread has moved on since, to exactly where these records fit.
	return fmt.Errorf("graphc: %s: thread %q: record %d was appended by another run: %w", s.name, thread, recs[0].Seq, runtime.ErrConflict)
}

// Load implements runtime.Store.Load. A record that does not decode, or
// out of sequence, is an error naming the thread and the record.
func (s *Store) Load(ctx context.Context, thread string) ([]runtime.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, record FROM graphc_records WHERE thread = $1 ORDER BY seq`, []byte(thread))
	if err != nil {
		return nil, fmt.Errorf("graphc: %s: thread %q: %w", s.name, thread, err)
	}
	defer rows.Close()
	return storesql.Records(rows, s.name, thread)
}

// Threads implements runtime.Store.Threads.
func (s *Store) Threads(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		rows, err := s.pool.Query(ctx, `SELECT thread FROM graphc_threads`)
		if err != nil {
			yield("", storesql.ListError(s.name, err))
			return
		}
		defer rows.Close()
		storesql.Threads(rows, s.name, yield)
	}
}

var _ runtime.Store = (*Store)(nil)
