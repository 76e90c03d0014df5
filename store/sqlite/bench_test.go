package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) runtime.Store {
		return open(b, openDB(b, filepath.Join(b.TempDir(), "bench.db")))
	})
}

// BenchmarkFloor is what the store's appends cost at least: the same
// bytes written with plain SQL, one transaction per record, with the
// store's pragmas (WAL, synchronous=FULL), in the shapes of
// storetest.Benchmark.
func BenchmarkFloor(b *testing.B) {
	ctx := context.Background()
	rec, _ := runtime.EncodeRecord(runtime.Record{Seq: 1, Kind: runtime.NodeRecord, Node: "nodeb", Next: "nextb", Path: "main/fork@2:1", State: []byte(`{"tag":"b","seq":1,"list":[1,2.5,"x",null,true],"nested":{"k":"v"}}`)})
	newDB := func(b *testing.B) *sql.DB {
		db := openDB(b, filepath.Join(b.TempDir(), "floor.db"), "journal_mode(WAL)", "synchronous(FULL)")
		if _, err := db.Exec(`CREATE TABLE r (thread BLOB NOT NULL, seq INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY (thread, seq)) WITHOUT ROWID`); err != nil {
			b.Fatal(err)
		}
		return db
	}
	insert := func(db *sql.DB, thread string, seq, n int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i := range n {
			if _, err := tx.Exec(`INSERT INTO r VALUES (?, ?, ?)`, []byte(thread), seq+i, rec); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	}
	b.Run("Append1", func(b *testing.B) {
		db, seq := newDB(b), 0
		for b.Loop() {
			seq++
			if err := insert(db, "bench", seq, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Batch20", func(b *testing.B) {
		db, seq := newDB(b), 0
		for b.Loop() {
			if err := insert(db, "bench", seq, 20); err != nil {
				b.Fatal(err)
			}
			seq += 20
		}
	})
	b.Run("Parallel20", func(b *testing.B) {
		db, seq := newDB(b), 0
		for b.Loop() {
			seq++
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					if err := insert(db, fmt.Sprint("branch-", i), seq, 1); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
	})
}
