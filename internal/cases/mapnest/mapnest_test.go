package mapnest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type handlers struct{}

func (handlers) Top(ctx context.Context, s State) (State, error)   { return s, nil }
func (handlers) Left(ctx context.Context, s State) (State, error)  { return s, nil }
func (handlers) Right(ctx context.Context, s State) (State, error) { return s, nil }
func (handlers) Double(ctx context.Context, d Num) (Num, error)    { d.V *= 2; return d, nil }
func (handlers) Square(ctx context.Context, d Num) (Num, error)    { d.V *= d.V; return d, nil }

func (handlers) LeftJoin(ctx context.Context, s State, in LeftJoinItems) (State, error) {
	for _, d := range in.Nums {
		s.Doubled = append(s.Doubled, d.V)
	}
	return s, nil
}

func (handlers) RightJoin(ctx context.Context, s State, in RightJoinItems) (State, error) {
	for _, d := range in.Nums {
		s.Squared = append(s.Squared, d.V)
	}
	return s, nil
}

func (handlers) Join(ctx context.Context, s State, in JoinBranches) (State, error) {
	s.Doubled, s.Squared = in.Left.Doubled, in.Right.Squared
	return s, nil
}

// TestNestedLimits: under every worker limit, including one, the maps
// inside the branches finish (the forking goroutine runs what no token
// is free for) and deliver in input order.
func TestNestedLimits(t *testing.T) {
	var in State
	var doubled, squared []int
	for i := range 50 {
		in.Nums = append(in.Nums, Num{V: i})
		doubled, squared = append(doubled, 2*i), append(squared, i*i)
	}
	for _, workers := range []int{1, 2, 3, 0} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for range 20 {
				got, err := NewMapNest(handlers{}).Invoke(ctx, in, runtime.WithMaxWorkers(workers))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Doubled, doubled) || !slices.Equal(got.Squared, squared) {
					t.Fatalf("got %v and %v", got.Doubled, got.Squared)
				}
			}
		})
	}
}
