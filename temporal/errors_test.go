package temporalgraphc

import (
	"errors"
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/graphc/graphc/runtime"
)

// wire sends err through Temporal's failure converter and back, as a
// workflow's error reaches a client.
func wire(err error) error {
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(err))
}

// types lists the types along err's chain (a join's first error only).
func types(err error) string {
	var out []string
	for err != nil {
		out = append(out, fmt.Sprintf("%T", err))
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			if _, timeout := err.(*runtime.TimeoutError); !timeout {
				errs := j.Unwrap()
				err = errs[0]
				continue
			}
			break
		}
		err = errors.Unwrap(err)
	}
	return fmt.Sprint(out)
}

// TestEncodeDecode: every error a generated workflow can fail with comes
// back from Decode, after crossing Temporal, with the same text and the
// same runtime types along its chain.
func TestEncodeDecode(t *testing.T) {
	node := func(n string, err error) error { return &runtime.NodeError{Node: n, Err: err} }
	branch := func(fork, b string, err error) error { return &runtime.BranchError{Fork: fork, Branch: b, Err: err} }
	for _, err := range []error{
		node("fetch", errors.New("mirror down")),
		node("fetch", runtime.Permanent(errors.New("404"))),
		node("fetch", &runtime.PanicError{Value: "nil map"}),
		node("check", &runtime.StepLimitError{Limit: 7}),
		node("review", &runtime.RouteError{Type: "ReviewRoute", Value: 9}),
		node("fetch", &runtime.TimeoutError{Timeout: 20 * time.Second}),
		node("route", &runtime.SelectError{Fork: "route", Selected: 9, Branches: 3}),
		node("fetch", &runtime.RetryError{Errs: []error{errEarlierAttempt, errEarlierAttempt, errors.New("mirror down")}}),
		branch("plan", "search_web", node("search_web", errors.New("503"))),
		branch("checkout", "test", branch("test", "unit", node("unit", runtime.Permanent(errors.New("flaky"))))),
		errors.Join(branch("plan", "a", node("a", errors.New("x"))), branch("plan", "b", node("b", errors.New("y")))),
	} {
		got := Decode(wire(Encode(err)))
		if got.Error() != err.Error() {
			t.Errorf("Decode gave\n\t%v\nwant\n\t%v", got, err)
		}
		if types(got) != types(err) {
			t.Errorf("%v: types %s, want %s", err, types(got), types(err))
		}
	}
}

// TestDecodeLeavesOtherErrors: errors that are not a graphc run's failure
// come back as they are.
func TestDecodeLeavesOtherErrors(t *testing.T) {
	plain := errors.New("connection refused")
	if Decode(plain) != plain || Decode(nil) != nil {
		t.Error("Decode changed an error that is not a run's failure")
	}
	app := wire(temporal.NewApplicationError("boom", "Other"))
	if Decode(app) != app {
		t.Error("Decode changed an application error of another type")
	}
}

// TestDecodeNestedJoin: a branch whose nested fork waits for every branch
// (on_branch_error: wait) fails with the nested fork's errors joined, inside
// the outer fork's *runtime.BranchError, as Fork builds it and as the local
// executor returns it. Decode must give back the nested *runtime.BranchError
// and *runtime.NodeError values, not a flat error with their text.
func TestDecodeNestedJoin(t *testing.T) {
	node := func(n string, err error) error { return &runtime.NodeError{Node: n, Err: err} }
	branch := func(fork, b string, err error) error { return &runtime.BranchError{Fork: fork, Branch: b, Err: err} }
	err := branch("outer", "left", errors.Join(
		branch("left", "a", node("a", runtime.Permanent(errors.New("x")))),
		branch("left", "b", node("b", errors.New("y")))))
	got := Decode(wire(Encode(err)))
	if got.Error() != err.Error() {
		t.Errorf("Decode gave\n\t%v\nwant\n\t%v", got, err)
	}
	var ne *runtime.NodeError
	if !errors.As(got, &ne) || ne.Node != "a" {
		t.Errorf("errors.As(%v, *runtime.NodeError) = %v, want node a", got, ne)
	}
	var pe *runtime.PermanentError
	if !errors.As(got, &pe) {
		t.Errorf("errors.As(%v, *runtime.PermanentError) is false", got)
	}
}

// TestTimeoutAfterFailedAttempt: a node with retries whose earlier attempt
// failed and whose last attempt timed out. Temporal reports the timeout with
// the earlier attempt's failure as its cause (ActivityTaskTimedOut: "for
// retry activity, it may have a failure before timeout. It is stored as
// cause"). The node failed by timing out, as the local executor reports
// it: a *runtime.TimeoutError (the last of the *runtime.RetryError's), not
// the earlier attempt's error.
func TestTimeoutAfterFailedAttempt(t *testing.T) {
	earlier := temporal.NewApplicationErrorWithOptions("mirror down", TypeError, temporal.ApplicationErrorOptions{Details: []any{int32(1)}})
	err := wire(temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, earlier))
	got := nodeFailure("fetch", time.Second, 3, err)
	var te *runtime.TimeoutError
	if !errors.As(got, &te) {
		t.Errorf("got %v (%s), want a *runtime.TimeoutError", got, types(got))
	}
}

// TestTimeoutEveryAttempt: a node (3 attempts) that timed out at every
// attempt. Locally it fails with a *runtime.RetryError of the three
// *runtime.TimeoutError. A Temporal server retries start-to-close timeouts
// and reports the last as an activity failure whose retry state is
// MAXIMUM_ATTEMPTS_REACHED, with a timeout for cause and no attempt count:
// the workflow must still report the *runtime.RetryError. (The SDK's test
// environment does not retry timeouts, and reports RETRY_STATE_TIMEOUT, so
// this builds the failure a server sends.)
func TestTimeoutEveryAttempt(t *testing.T) {
	f := &failurepb.Failure{
		Message: "activity error",
		FailureInfo: &failurepb.Failure_ActivityFailureInfo{ActivityFailureInfo: &failurepb.ActivityFailureInfo{
			ActivityType: &commonpb.ActivityType{Name: "Flaky.Decide"},
			RetryState:   enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
		}},
		Cause: &failurepb.Failure{
			Message: "activity StartToClose timeout",
			FailureInfo: &failurepb.Failure_TimeoutFailureInfo{TimeoutFailureInfo: &failurepb.TimeoutFailureInfo{
				TimeoutType: enumspb.TIMEOUT_TYPE_START_TO_CLOSE,
			}},
		},
	}
	err := temporal.GetDefaultFailureConverter().FailureToError(f)
	got := nodeFailure("decide", time.Second, 3, err)
	want := "node decide: 3 attempts failed, the last: attempt timed out after 1s"
	if got.Error() != want {
		t.Errorf("got %v, want %s", got, want)
	}
	var re *runtime.RetryError
	var te *runtime.TimeoutError
	if !errors.As(got, &re) || !errors.As(got, &te) {
		t.Errorf("got %v (%s), want a *runtime.RetryError of *runtime.TimeoutError", got, types(got))
	}
}
