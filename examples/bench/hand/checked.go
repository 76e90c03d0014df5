package hand

import (
	"context"
	"errors"
	"fmt"

	"github.com/graphc/graphc/examples/bench/model"
)

// The checked versions below are the honest twins of graphc's chains and
// loops: what a careful programmer writes when the nodes are handlers behind
// an interface and a run must stop on cancellation, on a runaway loop and on
// the first error. Per node they check the context, count the step against a
// bound, call the handler through the interface (a method value of it, for a
// chain), and check its error, wrapping it with the node's name. Chain and
// Loop above, plain loops over func values with none of these checks, are
// the physical floor.

// MaxSteps bounds a checked run; it is graphc's default max_steps.
const MaxSteps = 10000

// ErrStepLimit is the error of a checked run that reached MaxSteps.
var ErrStepLimit = errors.New("step limit reached")

// Step is one node of a chain: its name, for errors, and its handler.
type Step struct {
	Name string
	Run  func(ctx context.Context, s model.State) (model.State, error)
}

// CheckedChain runs steps in order on s and returns the last state. It fails,
// naming the node, when ctx is done before a node, when a node would exceed
// MaxSteps, or when a node's handler fails; the state is then the last one a
// node returned.
func CheckedChain(ctx context.Context, steps []Step, s model.State) (model.State, error) {
	n := 0
	for i := range steps {
		st := &steps[i]
		if err := ctx.Err(); err != nil {
			return s, fmt.Errorf("node %s: %w", st.Name, err)
		}
		if n++; n > MaxSteps {
			return s, fmt.Errorf("node %s: %w", st.Name, ErrStepLimit)
		}
		out, err := st.Run(ctx, s)
		if err != nil {
			return s, fmt.Errorf("node %s: %w", st.Name, err)
		}
		s = out
	}
	return s, nil
}

// Looper is a node that loops on itself: Count is its handler and Again
// its conditional edge (true: run Count again; false: the end).
type Looper interface {
	Count(ctx context.Context, s model.State) (model.State, error)
	Again(ctx context.Context, s model.State) (bool, error)
}

// CheckedLoop runs h's node on s until Again says stop, with the checks of
// CheckedChain around every run of the node and an error check on Again.
func CheckedLoop(ctx context.Context, h Looper, s model.State) (model.State, error) {
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return s, fmt.Errorf("node count: %w", err)
		}
		if n > MaxSteps {
			return s, fmt.Errorf("node count: %w", ErrStepLimit)
		}
		out, err := h.Count(ctx, s)
		if err != nil {
			return s, fmt.Errorf("node count: %w", err)
		}
		s = out
		again, err := h.Again(ctx, s)
		if err != nil {
			return s, fmt.Errorf("node count: routing: %w", err)
		}
		if !again {
			return s, nil
		}
	}
}

// Counter is the Looper of the Loop benchmark: Count adds one to N, Again
// holds while N is below Limit (the bodies of loop1000.Handlers).
type Counter struct{ Limit int }

// Count adds one to N.
func (Counter) Count(_ context.Context, s model.State) (model.State, error) {
	return model.Inc(s), nil
}

// Again reports whether N is still below c.Limit.
func (c Counter) Again(_ context.Context, s model.State) (bool, error) {
	return s.N < c.Limit, nil
}
