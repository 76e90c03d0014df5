package loop

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	temporalgraphc "github.com/graphc/graphc/temporal"
	"github.com/graphc/graphc/temporal/temporaltest"
)

// Continue as new every three nodes, so that the differential test's runs
// cross executions (the frontier carries the node and the step count).
func init() { temporalgraphc.ContinueAsNewAfter = 3 }

// forever loops until the step limit stops it.
type forever struct{}

func (forever) Count(ctx context.Context, s State) (State, error) {
	s.Count++
	return s, nil
}

func (forever) Check(ctx context.Context, s State) (State, error) { return s, nil }

func (forever) RouteCheck(ctx context.Context, s State) (CheckRoute, error) { return CheckAgain, nil }

// TestStepLimitAcrossContinueAsNew: a loop that never exits fails at the
// same node with the same *runtime.StepLimitError under Temporal as under
// the local executor, although the workflow continued as new twice on the
// way: max_steps counts every execution of the run.
func TestStepLimitAcrossContinueAsNew(t *testing.T) {
	_, want := NewLoop(forever{}).Invoke(t.Context(), State{})
	_, continues, got := temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterLoop(w)
		RegisterLoopActivities(w, forever{})
	}, LoopWorkflow, State{}, false)
	if got == nil || want == nil || got.Error() != want.Error() {
		t.Fatalf("Temporal: %v\nlocal:    %v", got, want)
	}
	var limit *runtime.StepLimitError
	var node *runtime.NodeError
	if !errors.As(got, &limit) || limit.Limit != 7 || !errors.As(got, &node) {
		t.Fatalf("Temporal error %v (%T) is not a *runtime.NodeError of a *runtime.StepLimitError of 7", got, got)
	}
	if continues != 2 {
		t.Errorf("the run continued as new %d times, want 2 (every 3 of its 7 nodes)", continues)
	}
}
