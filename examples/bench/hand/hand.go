// Package hand is the benchmark's baseline: the benchmark graphs written by
// hand, the way a careful Go programmer would without a graph library.
//
// Nodes are func values, called through the slice or struct that holds them,
// so that the compiler cannot inline the graph away and the comparison with
// graphc (which calls nodes through the handler interface) stays fair. A fork
// starts one goroutine per branch, each on its own copy of the fork-time state
// (model.State is flat: a copy is an assignment), each writing its result into
// its own slot of a slice under a mutex, and waits with a sync.WaitGroup; the
// first branch error cancels the others' context, like graphc's default
// on_branch_error: cancel.
package hand

import (
	"context"
	"fmt"

	"github.com/graphc/graphc/examples/bench/model"
)

// Node is a node's body.
type Node = Of[model.State]

// Chain runs nodes one after the other.
func Chain(ctx context.Context, nodes []Node, s model.State) (model.State, error) {
	for i, n := range nodes {
		var err error
		if s, err = n(ctx, s); err != nil {
			return s, fmt.Errorf("node %d: %w", i, err)
		}
	}
	return s, nil
}

// Loop is a node that loops on itself while Again says so.
type Loop struct {
	Body  Node
	Again func(s model.State) bool
}

// Run runs Body until Again says stop.
func (l *Loop) Run(ctx context.Context, s model.State) (model.State, error) {
	for {
		var err error
		if s, err = l.Body(ctx, s); err != nil {
			return s, err
		}
		if !l.Again(s) {
			return s, nil
		}
	}
}

// NewLoop returns the loop that adds one to N until it is n.
func NewLoop(n int) *Loop {
	return &Loop{Body: Inc, Again: func(s model.State) bool { return s.N < n }}
}

// Fork is a parallel edge with its fan-in on model.State: Start runs, then
// every branch on its own copy of Start's state (an assignment: the state
// is flat), then Join with Start's state and every branch's final state in
// branch order. Its Run has the signature of a Node, so forks nest.
type Fork = ForkOf[model.State]

// Inc is model.Inc as a Node.
func Inc(_ context.Context, s model.State) (model.State, error) { return model.Inc(s), nil }

// Adder returns model.Add(·, i) as a Node.
func Adder(i int) Node {
	return func(_ context.Context, s model.State) (model.State, error) { return model.Add(s, i), nil }
}

// SumN is a Join that adds up the N of every branch.
func SumN(_ context.Context, s model.State, branches []model.State) (model.State, error) {
	for _, b := range branches {
		s.Sum += b.N
	}
	return s, nil
}

// SumSum is a Join that adds up the Sum of every branch.
func SumSum(_ context.Context, s model.State, branches []model.State) (model.State, error) {
	for _, b := range branches {
		s.Sum += b.Sum
	}
	return s, nil
}

// NewFanIn returns the fan-in of w: start (N++), branches 1..w (N += i), join (Sum of N).
func NewFanIn(w int) *Fork {
	f := &Fork{Start: Inc, Join: SumN}
	for i := range w {
		f.Branches = append(f.Branches, Adder(i+1))
	}
	return f
}

// NewChain returns n nodes that each add one to N.
func NewChain(n int) []Node {
	nodes := make([]Node, n)
	for i := range nodes {
		nodes[i] = Inc
	}
	return nodes
}

// NewNested4x4 returns the nested fork: start forks to a1..a4 (N += k), each
// of which forks to four (N += j) whose join adds up their N; the outer join
// adds up the inner joins' Sum.
func NewNested4x4() *Fork {
	outer := &Fork{Start: Inc, Join: SumSum}
	for k := 1; k <= 4; k++ {
		inner := &Fork{Start: Adder(k), Join: SumN}
		for j := 1; j <= 4; j++ {
			inner.Branches = append(inner.Branches, Adder(j))
		}
		outer.Branches = append(outer.Branches, inner.Run)
	}
	return outer
}
