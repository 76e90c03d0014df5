package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) runtime.Store {
		return open(b, pool(b, fmt.Sprint(b.Name(), time.Now().UnixNano()), true))
	})
}

// BenchmarkFloor is what the store's appends cost at least: the same
// bytes written with a plain INSERT, one transaction per record, in the
// shapes of storetest.Benchmark.
func BenchmarkFloor(b *testing.B) {
	ctx := context.Background()
	rec, _ := runtime.EncodeRecord(runtime.Record{Seq: 1, Kind: runtime.NodeRecord, Node: "nodeb", Next: "nextb", Path: "main/fork@2:1", State: []byte(`{"tag":"b","seq":1,"list":[1,2.5,"x",null,true],"nested":{"k":"v"}}`)})
	newPool := func(b *testing.B) *pgxpool.Pool {
		p := pool(b, fmt.Sprint(b.Name(), time.Now().UnixNano()), true)
		if _, err := p.Exec(ctx, `CREATE TABLE r (thread bytea NOT NULL, seq bigint NOT NULL, record bytea NOT NULL, PRIMARY KEY (thread, seq))`); err != nil {
			b.Fatal(err)
		}
		return p
	}
	insert := func(p *pgxpool.Pool, thread string, seq, n int) error {
		tx, err := p.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		for i := range n {
			if _, err := tx.Exec(ctx, `INSERT INTO r VALUES ($1, $2, $3)`, []byte(thread), seq+i, rec); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	}
	b.Run("Append1", func(b *testing.B) {
		p, seq := newPool(b), 0
		for b.Loop() {
			seq++
			if err := insert(p, "bench", seq, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Batch20", func(b *testing.B) {
		p, seq := newPool(b), 0
		for b.Loop() {
			if err := insert(p, "bench", seq, 20); err != nil {
				b.Fatal(err)
			}
			seq += 20
		}
	})
	b.Run("Parallel20", func(b *testing.B) {
		p, seq := newPool(b), 0
		for b.Loop() {
			seq++
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					if err := insert(p, fmt.Sprint("branch-", i), seq, 1); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
	})
}
