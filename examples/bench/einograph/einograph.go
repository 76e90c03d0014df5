// Package einograph builds the benchmark graphs with Eino's compose package
// (github.com/cloudwego/eino), the Go peer the benchmark compares graphc with.
//
// Every node is a compose.InvokableLambda over model.State running the same
// body as graphc's handlers and the hand-written version.
//
// Fan-in. Eino has no typed join: when several predecessors feed one node,
// it merges their outputs with the merge function registered for the output
// type. Map outputs have a built-in merge (the union of the keys), so the
// idiomatic way to fan in struct outputs is to give each branch node its own
// output key (compose.WithOutputKey("w1") makes its output
// map[string]any{"w1": state}) and to let the fan-in node take the merged
// map[string]any — that keeps each branch's state apart, like graphc's
// <FanIn>Branches struct, at the price of an interface conversion per branch
// and a type assertion in the join. (The alternative,
// compose.RegisterValuesMergeFunc(func([]model.State) (model.State, error)),
// registers one process-wide merge for the type and hands it the states
// without saying which branch each came from, so the join's logic moves into
// a global function; we do not use it.) The fan-in node waits for all its
// predecessors because the graph is compiled with
// compose.WithNodeTriggerMode(compose.AllPredecessor), which also makes Eino
// run the graph as a DAG, eagerly.
//
// Unlike graphc's fan-in handler, the Eino join does not see the fork-time
// state (that would need an extra edge from the forking node, whose output
// then has to be keyed too and unwrapped by every branch with WithInputKey);
// the benchmark's joins do not need it, so the Eino graphs leave it out and
// do less work than the other two. The checks therefore compare Sum only.
//
// Loops. A DAG (AllPredecessor) graph cannot have a cycle, so the loop is
// compiled in Eino's default AnyPredecessor (Pregel) mode, with a
// compose.NewGraphBranch that routes back to the node or to compose.END, and
// compose.WithMaxRunSteps raised above the iteration count (the default limit
// is the number of nodes + 10). Chains use that mode too, where Eino runs
// them faster (see Chain); only the graphs with a fan-in need AllPredecessor.
//
// Eino expresses every benchmark graph, so none is skipped. Compiling is not
// timed; it takes about 55 ms for the 1000-node chain and 100 ms for the
// 1000-branch fan-in on the 2-core benchmark machine.
package einograph

import (
	"context"
	"fmt"

	"github.com/cloudwego/eino/compose"

	"github.com/graphc/graphc/examples/bench/model"
)

// Runnable is a compiled benchmark graph.
type Runnable = compose.Runnable[model.State, model.State]

func inc() *compose.Lambda {
	return compose.InvokableLambda(func(_ context.Context, s model.State) (model.State, error) {
		return model.Inc(s), nil
	})
}

func adder(i int) *compose.Lambda {
	return compose.InvokableLambda(func(_ context.Context, s model.State) (model.State, error) {
		return model.Add(s, i), nil
	})
}

// sumN is a join over keyed branch outputs that adds up their N.
func sumN() *compose.Lambda {
	return compose.InvokableLambda(func(_ context.Context, in map[string]any) (model.State, error) {
		var s model.State
		for k, v := range in {
			b, ok := v.(model.State)
			if !ok {
				return s, fmt.Errorf("join: branch %s delivered %T", k, v)
			}
			s.Sum += b.N
		}
		return s, nil
	})
}

// sumSum is a join over keyed branch outputs that adds up their Sum.
func sumSum() *compose.Lambda {
	return compose.InvokableLambda(func(_ context.Context, in map[string]any) (model.State, error) {
		var s model.State
		for k, v := range in {
			b, ok := v.(model.State)
			if !ok {
				return s, fmt.Errorf("join: branch %s delivered %T", k, v)
			}
			s.Sum += b.Sum
		}
		return s, nil
	})
}

// builder records the first error of a sequence of graph edits.
type builder struct {
	g   *compose.Graph[model.State, model.State]
	err error
}

func newBuilder() *builder { return &builder{g: compose.NewGraph[model.State, model.State]()} }

func (b *builder) node(key string, l *compose.Lambda, opts ...compose.GraphAddNodeOpt) {
	if b.err == nil {
		b.err = b.g.AddLambdaNode(key, l, opts...)
	}
}

func (b *builder) edge(from, to string) {
	if b.err == nil {
		b.err = b.g.AddEdge(from, to)
	}
}

func (b *builder) compile(ctx context.Context, opts ...compose.GraphCompileOption) (Runnable, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.g.Compile(ctx, opts...)
}

// FanIn compiles fork -> [w1..ww] -> join -> END (Eino reserves the node
// key "start" for compose.START, so the forking node is called "fork").
func FanIn(ctx context.Context, w int) (Runnable, error) {
	b := newBuilder()
	b.node("fork", inc())
	b.node("join", sumN())
	b.edge(compose.START, "fork")
	for i := 1; i <= w; i++ {
		key := fmt.Sprintf("w%d", i)
		b.node(key, adder(i), compose.WithOutputKey(key))
		b.edge("fork", key)
		b.edge(key, "join")
	}
	b.edge("join", compose.END)
	return b.compile(ctx, compose.WithNodeTriggerMode(compose.AllPredecessor))
}

// Chain compiles n1 -> n2 -> ... -> nn. A chain needs no fan-in, so it is
// compiled in Eino's default AnyPredecessor (Pregel) mode, which runs chains
// 1.6x (10 nodes) to 4x (1000 nodes) faster than AllPredecessor here; both
// grow faster than linearly with the number of nodes.
func Chain(ctx context.Context, n int) (Runnable, error) {
	b := newBuilder()
	prev := compose.START
	for i := 1; i <= n; i++ {
		key := fmt.Sprintf("n%d", i)
		b.node(key, inc())
		b.edge(prev, key)
		prev = key
	}
	b.edge(prev, compose.END)
	return b.compile(ctx)
}

// Loop compiles one node that adds one to N and loops on itself, through a
// branch, until N is n.
func Loop(ctx context.Context, n int) (Runnable, error) {
	b := newBuilder()
	b.node("count", inc())
	b.edge(compose.START, "count")
	if b.err == nil {
		b.err = b.g.AddBranch("count", compose.NewGraphBranch(
			func(_ context.Context, s model.State) (string, error) {
				if s.N < n {
					return "count", nil
				}
				return compose.END, nil
			},
			map[string]bool{"count": true, compose.END: true}))
	}
	return b.compile(ctx, compose.WithMaxRunSteps(2*n+10))
}

// Nested4x4 compiles fork -> [a1..a4], each ak -> [ak_1..ak_4] -> ak_join,
// and [a1_join..a4_join] -> join -> END.
func Nested4x4(ctx context.Context) (Runnable, error) {
	b := newBuilder()
	b.node("fork", inc())
	b.node("join", sumSum())
	b.edge(compose.START, "fork")
	for k := 1; k <= 4; k++ {
		a := fmt.Sprintf("a%d", k)
		b.node(a, adder(k))
		b.node(a+"_join", sumN(), compose.WithOutputKey(a))
		b.edge("fork", a)
		for j := 1; j <= 4; j++ {
			key := fmt.Sprintf("%s_%d", a, j)
			b.node(key, adder(j), compose.WithOutputKey(key))
			b.edge(a, key)
			b.edge(key, a+"_join")
		}
		b.edge(a+"_join", "join")
	}
	b.edge("join", compose.END)
	return b.compile(ctx, compose.WithNodeTriggerMode(compose.AllPredecessor))
}
