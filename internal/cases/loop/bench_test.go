package loop

import (
	"context"
	"testing"
)

type benchLoop struct{}

func (benchLoop) Count(ctx context.Context, s State) (State, error) { s.Count++; return s, nil }
func (benchLoop) RouteCount(ctx context.Context, s State) (CountRoute, error) {
	if s.Count < s.Limit {
		return CountAgain, nil
	}
	return CountDone, nil
}

// BenchmarkLoop1000 runs a conditional loop of 1000 iterations per op.
func BenchmarkLoop1000(b *testing.B) {
	g := NewLoop(benchLoop{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := g.Invoke(ctx, State{Limit: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}
