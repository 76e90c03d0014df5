package temporalgraphc

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/graphc/graphc/runtime"
)

// TypeRun is the application error type of a generated workflow's failure:
// its details are a Failure, which Decode turns back into the runtime's
// error types.
const TypeRun = "graphc.Run"

// Failure is a run's error as it crosses Temporal: the chain of graphc
// errors from the outside in, and the cause at its end. A fork that waits
// for every branch (on_branch_error: wait) may fail with several; Joined
// holds the others.
type Failure struct {
	Chain  []Frame
	Cause  Cause
	Joined []Failure `json:",omitempty"`
	// Nested, when set, replaces Cause: the chain ends in the errors of a
	// nested fork that waited for every branch (on_branch_error: wait),
	// joined, inside the outer fork's *runtime.BranchError.
	Nested []Failure `json:",omitempty"`
}

// Frame is one graphc error of a chain: a *runtime.NodeError when Node is
// set, else a *runtime.BranchError of Fork and Branch.
type Frame struct {
	Node   string `json:",omitempty"`
	Fork   string `json:",omitempty"`
	Branch string `json:",omitempty"`
	Map    bool   `json:",omitempty"` // the fork is a map edge, and Item its item
	Item   int    `json:",omitempty"`
}

// Cause is the error at the end of a chain, by kind.
type Cause struct {
	// Kind is "error" (any error; Message is its text), "items" (a map's
	// max_items, Count and Limit), "permanent" (an
	// error the handler wrapped with runtime.Permanent), "panic", "steps"
	// (the step limit, Limit), "route" (a label outside the enum, RouteType
	// and Route), "timeout" (the node's timeout) or "canceled".
	Kind      string
	Message   string
	Limit     int    `json:",omitempty"`
	RouteType string `json:",omitempty"`
	Route     uint64 `json:",omitempty"`
	// Timeout is the node's timeout, for "timeout".
	Timeout time.Duration `json:",omitempty"`
	// Selected and Branches are those of a "select" cause: a select
	// handler's set with bits outside the fork's branches.
	Selected uint64 `json:",omitempty"`
	Branches int    `json:",omitempty"`
	// Count is the items of an "items" cause (a map given more than its
	// max_items, which is Limit).
	Count int `json:",omitempty"`
	// Attempts, when more than 1, is how many attempts failed: the cause
	// is the last one's, in a *runtime.RetryError.
	Attempts int `json:",omitempty"`
}

// nodeFailure turns the error of a node's activity, as the workflow sees
// it, into a *runtime.NodeError naming the node, with a cause of the
// runtime's types where one fits; timeout is the activity's start-to-close
// timeout, attempts its retry policy's maximum attempts.
func nodeFailure(node string, timeout time.Duration, attempts int32, err error) error {
	return &runtime.NodeError{Node: node, Err: activityCause(timeout, attempts, err)}
}

func activityCause(limit time.Duration, attempts int32, err error) error {
	var act *temporal.ActivityError
	var app *temporal.ApplicationError
	var timeout *temporal.TimeoutError
	var canceled *temporal.CanceledError
	switch {
	// A timeout first: after an earlier attempt failed, Temporal carries
	// that attempt's application error as the timeout's cause.
	case errors.As(err, &timeout):
		if timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_START_TO_CLOSE || timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_HEARTBEAT {
			// A timeout carries no attempt: when it ended the retries, it
			// was the last of the policy's attempts.
			leaf := &runtime.TimeoutError{Timeout: limit}
			if errors.As(err, &act) && act.RetryState() == enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
				return retried(int(attempts), leaf)
			}
			return leaf
		}
		return err
	case errors.As(err, &app):
		var leaf error
		switch app.Type() {
		case TypePermanent:
			leaf = runtime.Permanent(errors.New(app.Message()))
		case TypePanic:
			leaf = &runtime.PanicError{Value: app.Message()}
		default:
			leaf = errors.New(app.Message())
		}
		var attempt int32
		if app.HasDetails() && app.Details(&attempt) == nil {
			return retried(int(attempt), leaf)
		}
		return leaf
	case errors.As(err, &canceled):
		return err
	}
	return err
}

// errEarlierAttempt stands for the error of an attempt before the last in a
// *runtime.RetryError that crossed Temporal, which keeps the last one only
// (the others are in the workflow's history, as activity task failures).
var errEarlierAttempt = errors.New("an earlier attempt failed (Temporal reports the last attempt's error only)")

// retried is leaf, the error of attempt n (from 1), as the local executor
// reports it: a *runtime.RetryError of n errors when n > 1.
func retried(n int, leaf error) error {
	if n <= 1 {
		return leaf
	}
	errs := make([]error, n)
	for i := range n - 1 {
		errs[i] = errEarlierAttempt
	}
	errs[n-1] = leaf
	return &runtime.RetryError{Errs: errs}
}

// Encode turns a run's error, as the generated workflow builds it from the
// runtime's types, into the application error that carries it out of the
// workflow (see Failure). A run cancelled from outside returns its
// *temporal.CanceledError, so that Temporal records it as cancelled; other
// errors — a continue-as-new, a nil — pass through unchanged.
func Encode(err error) error {
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return canceled
	}
	f, ok := failureOf(err)
	if !ok {
		return err
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), TypeRun, temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{f}})
}

// failureOf describes err, which must hold a graphc chain.
func failureOf(err error) (Failure, bool) {
	j, ok := err.(interface{ Unwrap() []error })
	if _, timeout := err.(*runtime.TimeoutError); ok && !timeout {
		errs := j.Unwrap()
		if len(errs) == 0 {
			return Failure{}, false
		}
		f, ok := failureOf(errs[0])
		if !ok {
			return Failure{}, false
		}
		for _, e := range errs[1:] {
			if g, ok := failureOf(e); ok {
				f.Joined = append(f.Joined, g)
			}
		}
		return f, true
	}
	var f Failure
	attempts := 0
	for e := err; e != nil; {
		switch x := e.(type) {
		case *runtime.RetryError:
			if x.Stopped == nil && len(x.Errs) > 0 {
				attempts = len(x.Errs)
				e = x.Errs[len(x.Errs)-1]
				continue
			}
			f.Cause = Cause{Kind: "error", Message: x.Error()}
		case *runtime.NodeError:
			f.Chain = append(f.Chain, Frame{Node: x.Node})
			e = x.Err
			continue
		case *runtime.BranchError:
			f.Chain = append(f.Chain, Frame{Fork: x.Fork, Branch: x.Branch, Map: x.Map, Item: x.Item})
			e = x.Err
			continue
		case *runtime.PermanentError:
			f.Cause = Cause{Kind: "permanent", Message: x.Err.Error()}
		case *runtime.PanicError:
			f.Cause = Cause{Kind: "panic", Message: x.Error()}
		case *runtime.StepLimitError:
			f.Cause = Cause{Kind: "steps", Message: x.Error(), Limit: x.Limit}
		case *runtime.RouteError:
			f.Cause = Cause{Kind: "route", Message: x.Error(), RouteType: x.Type, Route: x.Value}
		case *runtime.SelectError:
			f.Cause = Cause{Kind: "select", Message: x.Error(), Selected: x.Selected, Branches: x.Branches}
		case *runtime.MaxItemsError:
			f.Cause = Cause{Kind: "items", Message: x.Error(), Count: x.Count, Limit: x.Max}
		case *runtime.TimeoutError:
			f.Cause = Cause{Kind: "timeout", Message: x.Error(), Timeout: x.Timeout}
		case *temporal.CanceledError:
			f.Cause = Cause{Kind: "canceled", Message: x.Error()}
		case interface {
			error
			Unwrap() []error
		}:
			// A nested fork's errors, joined (on_branch_error: wait).
			f.Cause = Cause{Kind: "error", Message: x.Error()}
			var nested []Failure
			for _, e := range x.Unwrap() {
				g, ok := failureOf(e)
				if !ok {
					nested = nil
					break
				}
				nested = append(nested, g)
			}
			f.Nested = nested
		default:
			f.Cause = Cause{Kind: "error", Message: x.Error()}
		}
		break
	}
	f.Cause.Attempts = attempts
	return f, len(f.Chain) > 0
}

// Decode returns the run's error as the local executor would have: for the
// error of a generated workflow (from client.WorkflowRun.Get, or a test
// environment), a *runtime.NodeError naming the node, wrapped in a
// *runtime.BranchError per fork it failed in, with a cause of the runtime's
// types (*runtime.PermanentError, *runtime.PanicError, *runtime.StepLimitError,
// *runtime.RouteError, *runtime.TimeoutError) or an error with the
// handler's message. errors.As works on the result. Any other error —
// nil, a timeout of the whole workflow, a connection error — is returned
// as it is.
func Decode(err error) error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != TypeRun || !app.HasDetails() {
		return err
	}
	var f Failure
	if app.Details(&f) != nil || len(f.Chain) == 0 {
		return err
	}
	return f.Err()
}

// Err rebuilds the error f describes.
func (f Failure) Err() error {
	var e error
	c := f.Cause
	switch c.Kind {
	case "permanent":
		e = runtime.Permanent(errors.New(c.Message))
	case "panic":
		e = &runtime.PanicError{Value: trimPanic(c.Message)}
	case "steps":
		e = &runtime.StepLimitError{Limit: c.Limit}
	case "route":
		e = &runtime.RouteError{Type: c.RouteType, Value: c.Route}
	case "timeout":
		e = &runtime.TimeoutError{Timeout: c.Timeout}
	case "items":
		e = &runtime.MaxItemsError{Node: f.Chain[len(f.Chain)-1].Node, Count: c.Count, Max: c.Limit}
	case "select":
		e = &runtime.SelectError{Fork: f.Chain[len(f.Chain)-1].Node, Selected: c.Selected, Branches: c.Branches}
	default:
		e = errors.New(c.Message)
	}
	e = retried(c.Attempts, e)
	if len(f.Nested) > 0 {
		nested := make([]error, len(f.Nested))
		for i, g := range f.Nested {
			nested[i] = g.Err()
		}
		e = errors.Join(nested...)
	}
	for i := len(f.Chain) - 1; i >= 0; i-- {
		if fr := f.Chain[i]; fr.Node != "" {
			e = &runtime.NodeError{Node: fr.Node, Err: e}
		} else {
			e = &runtime.BranchError{Fork: fr.Fork, Branch: fr.Branch, Map: fr.Map, Item: fr.Item, Err: e}
		}
	}
	if len(f.Joined) == 0 {
		return e
	}
	all := []error{e}
	for _, g := range f.Joined {
		all = append(all, g.Err())
	}
	return errors.Join(all...)
}

// trimPanic is the value of a panic from PanicError's text.
func trimPanic(msg string) string {
	const p = "panic: "
	if len(msg) >= len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}
