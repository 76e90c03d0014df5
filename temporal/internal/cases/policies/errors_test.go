package policies

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/temporal/temporaltest"
)

// failing are handlers that fail as a scenario says and count their calls.
type failing struct {
	fail func(node string, call int) error // nil: the call succeeds; panics to panic
	mu   sync.Mutex
	n    map[string]int
}

func (h *failing) call(node string, s State) (State, error) {
	h.mu.Lock()
	h.n[node]++
	call := h.n[node]
	h.mu.Unlock()
	if err := h.fail(node, call); err != nil {
		return s, err
	}
	s.Log = append(s.Log, node)
	return s, nil
}

// calls is a copy of the counts: a sibling's activity cancelled by a failed
// branch may still be running when the workflow has returned.
func (h *failing) calls() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.n)
}

func (h *failing) Start(ctx context.Context, s State) (State, error) { return h.call("start", s) }
func (h *failing) Fetch(ctx context.Context, s State) (State, error) { return h.call("fetch", s) }
func (h *failing) Left(ctx context.Context, s State) (State, error)  { return h.call("left", s) }
func (h *failing) Right(ctx context.Context, s State) (State, error) { return h.call("right", s) }
func (h *failing) Join(ctx context.Context, s State, in JoinBranches) (State, error) {
	forked := len(s.Log)
	s.Log = append(s.Log, in.Left.Log[forked:]...)
	s.Log = append(s.Log, in.Right.Log[forked:]...)
	return h.call("join", s)
}
func (h *failing) Decide(ctx context.Context, s State) (State, error) { return h.call("decide", s) }
func (h *failing) RouteDecide(ctx context.Context, s State) (DecideRoute, error) {
	return DecideDone, nil
}

// panicking is a scenario's way to say: this call panics.
type panicking struct{ value string }

func (p panicking) Error() string { return p.value }

// TestPoliciesOnTemporal runs each scenario under the local executor and
// as the Temporal workflow and requires the same calls per node (so the
// same retries), the same error text and the same runtime error types:
// retry budgets become RetryPolicy, runtime.Permanent a non-retryable
// error, a panic is retried only with panics: true, and a branch's failure
// comes back as a *runtime.BranchError around the node's *runtime.NodeError.
func TestPoliciesOnTemporal(t *testing.T) {
	boom := errors.New("mirror down")
	for _, c := range []struct {
		name  string
		fail  func(node string, call int) error
		calls map[string]int // the calls of the node that fails
		is    []any          // targets errors.As must find in the Temporal error
	}{
		{"retried until it succeeds", func(node string, call int) error {
			if node == "fetch" && call < 3 {
				return boom
			}
			return nil
		}, map[string]int{"fetch": 3}, nil},
		{"retries run out", func(node string, call int) error {
			if node == "fetch" {
				return boom
			}
			return nil
		}, map[string]int{"fetch": 3}, []any{new(*runtime.NodeError)}},
		{"permanent is not retried", func(node string, call int) error {
			if node == "left" {
				return runtime.Permanent(boom)
			}
			return nil
		}, map[string]int{"left": 1}, []any{new(*runtime.BranchError), new(*runtime.NodeError), new(*runtime.PermanentError)}},
		{"a panic is retried with panics: true", func(node string, call int) error {
			if node == "right" && call < 3 {
				panic(panicking{"right is flaky"})
			}
			return nil
		}, map[string]int{"right": 3}, nil},
		{"a panic is not retried by default", func(node string, call int) error {
			if node == "fetch" {
				panic(panicking{"fetch is broken"})
			}
			return nil
		}, map[string]int{"fetch": 1}, []any{new(*runtime.NodeError), new(*runtime.PanicError)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			local := &failing{fail: c.fail, n: map[string]int{}}
			want, wantErr := NewFlaky(local).Invoke(t.Context(), State{})
			remote := &failing{fail: c.fail, n: map[string]int{}}
			got, _, gotErr := temporaltest.RunWorkflow(func(w worker.Registry) {
				RegisterFlaky(w)
				RegisterFlakyActivities(w, remote)
			}, FlakyWorkflow, State{}, false)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("Temporal error\n\t%v\nlocal\n\t%v", gotErr, wantErr)
			}
			if wantErr == nil && fmt.Sprint(got.Log) != fmt.Sprint(want.Log) {
				t.Errorf("Temporal ran %v, local %v", got.Log, want.Log)
			}
			// A failed run's other nodes may or may not have run, on either
			// side (a failed branch cancels its sibling when it can).
			remoteN, localN := remote.calls(), local.calls()
			if wantErr == nil && fmt.Sprint(remoteN) != fmt.Sprint(localN) {
				t.Errorf("calls per node: Temporal %v, local %v", remoteN, localN)
			}
			for node, n := range c.calls {
				if remoteN[node] != n {
					t.Errorf("%s was called %d times, want %d", node, remoteN[node], n)
				}
			}
			for _, target := range c.is {
				if !errors.As(gotErr, target) {
					t.Errorf("errors.As(%v, %T) is false", gotErr, target)
				}
			}
		})
	}
}
