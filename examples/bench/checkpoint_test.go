package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/graphc/graphc/examples/bench/chain10"
	"github.com/graphc/graphc/examples/bench/fan20"
	"github.com/graphc/graphc/examples/bench/model"
	"github.com/graphc/graphc/runtime"
	sqlitestore "github.com/graphc/graphc/store/sqlite"
)

// BenchmarkCheckpoint measures what checkpointing costs a run: the chain of
// 10 and the 20-way fan-in (22 nodes), with no store and with each store
// under each durability mode. Every run is a new thread. ns/node is the
// run's time divided by its nodes.
func BenchmarkCheckpoint(b *testing.B) {
	type graph struct {
		name  string
		nodes int
		run   func(ctx context.Context, s model.State, opts ...runtime.Option) (model.State, error)
	}
	graphs := []graph{
		{"chain10", 10, chain10.NewChain10(chain10.Handlers{}).Invoke},
		{"fan20", 22, fan20.NewFan20(fan20.Handlers{}).Invoke},
	}
	stores := []struct {
		name string
		open func(b *testing.B) runtime.Store
	}{
		{"memory", func(*testing.B) runtime.Store { return runtime.NewMemoryStore() }},
		{"file", func(b *testing.B) runtime.Store {
			st, err := runtime.NewFileStore(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return st
		}},
		{"sqlite", func(b *testing.B) runtime.Store {
			db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "threads.db"))
			if err != nil {
				b.Fatal(err)
			}
			st, err := sqlitestore.Open(db)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close(); db.Close() })
			return st
		}},
	}
	modes := []runtime.Durability{runtime.Sync, runtime.Async, runtime.Exit}
	for _, g := range graphs {
		b.Run(g.name+"/none", func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.run(ctx, model.State{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*g.nodes), "ns/node")
		})
		for _, st := range stores {
			for _, mode := range modes {
				b.Run(fmt.Sprintf("%s/%s-%s", g.name, st.name, mode), func(b *testing.B) {
					ctx := context.Background()
					store := st.open(b)
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						i++
						if _, err := g.run(ctx, model.State{}, runtime.WithStore(store), runtime.WithDurability(mode), runtime.WithThread(fmt.Sprint("t", i))); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*g.nodes), "ns/node")
				})
			}
		}
	}
}
