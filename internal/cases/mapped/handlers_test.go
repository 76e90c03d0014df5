package mapped

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// handlers are deterministic handlers for the tests: each item of "plan"
// loops through summarize and check 1 + ID%3 times (the per-item retry
// loop); the tasks of "prepare" are 1..len(Done), squared; route selects
// the branches named by the letters of State.Picked (w, p, b; x is a bit
// outside the set).
type handlers struct {
	panicOn   int           // summarize panics on the doc with this ID (0: never)
	failOn    int           // summarize fails on the doc with this ID (0: never)
	blockOn   int           // summarize waits for its context on the doc with this ID (0: never)
	delay     time.Duration // how long each summarize pass takes
	tasks     func(s State) []Task
	itemsCall atomic.Int32 // calls of ItemsPrepare
	summaries atomic.Int32 // calls of Summarize
}

var errItem = errors.New("item failed")

func (h *handlers) Plan(ctx context.Context, s State) (State, error) { return s, nil }

func (h *handlers) Summarize(ctx context.Context, d Doc) (Doc, error) {
	h.summaries.Add(1)
	switch d.ID {
	case h.panicOn:
		panic(fmt.Sprintf("doc %d", d.ID))
	case h.failOn:
		return d, errItem
	case h.blockOn:
		<-ctx.Done()
		return d, ctx.Err()
	}
	if h.delay > 0 {
		time.Sleep(h.delay)
	}
	d.Tries++
	d.Tags = append(d.Tags, "seen") // on its own copy: the caller's Docs never see it
	d.Summary = fmt.Sprintf("%d:%s×%d", d.ID, strings.ToUpper(d.Text), d.Tries)
	return d, nil
}

func (h *handlers) Check(ctx context.Context, d Doc) (Doc, error) { return d, nil }

func (h *handlers) RouteCheck(ctx context.Context, d Doc) (CheckRoute, error) {
	if d.Tries < 1+d.ID%3 {
		return CheckAgain, nil
	}
	return CheckOk, nil
}

func (h *handlers) Combine(ctx context.Context, s State, in CombineItems) (State, error) {
	if len(in.Docs) != len(s.Docs) {
		return s, fmt.Errorf("combine: %d results for %d docs", len(in.Docs), len(s.Docs))
	}
	for _, d := range in.Docs {
		s.Done = append(s.Done, d.Summary)
	}
	return s, nil
}

func (h *handlers) Prepare(ctx context.Context, s State) (State, error) { return s, nil }

func (h *handlers) ItemsPrepare(ctx context.Context, s State) ([]Task, error) {
	h.itemsCall.Add(1)
	if h.tasks != nil {
		return h.tasks(s), nil
	}
	var out []Task
	for i := range s.Done {
		out = append(out, Task{N: i + 1, Seen: map[string]int{}})
	}
	return out, nil
}

func (h *handlers) Square(ctx context.Context, d Task) (Task, error) {
	d.N *= d.N
	if d.Seen == nil {
		d.Seen = map[string]int{}
	}
	d.Seen["square"]++ // on its own copy: ItemsPrepare's map is never written
	return d, nil
}

func (h *handlers) Total(ctx context.Context, s State, in TotalItems) (State, error) {
	for _, t := range in.Items {
		if t.Seen["square"] != 1 {
			return s, fmt.Errorf("total: task %d squared %d times", t.N, t.Seen["square"])
		}
		s.Total += t.N
	}
	return s, nil
}

func (h *handlers) Route(ctx context.Context, s State) (State, error) { return s, nil }

func (h *handlers) SelectRoute(ctx context.Context, s State) (RouteSet, error) {
	var set RouteSet
	for _, c := range s.Picked {
		switch c {
		case 'w':
			set |= RouteSetWeb
		case 'p':
			set |= RouteSetPapers
		case 'b':
			set |= RouteSetBooks
		case 'x':
			set |= 1 << 5
		}
	}
	return set, nil
}

func (h *handlers) Web(ctx context.Context, s State) (State, error) {
	s.Seen = append(s.Seen, "web")
	return s, nil
}

func (h *handlers) Papers(ctx context.Context, s State) (State, error) {
	s.Seen = append(s.Seen, "papers")
	return s, nil
}

func (h *handlers) Books(ctx context.Context, s State) (State, error) {
	s.Seen = append(s.Seen, "books")
	return s, nil
}

// Merge keeps, in branch order, what the branches that ran added; a branch
// that did not run must hold the zero State.
func (h *handlers) Merge(ctx context.Context, s State, in MergeBranches) (State, error) {
	ran := in.Ran()
	var seen []string
	for _, b := range []struct {
		bit RouteSet
		s   State
	}{{RouteSetWeb, in.Web}, {RouteSetPapers, in.Papers}, {RouteSetBooks, in.Books}} {
		switch {
		case ran.Has(b.bit):
			seen = append(seen, b.s.Seen[len(b.s.Seen)-1])
		case b.s.Seen != nil || b.s.Docs != nil:
			return s, fmt.Errorf("merge: branch %b did not run but holds %+v", b.bit, b.s)
		}
	}
	s.Seen = seen
	return s, nil
}
