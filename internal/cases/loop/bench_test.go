package loop

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/graphc/graphc/runtime"
)

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

// BenchmarkTransition runs the loop (one node and one route call per
// iteration) with each kind of observability, and reports the cost per
// iteration: go test -run '^$' -bench Transition -benchmem ./internal/cases/loop
// (the tracer's is in the otel module: cd otel && go test -run '^$' -bench . ).
func BenchmarkTransition(b *testing.B) {
	hook := func(ctx context.Context, s runtime.Scope) (context.Context, func(runtime.Report)) {
		return ctx, func(runtime.Report) {}
	}
	for _, c := range []struct {
		name string
		opts []runtime.Option
	}{
		{"none", nil},
		{"logger-warn", []runtime.Option{runtime.WithLogger(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})))}},
		{"logger-info", []runtime.Option{runtime.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}},
		{"hook", []runtime.Option{runtime.WithNodeHook(hook)}},
	} {
		b.Run(c.name, func(b *testing.B) { BenchLoop(b, c.opts...) })
	}
}
