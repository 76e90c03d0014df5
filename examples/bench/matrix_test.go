package bench

import (
	"context"
	"testing"

	"github.com/graphc/graphc/examples/bench/model"
)

// TestMatrix runs both versions of every cell of the fan-in matrix once and
// checks the Sum their join found.
func TestMatrix(t *testing.T) {
	ctx := context.Background()
	for _, c := range matrix {
		for sys, run := range map[string]func(context.Context) (int, error){"graphc": c.graphc, "hand": c.hand} {
			t.Run(c.name()+"/"+sys, func(t *testing.T) {
				sum, err := run(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if want := model.MatrixSum(c.shape.name, c.w); sum != want {
					t.Fatalf("Sum = %d, want %d", sum, want)
				}
			})
		}
	}
}

// BenchmarkMatrix is the fan-in matrix: every state shape (two ints, a
// slice appended to, a map written, a 1 KiB array, strings) at every width
// (2, 20, 100, 1000), with trivial handlers and with heavy ones (each branch
// calls model.Deep, whose frame outgrows a new goroutine's first stack),
// graphc against its hand-written twin (package hand's ForkOf) in this
// binary: Matrix/<shape>/<handler>/W<w>/{graphc,hand}. Each sub-benchmark
// checks the first and the last run's Sum.
func BenchmarkMatrix(b *testing.B) {
	for _, c := range matrix {
		b.Run(c.name(), func(b *testing.B) {
			want := model.MatrixSum(c.shape.name, c.w)
			for _, v := range []struct {
				sys string
				run func(context.Context) (int, error)
			}{{"graphc", c.graphc}, {"hand", c.hand}} {
				b.Run(v.sys, func(b *testing.B) {
					ctx := context.Background()
					sum, err := v.run(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if sum != want {
						b.Fatalf("Sum = %d, want %d", sum, want)
					}
					b.ReportAllocs()
					for b.Loop() {
						if sum, err = v.run(ctx); err != nil {
							b.Fatal(err)
						}
					}
					if sum != want {
						b.Fatalf("Sum = %d, want %d", sum, want)
					}
				})
			}
		})
	}
}
