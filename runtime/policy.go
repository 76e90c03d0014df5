package runtime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"time"
)

// NodePolicy is how a node's handler (and its route handler, which shares
// it) is called: a timeout per attempt and a retry budget. Generated code
// declares one per node that has a policy in its spec and passes it to Call;
// a node without one never reaches this file.
type NodePolicy struct {
	// Timeout bounds each attempt; 0 means none. The attempt's context is
	// cancelled at the deadline, and the attempt fails with a *TimeoutError.
	Timeout time.Duration
	Retry   Retry
}

// Retry is a retry budget with exponential backoff. The zero Retry (or
// Attempts 1) calls the handler once.
type Retry struct {
	// Attempts is the number of calls in all, the first included; <= 1 means one.
	Attempts int
	// Initial is the delay before the second attempt.
	Initial time.Duration
	// Backoff multiplies the delay after each further failure (>= 1).
	Backoff float64
	// Max caps the delay; 0 means no cap.
	Max time.Duration
	// Jitter waits a uniformly random time between 0 and the delay ("full
	// jitter"), so that retries of parallel branches spread out.
	Jitter bool
	// Panics retries an attempt that panicked, as a *PanicError; by default
	// a panic ends the run at once (it is a bug, not a flaky service).
	Panics bool
}

// Delay is the backoff after failed attempt n (1 for the first), before
// jitter: Initial × Backoff^(n-1), capped at Max.
func (r Retry) Delay(n int) time.Duration {
	d := float64(r.Initial)
	for i := 1; i < n && d < float64(1<<62); i++ {
		d *= max(r.Backoff, 1)
	}
	if r.Max > 0 && d > float64(r.Max) {
		return r.Max
	}
	return time.Duration(min(d, float64(1<<62)))
}

// PermanentError marks an error that no retry can fix: see Permanent.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the error Permanent was given.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so that a node's retry policy does not retry it (a
// 4xx answer, a malformed input). errors.Is and errors.As see through it.
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// TimeoutError is the error of an attempt that outlived its node's timeout.
// errors.Is(err, context.DeadlineExceeded) holds.
type TimeoutError struct {
	Timeout time.Duration
	// Err is what the handler returned once it did return (it may have
	// ignored its context and returned nil, a result that is dropped).
	Err error
}

func (e *TimeoutError) Error() string {
	if e.Err == nil || errors.Is(e.Err, context.DeadlineExceeded) {
		return fmt.Sprintf("attempt timed out after %v", e.Timeout)
	}
	return fmt.Sprintf("attempt timed out after %v: %v", e.Timeout, e.Err)
}

// Unwrap returns context.DeadlineExceeded and the handler's error, if any.
func (e *TimeoutError) Unwrap() []error {
	if e.Err == nil {
		return []error{context.DeadlineExceeded}
	}
	return []error{context.DeadlineExceeded, e.Err}
}

// RetryError is the error of a node whose attempts all failed (or that was
// stopped between attempts). errors.Is and errors.As see every attempt's error.
type RetryError struct {
	Errs    []error // each attempt's error, in order
	Stopped error   // why the retries stopped early (the run was cancelled during a backoff); nil if they ran out
}

func (e *RetryError) Error() string {
	last := e.Errs[len(e.Errs)-1]
	if e.Stopped != nil {
		attempts := "attempts"
		if len(e.Errs) == 1 {
			attempts = "attempt"
		}
		return fmt.Sprintf("stopped after %d failed %s (last: %v): %v", len(e.Errs), attempts, last, e.Stopped)
	}
	return fmt.Sprintf("%d attempts failed, the last: %v", len(e.Errs), last)
}

// Unwrap returns every attempt's error, then Stopped.
func (e *RetryError) Unwrap() []error {
	if e.Stopped == nil {
		return e.Errs
	}
	return append(e.Errs[:len(e.Errs):len(e.Errs)], e.Stopped)
}

// Call calls fn, node's handler, under its policy p (nil: one plain
// attempt) and the run's hooks. Generated code goes through the runtime
// for every node that has a policy, and for every node when a hook is set
// (see Exec.Hooked): through Call for a node of the main flow whose
// handler takes the state alone, through CallHandler, CallFanIn and
// CallRouteHandler for the others and for route handlers. It returns fn's
// result, or the error of the last attempt (a *TimeoutError if it timed
// out, a *RetryError when there were several attempts), which the caller
// wraps with Fail.
//
// Attempts run on the caller's goroutine, one after the other. A handler
// that ignores its context past the timeout is not abandoned: Call returns
// only when it does, and what it returned is dropped for a *TimeoutError.
// So a run never leaves a goroutine behind, at the price that a handler
// blind to its context delays the run by as long as it takes.
//
// A panic in fn ends the run as if there were no policy (the flow's deferred
// Exec.Recover names the node), unless p.Retry.Panics is set.
func Call[S, T any](ctx context.Context, x *Exec[S], in Branch, node int, p *NodePolicy, fn func(context.Context) (T, error)) (T, error) {
	return call(ctx, x, in, node, NodeScope, p, fn)
}

// CallRoute is Call for node's route handler, which shares its policy.
func CallRoute[S, T any](ctx context.Context, x *Exec[S], in Branch, node int, p *NodePolicy, fn func(context.Context) (T, error)) (T, error) {
	return call(ctx, x, in, node, RouteScope, p, fn)
}

// CallHandler is Call for a handler h that takes its node's value alone:
// the state, or in a map's flow the item. It calls h(ctx, *v), with the
// same policy, hooks, errors and panics as Call. Generated code passes the
// handler as a method value (g.h.Plan); neither it nor the closure
// CallHandler builds escapes, so the call allocates no more than Call's.
func CallHandler[S, V any](ctx context.Context, x *Exec[S], in Branch, node int, p *NodePolicy, h func(context.Context, V) (V, error), v *V) (V, error) {
	return call(ctx, x, in, node, NodeScope, p, func(ctx context.Context) (V, error) { return h(ctx, *v) })
}

// CallFanIn is CallHandler for the handler of a fan-in, which takes the
// state and what its branches (or a map's items) delivered, b: it calls
// h(ctx, *s, b). A fan-in's value is the state S: graphc refuses a fork
// inside a map's flow.
func CallFanIn[S, B any](ctx context.Context, x *Exec[S], in Branch, node int, p *NodePolicy, h func(context.Context, S, B) (S, error), s *S, b B) (S, error) {
	return call(ctx, x, in, node, NodeScope, p, func(ctx context.Context) (S, error) { return h(ctx, *s, b) })
}

// CallRouteHandler is CallHandler for node's route handler, which shares
// its policy and returns the node's route R: it calls h(ctx, *v).
func CallRouteHandler[S, V, R any](ctx context.Context, x *Exec[S], in Branch, node int, p *NodePolicy, h func(context.Context, V) (R, error), v *V) (R, error) {
	return call(ctx, x, in, node, RouteScope, p, func(ctx context.Context) (R, error) { return h(ctx, *v) })
}

func call[S, T any](ctx context.Context, x *Exec[S], in Branch, node int, kind ScopeKind, p *NodePolicy, fn func(context.Context) (T, error)) (out T, err error) {
	if x.hooks != nil {
		var sc scope
		ctx, sc = x.begin(ctx, Scope{Kind: kind, Node: x.names[node], Path: x.pathOf(in), In: in})
		attempts := 1
		defer func() {
			if r := recover(); r != nil { // not retried: report it, and let the flow's Recover name the node
				sc.end(attempts, &PanicError{Value: r, Stack: debug.Stack()})
				panic(r)
			}
			sc.end(attempts, err)
		}()
		if p != nil {
			return attempt(ctx, x, in, node, kind, p, fn, &sc, &attempts)
		}
		return fn(ctx)
	}
	if p == nil {
		return fn(ctx)
	}
	return attempt(ctx, x, in, node, kind, p, fn, nil, nil)
}

// attempt runs fn under p until it succeeds, fails for good or runs out of
// attempts; *count follows the attempt number for the hooks.
func attempt[S, T any](ctx context.Context, x *Exec[S], in Branch, node int, kind ScopeKind, p *NodePolicy, fn func(context.Context) (T, error), sc *scope, count *int) (out T, err error) {
	var errs []error
	// The attempt number comes from here alone: a durable run that recorded
	// failed attempts starts past them (see firstAttempt).
	for n := x.firstAttempt(in, node, kind); ; n++ {
		if count != nil {
			*count = n
		}
		out, err = once(ctx, p, fn)
		if err == nil {
			return out, nil
		}
		if n >= p.Retry.Attempts || !retryable(ctx, err) {
			break
		}
		errs = append(errs, err)
		delay := p.Retry.Delay(n)
		if p.Retry.Jitter && delay > 0 {
			delay = time.Duration(rand.Int64N(int64(delay) + 1))
		}
		x.retrying(in, node, kind, n, err, delay, sc)
		if err := wait(ctx, delay); err != nil {
			var zero T
			return zero, &RetryError{Errs: errs, Stopped: err}
		}
	}
	if len(errs) == 0 {
		return out, err
	}
	return out, &RetryError{Errs: append(errs, err)}
}

// retryable reports whether an attempt that failed with err may be retried:
// not when the run itself is cancelled, nor for a Permanent error.
func retryable(ctx context.Context, err error) bool {
	var pe *PermanentError
	return ctx.Err() == nil && !errors.As(err, &pe)
}

// once runs one attempt, with its timeout.
func once[T any](ctx context.Context, p *NodePolicy, fn func(context.Context) (T, error)) (out T, err error) {
	if p.Retry.Panics {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r, Stack: debug.Stack()}
			}
		}()
	}
	if p.Timeout <= 0 {
		return fn(ctx)
	}
	timedOut := &TimeoutError{Timeout: p.Timeout}
	actx, cancel := context.WithTimeoutCause(ctx, p.Timeout, timedOut)
	defer cancel()
	out, err = fn(actx)
	if context.Cause(actx) == timedOut && ctx.Err() == nil { // our deadline, not the run's
		var zero T
		timedOut.Err = err
		return zero, timedOut
	}
	return out, err
}

// wait waits d, or returns the run's cancellation at once.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		if err := ctx.Err(); err != nil {
			return cause(ctx, err)
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return cause(ctx, ctx.Err())
	case <-t.C:
		return nil
	}
}

// firstAttempt is the number of node's next attempt in branch in: 1, or,
// in a resumed run, one more than the failed attempts of node's handler
// that its flow recorded since its last completed node — so a crash does
// not reset a retry budget. Route handlers start at 1 (their node runs
// again on resume).
func (x *Exec[S]) firstAttempt(in Branch, node int, kind ScopeKind) int {
	if x.j == nil || kind != NodeScope {
		return 1
	}
	f := in.flow
	if f == nil {
		f = &x.root
	}
	p := f.plan
	if p == nil || p.retryNode != node || p.retries == 0 {
		return 1
	}
	n := p.retries + 1
	p.retries = 0 // once: a later visit of the node starts afresh
	return n
}

// retrying reports that attempt n of node failed with err and that the next
// one starts after delay: a NodeRetrying event, and a Report to the hooks.
// A durable run records the failed attempt of a node's handler.
func (x *Exec[S]) retrying(in Branch, node int, kind ScopeKind, n int, err error, delay time.Duration, sc *scope) {
	if x.j != nil && kind == NodeScope {
		// A write error is the run's: it shows at the node's completion.
		_ = x.j.add(Record{Kind: RetryRecord, Path: in.Path(), Node: x.names[node], Attempt: n, Err: err.Error()})
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: NodeRetrying, Node: x.names[node], In: in, Attempt: n, Err: err})
	}
	if sc != nil {
		sc.report(Report{Retrying: true, Attempt: n, Err: err, Delay: delay})
	}
}
