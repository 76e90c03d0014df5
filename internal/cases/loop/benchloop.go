package loop

import (
	"context"
	goruntime "runtime"
	"testing"

	"github.com/graphc/graphc/runtime"
)

// benchLoop counts up to Limit as fast as it can.
type benchLoop struct{}

func (benchLoop) Count(ctx context.Context, s State) (State, error) { s.Count++; return s, nil }
func (benchLoop) RouteCount(ctx context.Context, s State) (CountRoute, error) {
	if s.Count < s.Limit {
		return CountAgain, nil
	}
	return CountDone, nil
}

// BenchLoop runs the 1000-iteration loop with opts per op and reports
// ns/iteration and allocs/iteration.
func BenchLoop(b *testing.B, opts ...runtime.Option) {
	const n = 1000
	g := NewLoop(benchLoop{}, opts...)
	ctx := context.Background()
	b.ReportAllocs()
	var m0, m1 goruntime.MemStats
	goruntime.ReadMemStats(&m0)
	for b.Loop() {
		if _, err := g.Invoke(ctx, State{Limit: n}); err != nil {
			b.Fatal(err)
		}
	}
	goruntime.ReadMemStats(&m1)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/iter")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N*n), "allocs/iter")
}
