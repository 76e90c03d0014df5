// Package map1000 is the Map1000 benchmark graph: a map edge over 1000
// items, each doubled by its own run of node work, summed at fan-in sum;
// and the same work written by hand with goroutines, a WaitGroup and a
// results slice (ByHand).
package map1000

//go:generate go tool graphc generate map1000.graph.yaml

import (
	"context"
	"sync"
)

// Item is one item of the map; Tags makes its deep copy allocate, as a
// real item with a slice would.
type Item struct {
	V    int
	Tags []string
}

// State holds the items and their sum.
type State struct {
	Items []Item
	Sum   int
}

// NewState returns a state of n items 0..n-1.
func NewState(n int) State {
	s := State{Items: make([]Item, n)}
	for i := range s.Items {
		s.Items[i] = Item{V: i, Tags: []string{"in"}}
	}
	return s
}

// WantSum is the Sum a run over NewState(n) ends with.
func WantSum(n int) int { return n*(n-1) + n } // Σ (2i+1)

// Handlers implements Map1000Handlers.
type Handlers struct{}

var _ Map1000Handlers = Handlers{}

func (Handlers) Start(_ context.Context, s State) (State, error) { return s, nil }

// Work is the per-item node.
func (Handlers) Work(_ context.Context, d Item) (Item, error) { return work(d), nil }

func (Handlers) Sum(_ context.Context, s State, in SumItems) (State, error) {
	return sum(s, in.Items), nil
}

func work(d Item) Item {
	d.V = 2*d.V + 1
	return d
}

func sum(s State, items []Item) State {
	for _, d := range items {
		s.Sum += d.V
	}
	return s
}

// ByHand does what the graph does, by hand: one goroutine per item, each
// on its own copy of its item (the Tags slice cloned), the results in a
// slice by index, a WaitGroup to wait for them, the first error kept.
func ByHand(ctx context.Context, s State) (State, error) {
	results := make([]Item, len(s.Items))
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i, it := range s.Items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ctx.Err(); err != nil {
				once.Do(func() { first = err })
				return
			}
			d := it
			d.Tags = append([]string(nil), it.Tags...)
			results[i] = work(d)
		}()
	}
	wg.Wait()
	if first != nil {
		return s, first
	}
	return sum(s, results), nil
}
