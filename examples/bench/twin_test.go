package bench

import (
	"context"
	"testing"

	"github.com/graphc/graphc/examples/bench/hand"
	"github.com/graphc/graphc/examples/bench/matrix/ints20"
	"github.com/graphc/graphc/examples/bench/model"
)

// BenchmarkMatrixTwin measures why the matrix's hand-written twin runs the
// graph's own handler methods: the same fork of 20 heavy branches
// (hand.ForkOf on ints20's state), its branches either one closure shared
// by all (the twin before: "shared") or the graph's 20 methods, each its own
// code ("distinct", the twin now). A branch goroutine whose stack grows has
// the runtime walk its frames and decode each one's pc tables; the runtime
// caches what it decoded by pc, so 20 branches through one function hit the
// cache and 20 through 20 functions do not.
func BenchmarkMatrixTwin(b *testing.B) {
	shared := make([]hand.Of[model.State], 20)
	for i := range shared {
		shared[i] = func(_ context.Context, s model.State) (model.State, error) { return model.Add(s, model.Deep(i+1)), nil }
	}
	for _, c := range []struct {
		name     string
		branches []hand.Of[model.State]
	}{{"shared", shared}, {"distinct", ints20.Branches(ints20.Heavy{})}} {
		b.Run(c.name, func(b *testing.B) {
			f := hand.NewMatrix("ints", c.branches).(*hand.ForkOf[model.State])
			ctx := context.Background()
			want := model.MatrixSum("ints", 20)
			for b.Loop() {
				s, err := f.Run(ctx, model.State{})
				if err != nil || s.Sum != want {
					b.Fatalf("Sum = %d, err = %v; want %d", s.Sum, err, want)
				}
			}
		})
	}
}
