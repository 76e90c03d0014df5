package policies

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/temporal/temporaltest"
)

// slowDecide are handlers whose "decide" outlives its 1s timeout at every
// attempt (it returns when its context ends).
type slowDecide struct{ failing }

func (h *slowDecide) Decide(ctx context.Context, s State) (State, error) {
	<-ctx.Done()
	return s, ctx.Err()
}

// TestTimeoutEveryAttempt: "decide" (timeout 1s, 3 attempts) times out at
// every attempt. Locally the node fails with a *runtime.RetryError of the
// three *runtime.TimeoutError; the Temporal workflow must fail alike.
func TestTimeoutEveryAttempt(t *testing.T) {
	ok := func(string, int) error { return nil }
	_, wantErr := NewFlaky(&slowDecide{failing{fail: ok, n: map[string]int{}}}).Invoke(t.Context(), State{})
	_, _, gotErr := temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterFlaky(w)
		RegisterFlakyActivities(w, &slowDecide{failing{fail: ok, n: map[string]int{}}})
	}, FlakyWorkflow, State{}, false)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("Temporal error\n\t%v\nlocal\n\t%v", gotErr, wantErr)
	}
	for _, target := range []any{new(*runtime.RetryError), new(*runtime.TimeoutError)} {
		if errors.As(wantErr, target) != errors.As(gotErr, target) {
			t.Errorf("%T in the local error: %v, in Temporal's: %v", target, errors.As(wantErr, target), errors.As(gotErr, target))
		}
	}
}
