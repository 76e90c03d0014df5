// Package temporalgraphc is what the Temporal workflows graphc generates
// (graphc generate -temporal) share: the activity wrapper that turns a
// handler's error or panic into a Temporal application error with the
// retry semantics of the local executor, the workflow bookkeeping (steps,
// the max_workers semaphore, forks of coroutines, continue-as-new), and
// Decode, which gives a caller of the workflow the runtime's own error
// types (*runtime.NodeError, *runtime.BranchError) back.
//
// It lives in its own module so that graphc's root module never depends on
// the Temporal SDK. See docs/temporal.md for what maps to what.
package temporalgraphc
