// Package bench compares graphc's generated executors with the same graphs
// written by hand (package hand) and built with Eino (package einograph), in
// one test binary. Each graph is a benchmark with three sub-benchmarks,
// graphc, hand and eino (chains and loops add bare, the unchecked floor:
// see package hand); `make bench` runs them and tabulates the medians
// together with the LangGraph.js peer (langgraph/bench.mjs).
//
// The nodes are trivial (N++, N += i, Sum of the branches), so the numbers
// are the executors' own overhead per run. Every benchmark checks the result
// of a run before timing and of the last timed run after it.
package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/graphc/graphc/examples/bench/chain10"
	"github.com/graphc/graphc/examples/bench/chain1000"
	"github.com/graphc/graphc/examples/bench/einograph"
	"github.com/graphc/graphc/examples/bench/fan100"
	"github.com/graphc/graphc/examples/bench/fan1000"
	"github.com/graphc/graphc/examples/bench/fan20"
	"github.com/graphc/graphc/examples/bench/hand"
	"github.com/graphc/graphc/examples/bench/loop1000"
	"github.com/graphc/graphc/examples/bench/model"
	"github.com/graphc/graphc/examples/bench/nested4x4"
	"github.com/graphc/graphc/runtime"
)

// invoke runs a graph on s.
type invoke func(ctx context.Context, s model.State) (model.State, error)

// check says what is wrong with a run's final state, if anything.
type check func(s model.State) error

func wantN(n int) check {
	return func(s model.State) error {
		if s.N != n {
			return fmt.Errorf("N = %d, want %d", s.N, n)
		}
		return nil
	}
}

func wantSum(sum int) check {
	return func(s model.State) error {
		if s.Sum != sum {
			return fmt.Errorf("Sum = %d, want %d (a branch was lost or counted twice)", s.Sum, sum)
		}
		return nil
	}
}

// impl is one system's version of a graph; build prepares it (untimed).
type impl struct {
	system string
	build  func(ctx context.Context) (invoke, error)
}

// graph is a benchmark graph, what a run must end with, and its versions.
type graph struct {
	ok    check
	impls []impl
}

// graphcImpl adapts a generated executor.
func graphcImpl(g interface {
	Invoke(context.Context, model.State, ...runtime.Option) (model.State, error)
}) impl {
	return impl{"graphc", func(context.Context) (invoke, error) {
		return func(ctx context.Context, s model.State) (model.State, error) { return g.Invoke(ctx, s) }, nil
	}}
}

func handImpl(f invoke) impl {
	return impl{"hand", func(context.Context) (invoke, error) { return f, nil }}
}

// bareImpl is a hand-written version without the checks of hand: the floor.
func bareImpl(f invoke) impl {
	return impl{"bare", func(context.Context) (invoke, error) { return f, nil }}
}

// einoImpl compiles an Eino graph (untimed) and invokes the Runnable.
func einoImpl(compile func(context.Context) (einograph.Runnable, error)) impl {
	return impl{"eino", func(ctx context.Context) (invoke, error) {
		r, err := compile(ctx)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, s model.State) (model.State, error) { return r.Invoke(ctx, s) }, nil
	}}
}

func fanIn(w int, g interface {
	Invoke(context.Context, model.State, ...runtime.Option) (model.State, error)
}) graph {
	return graph{wantSum(model.FanInSum(w)), []impl{
		graphcImpl(g),
		handImpl(hand.NewFanIn(w).Run),
		einoImpl(func(ctx context.Context) (einograph.Runnable, error) { return einograph.FanIn(ctx, w) }),
	}}
}

// chain is a chain of n nodes: graphc's g; hand, its honest twin, calling
// the same handlers through the same interface (steps) with the checks a
// careful programmer writes; bare, a loop over func values with no checks
// (the floor); eino.
func chain(n int, g interface {
	Invoke(context.Context, model.State, ...runtime.Option) (model.State, error)
}, steps []hand.Step) graph {
	nodes := hand.NewChain(n)
	return graph{wantN(n), []impl{
		graphcImpl(g),
		handImpl(func(ctx context.Context, s model.State) (model.State, error) { return hand.CheckedChain(ctx, steps, s) }),
		bareImpl(func(ctx context.Context, s model.State) (model.State, error) { return hand.Chain(ctx, nodes, s) }),
		einoImpl(func(ctx context.Context) (einograph.Runnable, error) { return einograph.Chain(ctx, n) }),
	}}
}

// graphs are the benchmark graphs by benchmark name.
var graphs = map[string]graph{
	"FanIn20":   fanIn(20, fan20.NewFan20(fan20.Handlers{})),
	"FanIn100":  fanIn(100, fan100.NewFan100(fan100.Handlers{})),
	"FanIn1000": fanIn(1000, fan1000.NewFan1000(fan1000.Handlers{})),
	"Chain10":   chain(10, chain10.NewChain10(chain10.Handlers{}), chain10.Steps(chain10.Handlers{})),
	"Chain1000": chain(1000, chain1000.NewChain1000(chain1000.Handlers{}), chain1000.Steps(chain1000.Handlers{})),
	"Loop1000": {wantN(1000), []impl{
		graphcImpl(loop1000.NewLoop1000(loop1000.Handlers{})),
		handImpl(func(ctx context.Context, s model.State) (model.State, error) {
			return hand.CheckedLoop(ctx, hand.Counter{Limit: 1000}, s)
		}),
		bareImpl(hand.NewLoop(1000).Run),
		einoImpl(func(ctx context.Context) (einograph.Runnable, error) { return einograph.Loop(ctx, 1000) }),
	}},
	"Nested4x4": {wantSum(model.Nested4x4Sum()), []impl{
		graphcImpl(nested4x4.NewNested4x4(nested4x4.Handlers{})),
		handImpl(hand.NewNested4x4().Run),
		einoImpl(einograph.Nested4x4),
	}},
}

// TestGraphs runs every version of every graph once and checks its result,
// so that plain `go test` catches a broken version without benchmarking.
func TestGraphs(t *testing.T) {
	ctx := context.Background()
	for name, g := range graphs {
		for _, im := range g.impls {
			t.Run(name+"/"+im.system, func(t *testing.T) {
				f, err := im.build(ctx)
				if err != nil {
					t.Fatal(err)
				}
				out, err := f(ctx, model.State{})
				if err != nil {
					t.Fatal(err)
				}
				if err := g.ok(out); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// bench runs the sub-benchmarks graphc, hand and eino of graph name: each
// builds its version (untimed), checks the result of one run, times runs
// from the zero state with b.Loop, and checks the last run's result.
func bench(b *testing.B, name string) {
	g := graphs[name]
	for _, im := range g.impls {
		b.Run(im.system, func(b *testing.B) {
			ctx := context.Background()
			f, err := im.build(ctx)
			if err != nil {
				b.Fatal(err)
			}
			out, err := f(ctx, model.State{})
			if err != nil {
				b.Fatal(err)
			}
			if err := g.ok(out); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if out, err = f(ctx, model.State{}); err != nil {
					b.Fatal(err)
				}
			}
			if err := g.ok(out); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func BenchmarkFanIn20(b *testing.B)   { bench(b, "FanIn20") }
func BenchmarkFanIn100(b *testing.B)  { bench(b, "FanIn100") }
func BenchmarkFanIn1000(b *testing.B) { bench(b, "FanIn1000") }
func BenchmarkChain10(b *testing.B)   { bench(b, "Chain10") }
func BenchmarkChain1000(b *testing.B) { bench(b, "Chain1000") }
func BenchmarkLoop1000(b *testing.B)  { bench(b, "Loop1000") }
func BenchmarkNested4x4(b *testing.B) { bench(b, "Nested4x4") }
