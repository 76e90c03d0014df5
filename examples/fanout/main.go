package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// State is what flows through the graph. Each worker records its own number
// in Result; aggregate gathers them into Results.
type State struct {
	Job     string
	Result  int
	Results []int
}

// handlers implements FanoutHandlers. Every worker node does the same job,
// so they share one method.
type handlers struct{}

var _ FanoutHandlers = handlers{}

func (handlers) Start(ctx context.Context, s State) (State, error) {
	s.Job = "square the worker number"
	return s, nil
}

// delay is the longest a worker waits; its wait is random, from 10 ms up.
var delay = 50 * time.Millisecond

// work squares n after a random delay, honouring cancellation.
func work(ctx context.Context, s State, n int) (State, error) {
	select {
	case <-time.After(time.Duration(10+rand.IntN(int(delay/time.Millisecond)-9)) * time.Millisecond):
	case <-ctx.Done():
		return s, ctx.Err()
	}
	s.Result = n * n
	return s, nil
}

func (handlers) W01(ctx context.Context, s State) (State, error) { return work(ctx, s, 1) }
func (handlers) W02(ctx context.Context, s State) (State, error) { return work(ctx, s, 2) }
func (handlers) W03(ctx context.Context, s State) (State, error) { return work(ctx, s, 3) }
func (handlers) W04(ctx context.Context, s State) (State, error) { return work(ctx, s, 4) }
func (handlers) W05(ctx context.Context, s State) (State, error) { return work(ctx, s, 5) }
func (handlers) W06(ctx context.Context, s State) (State, error) { return work(ctx, s, 6) }
func (handlers) W07(ctx context.Context, s State) (State, error) { return work(ctx, s, 7) }
func (handlers) W08(ctx context.Context, s State) (State, error) { return work(ctx, s, 8) }
func (handlers) W09(ctx context.Context, s State) (State, error) { return work(ctx, s, 9) }
func (handlers) W10(ctx context.Context, s State) (State, error) { return work(ctx, s, 10) }
func (handlers) W11(ctx context.Context, s State) (State, error) { return work(ctx, s, 11) }
func (handlers) W12(ctx context.Context, s State) (State, error) { return work(ctx, s, 12) }
func (handlers) W13(ctx context.Context, s State) (State, error) { return work(ctx, s, 13) }
func (handlers) W14(ctx context.Context, s State) (State, error) { return work(ctx, s, 14) }
func (handlers) W15(ctx context.Context, s State) (State, error) { return work(ctx, s, 15) }
func (handlers) W16(ctx context.Context, s State) (State, error) { return work(ctx, s, 16) }
func (handlers) W17(ctx context.Context, s State) (State, error) { return work(ctx, s, 17) }
func (handlers) W18(ctx context.Context, s State) (State, error) { return work(ctx, s, 18) }
func (handlers) W19(ctx context.Context, s State) (State, error) { return work(ctx, s, 19) }
func (handlers) W20(ctx context.Context, s State) (State, error) { return work(ctx, s, 20) }

// Aggregate sees every branch's final state through the typed
// AggregateBranches struct; All walks them in spec order.
func (handlers) Aggregate(ctx context.Context, s State, in AggregateBranches) (State, error) {
	for _, b := range in.All() {
		s.Results = append(s.Results, b.Result)
	}
	return s, nil
}

func main() {
	g := NewFanout(handlers{})
	start := time.Now()
	for run := 1; run <= 10; run++ {
		s, err := g.Invoke(context.Background(), State{})
		if err != nil {
			log.Fatal(err)
		}
		if len(s.Results) != 20 || !slices.IsSorted(s.Results) || s.Results[19] != 400 {
			log.Fatalf("run %d lost results: %v", run, s.Results)
		}
		fmt.Printf("run %2d: %d results collected: %s\n", run, len(s.Results), short(s.Results))
	}
	fmt.Printf("10 runs of 20 parallel workers in %v, no result lost\n", time.Since(start).Round(time.Millisecond))
}

func short(r []int) string {
	var b strings.Builder
	for i, v := range r {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, v)
	}
	return b.String()
}
