package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/graphc/graphc/runtime"
)

// Benchmark measures a store alone, on records of about 200 bytes:
//
//   - Append1: one record per Append, one thread (ns per record);
//   - Batch20: 20 records per Append, one thread (ns per batch);
//   - Parallel20: 20 goroutines, each appending one record per Append to
//     its own thread, as the branches of a 20-way fork under Sync
//     durability do (ns per 20 records, one from each).
//
// newStore returns a new, empty store for each sub-benchmark.
func Benchmark(b *testing.B, newStore func(b *testing.B) runtime.Store) {
	ctx := context.Background()
	b.Run("Append1", func(b *testing.B) {
		st := newStore(b)
		b.ReportAllocs()
		seq := uint64(0)
		for b.Loop() {
			seq++
			if err := st.Append(ctx, "bench", []runtime.Record{record(seq, runtime.NodeRecord, "b")}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Batch20", func(b *testing.B) {
		st := newStore(b)
		b.ReportAllocs()
		seq := uint64(1)
		for b.Loop() {
			if err := st.Append(ctx, "bench", chain(seq, seq+19, "b")); err != nil {
				b.Fatal(err)
			}
			seq += 20
		}
	})
	b.Run("Parallel20", func(b *testing.B) {
		st := newStore(b)
		b.ReportAllocs()
		seq := uint64(0)
		for b.Loop() {
			seq++
			var wg sync.WaitGroup
			errs := make([]error, 20)
			for i := range 20 {
				wg.Go(func() {
					errs[i] = st.Append(ctx, fmt.Sprint("branch-", i), []runtime.Record{record(seq, runtime.NodeRecord, "b")})
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
