// Package runtime is the executor core that graphc-generated code drives. It
// holds no graph knowledge: generated code owns the transitions, the handler
// calls and the join structs; this package supplies what every graph shares —
// options, the step limit, cancellation, panic recovery, the fork that runs
// branches under a worker limit and a branch-error policy, observer events and
// Stream. It imports the standard library only.
//
// Every goroutine it starts has returned when the call that started it
// returns. With no observer, a plain node transition allocates nothing.
package runtime
