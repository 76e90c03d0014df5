package temporalgraphc

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/graphc/graphc/runtime"
)

// Application error types of a failed handler, as activities report them
// (temporal.ApplicationError.Type).
const (
	// TypeError is a handler's error; it is retried as the node's retry
	// policy says.
	TypeError = "graphc.Error"
	// TypePermanent is an error the handler wrapped with runtime.Permanent:
	// never retried.
	TypePermanent = "graphc.Permanent"
	// TypePanic is a handler that panicked: retried only when the node's
	// policy says panics: true, as in the local executor.
	TypePanic = "graphc.Panic"
)

// Routed is what the activity of a conditional node returns: the state its
// handler returned, and the label its route handler picked on that state.
type Routed[S any, R ~uint8] struct {
	State S
	Route R
}

// Run calls fn, a node's handler, inside the activity of ctx, and turns what
// goes wrong into a Temporal application error: a runtime.Permanent error
// is non-retryable, a panic is non-retryable unless panics (the node's
// policy retries panics), any other error is retryable under the
// activity's retry policy. The message is the handler's error text; the
// details, the attempt (from 1), so that the workflow can report a
// *runtime.RetryError as the local executor does (not for a panic the
// policy does not retry, which locally ends the node without one).
func Run[S any](ctx context.Context, panics bool, fn func() (S, error)) (out S, err error) {
	fail := func(msg, typ string, nonRetryable bool) error {
		return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{
			NonRetryable: nonRetryable,
			Details:      []any{activity.GetInfo(ctx).Attempt},
		})
	}
	defer func() {
		if r := recover(); r != nil {
			var zero S
			if panics {
				out, err = zero, fail(fmt.Sprint(r), TypePanic, false)
				return
			}
			// Not an attempt's error: locally a panic the policy does not
			// retry leaves the retry loop, and the node fails with the
			// *runtime.PanicError alone, whatever attempts failed before.
			// Without the attempt in its details, the workflow reports no
			// *runtime.RetryError.
			out, err = zero, temporal.NewApplicationErrorWithOptions(fmt.Sprint(r), TypePanic, temporal.ApplicationErrorOptions{NonRetryable: true})
		}
	}()
	out, err = fn()
	if err == nil {
		return out, nil
	}
	var zero S
	if pe := (*runtime.PermanentError)(nil); errors.As(err, &pe) {
		return zero, fail(err.Error(), TypePermanent, true)
	}
	return zero, fail(err.Error(), TypeError, false)
}

// RunRoute calls a conditional node's handler and then its route handler on
// the state it returned, in one activity (both are user code, so neither
// may run in the workflow), with Run's error mapping.
func RunRoute[S any, R ~uint8](ctx context.Context, panics bool, s S, node func(context.Context, S) (S, error), route func(context.Context, S) (R, error)) (Routed[S, R], error) {
	return Run(ctx, panics, func() (Routed[S, R], error) {
		out, err := node(ctx, s)
		if err != nil {
			return Routed[S, R]{}, err
		}
		r, err := route(ctx, out)
		return Routed[S, R]{State: out, Route: r}, err
	})
}
