// Package casetest holds the helpers that the behaviour tests of the graphs
// under internal/cases share: an event recorder, a concurrency gauge and
// bounded waits. It is imported by tests only.
package casetest

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// Patience bounds every wait in the tests: a run that has not finished after
// this long is taken to be deadlocked.
const Patience = 5 * time.Second

// Context returns a context that is cancelled when the test ends or after
// Patience, whichever comes first.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), Patience)
	t.Cleanup(cancel)
	return ctx
}

// Await waits for ch to be closed or to deliver a value, and fails the test
// (from the test goroutine only) when that takes longer than Patience.
func Await[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Patience):
		t.Fatalf("timed out after %v waiting for %s", Patience, what)
		panic("unreachable")
	}
}

// Wait waits for ch like Await, from any goroutine (a handler, say): it
// returns false instead of failing when ctx ends or Patience runs out.
func Wait[T any](ctx context.Context, ch <-chan T) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	case <-time.After(Patience):
		return false
	}
}

// Recorder is an observer that keeps every event; it is safe for concurrent use.
type Recorder[S any] struct {
	mu     sync.Mutex
	events []runtime.Event[S]
}

// Observe records e.
func (r *Recorder[S]) Observe(e runtime.Event[S]) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// Option returns the option that makes r observe a run.
func (r *Recorder[S]) Option() runtime.Option { return runtime.WithObserver(r.Observe) }

// Events returns a copy of what r recorded so far.
func (r *Recorder[S]) Events() []runtime.Event[S] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]runtime.Event[S](nil), r.events...)
}

// Drain ranges over seq to its end and returns the events it yielded and the
// error yielded with the last one. It fails t when an event is yielded with
// an error other than its own Err.
func Drain[S any](t testing.TB, seq iter.Seq2[runtime.Event[S], error]) ([]runtime.Event[S], error) {
	t.Helper()
	var (
		events []runtime.Event[S]
		err    error
	)
	for e, yerr := range seq {
		if !sameErr(e.Err, yerr) {
			t.Errorf("event %v yielded with error %v, want its Err %v", e, yerr, e.Err)
		}
		events = append(events, e)
		err = yerr
	}
	return events, err
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return errors.Is(a, b) && errors.Is(b, a)
}

// Strings returns e.String() for each event.
func Strings[S any](events []runtime.Event[S]) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.String()
	}
	return out
}

// Shape is what an event says, without its state and error.
type Shape struct {
	Kind     runtime.EventKind
	Node     string
	In       runtime.Branch
	Fork     uint64
	Parent   uint64
	Branches int
}

// Shapes returns the shape of each event.
func Shapes[S any](events []runtime.Event[S]) []Shape {
	out := make([]Shape, len(events))
	for i, e := range events {
		out[i] = Shape{e.Kind, e.Node, e.In, e.Fork, e.Parent, e.Branches}
	}
	return out
}

// Gauge measures how many calls are in progress at once.
type Gauge struct {
	cur, max atomic.Int64
}

// Enter counts one more call in progress; the returned func ends it.
func (g *Gauge) Enter() (leave func()) {
	n := g.cur.Add(1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			break
		}
	}
	return func() { g.cur.Add(-1) }
}

// Max is the most calls that were ever in progress at once.
func (g *Gauge) Max() int64 { return g.max.Load() }

// Current is the number of calls in progress now.
func (g *Gauge) Current() int64 { return g.cur.Load() }
