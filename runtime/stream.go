package runtime

import (
	"context"
	"errors"
	"iter"
)

// Stream runs a graph on its own goroutine and yields its events, in the
// order they happened, to the range loop, one at a time and on the loop's
// goroutine. The last event is Done, yielded with the run's error. Breaking
// out of the loop cancels the run; Stream returns only once the run has
// returned, so nothing outlives the loop.
//
// run starts the graph with the given observer option added to its own
// options; generated Stream methods pass a closure over Invoke.
func Stream[S any](ctx context.Context, run func(ctx context.Context, observe Option) (S, error)) iter.Seq2[Event[S], error] {
	return func(yield func(Event[S], error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		events := make(chan Event[S])
		done := make(chan struct{})
		stop := make(chan struct{}) // closed when the consumer stops listening
		var (
			final S
			err   error
		)
		go func() {
			defer close(done)
			returned := false
			defer func() {
				if !returned { // a handler ended the goroutine with runtime.Goexit
					err = errors.New("graphc: the run's goroutine exited (runtime.Goexit) before the run ended")
				}
			}()
			final, err = run(ctx, WithObserver(func(e Event[S]) {
				select {
				case events <- e:
				case <-stop:
				}
			}))
			returned = true
		}()
		defer func() { cancel(); close(stop); <-done }() // cancel first: an observer released by stop sees ctx done
		sawDone := false
		for {
			select {
			case e := <-events:
				sawDone = sawDone || e.Kind == Done
				if !yield(e, e.Err) {
					return
				}
			case <-done:
				if !sawDone { // the run failed before it could start
					yield(Event[S]{Kind: Done, State: final, Err: err}, err)
				}
				return
			}
		}
	}
}
