package nested

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/casetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// handlers visits every node: it appends the node's name to Trail and
// counts it in Seen, on fresh memory. The fan-ins add what each branch
// added, in branch order, then visit. Every call is numbered, so that the
// tests can tell what ran before what, and measured by gauge.
type handlers struct {
	// before, when set, runs at the start of every handler; its error is
	// the handler's.
	before func(ctx context.Context, node string) error
	// hold keeps every node busy for that long, to make branches overlap.
	hold time.Duration

	gauge casetest.Gauge
	seq   atomic.Int64

	mu     sync.Mutex
	calls  map[string][]int64 // each node's call numbers
	joinAs []joinACall
	joins  []joinCall
}

type joinACall struct {
	S  State
	In JoinABranches
}

type joinCall struct {
	S  State
	In JoinBranches
}

var _ NestedHandlers = (*handlers)(nil)

func (h *handlers) enter(ctx context.Context, node string) (leave func(), err error) {
	n := h.seq.Add(1)
	h.mu.Lock()
	if h.calls == nil {
		h.calls = map[string][]int64{}
	}
	h.calls[node] = append(h.calls[node], n)
	h.mu.Unlock()
	leave = h.gauge.Enter()
	if h.hold > 0 {
		time.Sleep(h.hold)
	}
	if h.before != nil {
		if err := h.before(ctx, node); err != nil {
			leave()
			return nil, err
		}
	}
	return leave, nil
}

func (h *handlers) visit(ctx context.Context, node string, s State) (State, error) {
	leave, err := h.enter(ctx, node)
	if err != nil {
		return s, err
	}
	defer leave()
	return visited(s, node), nil
}

func visited(s State, node string) State {
	s.Trail = append(slices.Clip(s.Trail), node)
	s.Seen = maps.Clone(s.Seen)
	if s.Seen == nil {
		s.Seen = map[string]int{}
	}
	s.Seen[node]++
	return s
}

// merged is s with what each of branches added to it.
func merged(s State, branches ...State) State {
	n := len(s.Trail)
	trail := slices.Clone(s.Trail)
	seen := maps.Clone(s.Seen)
	if seen == nil {
		seen = map[string]int{}
	}
	for _, b := range branches {
		trail = append(trail, b.Trail[n:]...)
		for k, v := range b.Seen {
			seen[k] += v - s.Seen[k]
		}
	}
	s.Trail, s.Seen = trail, seen
	return s
}

func (h *handlers) Top(ctx context.Context, s State) (State, error) { return h.visit(ctx, "top", s) }
func (h *handlers) A(ctx context.Context, s State) (State, error)   { return h.visit(ctx, "a", s) }
func (h *handlers) A1(ctx context.Context, s State) (State, error)  { return h.visit(ctx, "a1", s) }
func (h *handlers) A2(ctx context.Context, s State) (State, error)  { return h.visit(ctx, "a2", s) }
func (h *handlers) B(ctx context.Context, s State) (State, error)   { return h.visit(ctx, "b", s) }
func (h *handlers) B2(ctx context.Context, s State) (State, error)  { return h.visit(ctx, "b2", s) }

func (h *handlers) JoinA(ctx context.Context, s State, in JoinABranches) (State, error) {
	h.mu.Lock()
	h.joinAs = append(h.joinAs, joinACall{s, in})
	h.mu.Unlock()
	return h.visit(ctx, "join_a", merged(s, in.A1, in.A2))
}

func (h *handlers) Join(ctx context.Context, s State, in JoinBranches) (State, error) {
	h.mu.Lock()
	h.joins = append(h.joins, joinCall{s, in})
	h.mu.Unlock()
	return h.visit(ctx, "join", merged(s, in.A, in.B))
}

// called returns each node's call numbers.
func (h *handlers) called() map[string][]int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := make(map[string][]int64, len(h.calls))
	for k, v := range h.calls {
		m[k] = slices.Clone(v)
	}
	return m
}

// counts returns how often each node ran.
func (h *handlers) counts() map[string]int {
	m := map[string]int{}
	for k, v := range h.called() {
		m[k] = len(v)
	}
	return m
}
