package policies

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/temporal/temporaltest"
)

// flakyRoute are handlers whose route handler for "decide" fails on its
// first call; they count the calls of Decide and of RouteDecide.
type flakyRoute struct {
	failing
	mu             sync.Mutex
	decide, routes int
}

func (h *flakyRoute) Decide(ctx context.Context, s State) (State, error) {
	h.mu.Lock()
	h.decide++
	h.mu.Unlock()
	return h.failing.Decide(ctx, s)
}

func (h *flakyRoute) RouteDecide(ctx context.Context, s State) (DecideRoute, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.routes++
	if h.routes == 1 {
		return 0, errors.New("router flaked")
	}
	return DecideDone, nil
}

// TestRouteRetryDoesNotRerunNode: "decide" retries (3 attempts, from the
// config). Locally a failed route handler is retried on its own, by
// runtime.CallRouteHandler: Decide runs once, RouteDecide twice. The Temporal
// workflow must call the handlers alike; a node's handler re-run because
// its route handler failed is a side effect the local executor never has.
func TestRouteRetryDoesNotRerunNode(t *testing.T) {
	ok := func(string, int) error { return nil }
	local := &flakyRoute{failing: failing{fail: ok, n: map[string]int{}}}
	if _, err := NewFlaky(local).Invoke(t.Context(), State{}); err != nil {
		t.Fatalf("local run: %v", err)
	}
	remote := &flakyRoute{failing: failing{fail: ok, n: map[string]int{}}}
	if _, _, err := temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterFlaky(w)
		RegisterFlakyActivities(w, remote)
	}, FlakyWorkflow, State{}, false); err != nil {
		t.Fatalf("Temporal run: %v", err)
	}
	if local.decide != 1 || local.routes != 2 {
		t.Fatalf("local: Decide called %d times, RouteDecide %d; want 1 and 2", local.decide, local.routes)
	}
	if remote.decide != local.decide || remote.routes != local.routes {
		t.Errorf("Temporal: Decide called %d times, RouteDecide %d; local %d and %d", remote.decide, remote.routes, local.decide, local.routes)
	}
}
