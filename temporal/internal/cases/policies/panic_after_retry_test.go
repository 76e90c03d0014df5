package policies

import (
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/temporal/temporaltest"
)

// TestPanicAfterFailedAttempt: "fetch" (3 attempts, panics not retried)
// fails its first attempt and panics in its second. Locally the panic is
// not an attempt's error: it leaves the retry loop and the node fails with
// the *runtime.PanicError alone (no *runtime.RetryError of the attempts).
// The Temporal workflow must fail alike.
func TestPanicAfterFailedAttempt(t *testing.T) {
	fail := func(node string, call int) error {
		switch {
		case node == "fetch" && call == 1:
			return errors.New("mirror down")
		case node == "fetch" && call == 2:
			panic(panicking{"fetch is broken"})
		}
		return nil
	}
	_, wantErr := NewFlaky(&failing{fail: fail, n: map[string]int{}}).Invoke(t.Context(), State{})
	_, _, gotErr := temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterFlaky(w)
		RegisterFlakyActivities(w, &failing{fail: fail, n: map[string]int{}})
	}, FlakyWorkflow, State{}, false)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("Temporal error\n\t%v\nlocal\n\t%v", gotErr, wantErr)
	}
	if errors.As(wantErr, new(*runtime.RetryError)) != errors.As(gotErr, new(*runtime.RetryError)) {
		t.Errorf("*runtime.RetryError in the local error: %v, in Temporal's: %v", errors.As(wantErr, new(*runtime.RetryError)), errors.As(gotErr, new(*runtime.RetryError)))
	}
}
