package hand

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/graphc/graphc/examples/bench/model"
)

// Of is a node's body on a state of type S.
type Of[S any] func(ctx context.Context, s S) (S, error)

// ForkOf is Fork for any state type: the hand-written twin of the fan-in
// matrix's graphs. Copy makes a branch's own copy of the fork-time state
// (what a careful programmer writes for the type: one that also clones the
// slices and maps the branch will write); nil: an assignment.
type ForkOf[S any] struct {
	Start    Of[S]
	Branches []Of[S]
	Join     func(ctx context.Context, s S, branches []S) (S, error)
	Copy     func(S) S
}

// Run runs the fork on s: Start, then a goroutine per branch on its own
// copy, each writing its own slot under a mutex, a WaitGroup, the first
// error cancelling the others; then Join.
func (f *ForkOf[S]) Run(ctx context.Context, s S) (S, error) {
	s, err := f.Start(ctx, s)
	if err != nil {
		return s, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		results  = make([]S, len(f.Branches))
		firstErr error
	)
	for i, branch := range f.Branches {
		in := s
		if f.Copy != nil {
			in = f.Copy(s)
		}
		wg.Add(1)
		go func(in S) { // in: this branch's copy of the fork-time state
			defer wg.Done()
			out, err := branch(ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("branch %d: %w", i, err)
					cancel()
				}
				return
			}
			results[i] = out
		}(in)
	}
	wg.Wait()
	if firstErr != nil {
		return s, firstErr
	}
	return f.Join(ctx, s, results)
}

// newMatrix builds the fan-in on one shape: start, the given branches
// (branch i adds i, after model.Deep when heavy: the graph's own handler
// methods), and a join adding up the value of each branch.
func newMatrix[S any](branches []Of[S], start func(S) S, value func(S) int, sum func(*S) *int, cp func(S) S) *ForkOf[S] {
	return &ForkOf[S]{
		Start:    func(_ context.Context, s S) (S, error) { return start(s), nil },
		Branches: branches,
		Join: func(_ context.Context, s S, branches []S) (S, error) {
			p := sum(&s)
			for _, b := range branches {
				*p += value(b)
			}
			return s, nil
		},
		Copy: cp,
	}
}

// NewMatrix returns the hand-written fan-in on shape (see model.MatrixSum)
// over branches, a []Of[S] for the shape's state type S (the generated
// package's Branches: the graph's handler methods), as a *ForkOf[S] in an
// any for the matrix benchmark: *ForkOf[model.State], [model.Slice], ...
// It panics when branches are not for the shape's state type.
func NewMatrix(shape string, branches any) any {
	switch shape {
	case "ints":
		return newMatrix(branches.([]Of[model.State]), model.Inc, func(s model.State) int { return s.N },
			func(s *model.State) *int { return &s.Sum }, nil)
	case "slice":
		return newMatrix(branches.([]Of[model.Slice]), model.SliceStart, model.SliceValue,
			func(s *model.Slice) *int { return &s.Sum },
			func(s model.Slice) model.Slice { s.Trail = slices.Clone(s.Trail); return s })
	case "map":
		return newMatrix(branches.([]Of[model.Map]), model.MapStart, model.MapValue,
			func(s *model.Map) *int { return &s.Sum },
			func(s model.Map) model.Map { s.Tags = maps.Clone(s.Tags); return s })
	case "big":
		return newMatrix(branches.([]Of[model.Big]), model.BigStart, model.BigValue,
			func(s *model.Big) *int { return &s.Sum }, nil)
	case "strings":
		return newMatrix(branches.([]Of[model.Strings]), model.StringsStart, model.StringsValue,
			func(s *model.Strings) *int { return &s.Sum }, nil)
	}
	panic("hand: no matrix shape " + shape)
}
