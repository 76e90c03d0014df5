package bench

import (
	"context"
	"testing"

	"github.com/graphc/graphc/examples/bench/map1000"
)

// BenchmarkMap1000 maps a trivial node over 1000 items: graphc's map edge
// (one goroutine per item, each on a deep copy, results in input order)
// against the same work by hand (goroutines, a WaitGroup, a results slice).
// The state is built once, untimed; each run copies what it changes.
func BenchmarkMap1000(b *testing.B) {
	const n = 1000
	g := map1000.NewMap1000(map1000.Handlers{})
	for _, c := range []struct {
		system string
		run    func(context.Context, map1000.State) (map1000.State, error)
	}{
		{"graphc", func(ctx context.Context, s map1000.State) (map1000.State, error) { return g.Invoke(ctx, s) }},
		{"hand", map1000.ByHand},
	} {
		b.Run(c.system, func(b *testing.B) {
			ctx := context.Background()
			s := map1000.NewState(n)
			check := func(out map1000.State, err error) {
				if err != nil || out.Sum != map1000.WantSum(n) {
					b.Fatalf("Sum = %d, %v; want %d", out.Sum, err, map1000.WantSum(n))
				}
			}
			check(c.run(ctx, s))
			b.ReportAllocs()
			var out map1000.State
			var err error
			for b.Loop() {
				out, err = c.run(ctx, s)
			}
			check(out, err)
		})
	}
}
