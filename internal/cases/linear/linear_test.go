package linear

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// step is the behaviour of one node.
type step func(ctx context.Context, s State) (State, error)

// handlers runs each node's step, or record(name) when it is nil, and
// counts the calls.
type handlers struct {
	first, second, third step
	calls                [3]atomic.Int32
}

var _ LinearHandlers = (*handlers)(nil)

func (h *handlers) do(i int, name string, fn step, ctx context.Context, s State) (State, error) {
	h.calls[i].Add(1)
	if fn == nil {
		fn = record(name)
	}
	return fn(ctx, s)
}

func (h *handlers) First(ctx context.Context, s State) (State, error) {
	return h.do(0, "first", h.first, ctx, s)
}

func (h *handlers) Second(ctx context.Context, s State) (State, error) {
	return h.do(1, "second", h.second, ctx, s)
}

func (h *handlers) Third(ctx context.Context, s State) (State, error) {
	return h.do(2, "third", h.third, ctx, s)
}

// counts returns how often first, second and third ran.
func (h *handlers) counts() [3]int32 {
	return [3]int32{h.calls[0].Load(), h.calls[1].Load(), h.calls[2].Load()}
}

// record appends name to Trail (on a fresh array, so that no earlier state
// is touched) and adds one to N.
func record(name string) step {
	return func(_ context.Context, s State) (State, error) {
		s.Trail = append(slices.Clip(s.Trail), name)
		s.N++
		return s, nil
	}
}

func nodeError(t *testing.T, err error, node string) *runtime.NodeError {
	t.Helper()
	ne, ok := errors.AsType[*runtime.NodeError](err)
	if !ok {
		t.Fatalf("error %v (%T) is no *runtime.NodeError", err, err)
	}
	if ne.Node != node {
		t.Fatalf("NodeError.Node = %q, want %q (error: %v)", ne.Node, node, err)
	}
	return ne
}

func TestInvokeRunsNodesInOrder(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	got, err := NewLinear(h).Invoke(t.Context(), State{Trail: []string{"start"}, N: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := State{Trail: []string{"start", "first", "second", "third"}, N: 13}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Invoke = %+v, want %+v", got, want)
	}
	if c := h.counts(); c != [3]int32{1, 1, 1} {
		t.Errorf("calls = %v, want one each", c)
	}
}

func TestHandlerSeesPreviousState(t *testing.T) {
	t.Parallel()
	var seen []State
	var mu sync.Mutex
	spy := func(name string) step {
		return func(ctx context.Context, s State) (State, error) {
			mu.Lock()
			seen = append(seen, State{Trail: slices.Clone(s.Trail), N: s.N})
			mu.Unlock()
			return record(name)(ctx, s)
		}
	}
	h := &handlers{first: spy("first"), second: spy("second"), third: spy("third")}
	if _, err := NewLinear(h).Invoke(t.Context(), State{}); err != nil {
		t.Fatal(err)
	}
	want := []State{
		{Trail: nil, N: 0},
		{Trail: []string{"first"}, N: 1},
		{Trail: []string{"first", "second"}, N: 2},
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("handlers saw %+v, want %+v", seen, want)
	}
}

var wantEvents = []string{
	"NodeStarted first [main]",
	"NodeFinished first -> second [main]",
	"NodeStarted second [main]",
	"NodeFinished second -> third [main]",
	"NodeStarted third [main]",
	"NodeFinished third -> __end__ [main]",
	"Done",
}

func TestStreamYieldsEventsInOrder(t *testing.T) {
	t.Parallel()
	events, err := casetest.Drain(t, NewLinear(&handlers{}).Stream(t.Context(), State{N: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if got := casetest.Strings(events); !slices.Equal(got, wantEvents) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantEvents, "\n"))
	}
	for i, e := range events {
		if e.In != (runtime.Branch{}) || e.Fork != 0 || e.Parent != 0 || e.Branches != 0 || e.Err != nil {
			t.Errorf("event %d %v: In %+v Fork %d Parent %d Branches %d Err %v, want all zero", i, e, e.In, e.Fork, e.Parent, e.Branches, e.Err)
		}
	}
	wantStates := map[int]State{
		1: {Trail: []string{"first"}, N: 2},
		3: {Trail: []string{"first", "second"}, N: 3},
		5: {Trail: []string{"first", "second", "third"}, N: 4},
		6: {Trail: []string{"first", "second", "third"}, N: 4},
	}
	for i, e := range events {
		want := wantStates[i] // the zero State for NodeStarted
		if !reflect.DeepEqual(e.State, want) {
			t.Errorf("event %d %v: State %+v, want %+v", i, e, e.State, want)
		}
	}
}

func TestStreamNotRangedRunsNothing(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	_ = NewLinear(h).Stream(t.Context(), State{})
	if c := h.counts(); c != [3]int32{} {
		t.Errorf("calls = %v without a range over Stream, want none", c)
	}
}

// Breaking out of the loop stops the run before its next node, and Stream
// returns only when the run has returned: the counts are final at once.
//
// The loop body takes a moment before it breaks, as a real consumer does
// (it writes the event somewhere): meanwhile the run goroutine goes on to
// the next node and offers its NodeStarted. That event is never yielded, so
// that node must not run either. (This fails as of writing: Exec.Enter does
// not look at ctx again after the observer gave up on the cancelled send,
// so the unreported node's handler runs, with a cancelled ctx.)
func TestStreamBreakStopsRun(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"NodeStarted first [main]", "NodeFinished first -> second [main]", "NodeStarted second [main]", "NodeFinished second -> third [main]"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			h := &handlers{}
			var got []string
			for e, err := range NewLinear(h).Stream(t.Context(), State{}) {
				if err != nil {
					t.Fatalf("event %v with error %v", e, err)
				}
				got = append(got, e.String())
				if e.String() == at {
					time.Sleep(20 * time.Millisecond)
					break
				}
			}
			i := slices.Index(wantEvents, at)
			if !slices.Equal(got, wantEvents[:i+1]) {
				t.Errorf("events %q, want %q", got, wantEvents[:i+1])
			}
			// The nodes before the break ran; the one whose start was
			// yielded last may have (the break raced with its handler);
			// nothing after it ran.
			want := [3]int32{}
			for n := range i/2 + 1 {
				want[n] = 1
			}
			c := h.counts()
			if last := i / 2; strings.HasPrefix(at, "NodeStarted") && c[last] == 0 {
				want[last] = 0
			}
			if c != want {
				t.Errorf("calls after break at %q = %v, want %v", at, c, want)
			}
		})
	}
}

// A break while a handler is blocked cancels the handler's context, and the
// loop ends only after the handler has returned.
func TestStreamBreakCancelsRunningHandler(t *testing.T) {
	t.Parallel()
	var sawErr atomic.Value
	guard := casetest.Context(t)
	started := make(chan struct{})
	h := &handlers{first: func(ctx context.Context, s State) (State, error) {
		close(started)
		select {
		case <-ctx.Done():
		case <-guard.Done():
		}
		sawErr.Store(fmt.Sprint(ctx.Err()))
		return s, ctx.Err()
	}}
	for e := range NewLinear(h).Stream(t.Context(), State{}) {
		if e.Kind == runtime.NodeStarted {
			casetest.Await(t, started, "first to start")
			break
		}
	}
	if got := sawErr.Load(); got != context.Canceled.Error() {
		t.Errorf("first saw ctx.Err() = %v once the loop ended, want %v", got, context.Canceled)
	}
	if c := h.counts(); c != [3]int32{1, 0, 0} {
		t.Errorf("calls = %v, want first only", c)
	}
}

var errBoom = errors.New("boom")

func TestHandlerErrorStopsRun(t *testing.T) {
	t.Parallel()
	h := &handlers{second: func(context.Context, State) (State, error) {
		return State{Trail: []string{"garbage"}}, errBoom
	}}
	got, err := NewLinear(h).Invoke(t.Context(), State{N: 5})
	nodeError(t, err, "second")
	if !errors.Is(err, errBoom) {
		t.Errorf("errors.Is(%v, errBoom) = false", err)
	}
	if err.Error() != "node second: boom" {
		t.Errorf("error text %q, want %q", err.Error(), "node second: boom")
	}
	// The last state the main flow completed: what first returned.
	if want := (State{Trail: []string{"first"}, N: 6}); !reflect.DeepEqual(got, want) {
		t.Errorf("state on error = %+v, want %+v", got, want)
	}
	if c := h.counts(); c != [3]int32{1, 1, 0} {
		t.Errorf("calls = %v, want third never run", c)
	}
}

func TestHandlerErrorInStream(t *testing.T) {
	t.Parallel()
	h := &handlers{second: func(context.Context, State) (State, error) { return State{}, errBoom }}
	events, err := casetest.Drain(t, NewLinear(h).Stream(t.Context(), State{}))
	if !errors.Is(err, errBoom) {
		t.Fatalf("Stream error %v, want errBoom", err)
	}
	nodeError(t, err, "second")
	want := []string{
		"NodeStarted first [main]",
		"NodeFinished first -> second [main]",
		"NodeStarted second [main]",
		"Done: node second: boom",
	}
	if got := casetest.Strings(events); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if last := events[len(events)-1]; !reflect.DeepEqual(last.State, State{Trail: []string{"first"}, N: 1}) {
		t.Errorf("Done state %+v, want the state after first", last.State)
	}
}

// panicInSecond is a named function so that the test can find it in the stack.
func panicInSecond(context.Context, State) (State, error) {
	panic("kaboom")
}

func TestPanicBecomesNodeError(t *testing.T) {
	t.Parallel()
	h := &handlers{second: panicInSecond}
	got, err := NewLinear(h).Invoke(t.Context(), State{})
	nodeError(t, err, "second")
	pe, ok := errors.AsType[*runtime.PanicError](err)
	if !ok {
		t.Fatalf("error %v wraps no *runtime.PanicError", err)
	}
	if pe.Value != "kaboom" {
		t.Errorf("PanicError.Value = %#v, want %q", pe.Value, "kaboom")
	}
	if !strings.Contains(string(pe.Stack), "linear.panicInSecond") {
		t.Errorf("PanicError.Stack does not name linear.panicInSecond:\n%s", pe.Stack)
	}
	if err.Error() != "node second: panic: kaboom" {
		t.Errorf("error text %q", err.Error())
	}
	if want := (State{Trail: []string{"first"}, N: 1}); !reflect.DeepEqual(got, want) {
		t.Errorf("state on panic = %+v, want %+v", got, want)
	}
	if c := h.counts(); c != [3]int32{1, 1, 0} {
		t.Errorf("calls = %v, want third never run", c)
	}
}

func TestPanicWithErrorValueUnwraps(t *testing.T) {
	t.Parallel()
	h := &handlers{third: func(context.Context, State) (State, error) { panic(errBoom) }}
	_, err := NewLinear(h).Invoke(t.Context(), State{})
	nodeError(t, err, "third")
	if !errors.Is(err, errBoom) {
		t.Errorf("errors.Is(%v, errBoom) = false for panic(errBoom)", err)
	}
	if pe, ok := errors.AsType[*runtime.PanicError](err); !ok || pe.Value != errBoom {
		t.Errorf("PanicError = %+v, want Value errBoom", pe)
	}
}

func TestCancelledContextBeforeInvoke(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	h := &handlers{}
	in := State{Trail: []string{"in"}, N: 7}
	got, err := NewLinear(h).Invoke(ctx, in)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke error %v, want context.Canceled", err)
	}
	nodeError(t, err, "first")
	if !reflect.DeepEqual(got, in) {
		t.Errorf("state %+v, want the input %+v", got, in)
	}
	if c := h.counts(); c != [3]int32{} {
		t.Errorf("calls = %v, want none", c)
	}
}

func TestContextCancelledByHandler(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h := &handlers{first: func(ctx context.Context, s State) (State, error) {
		cancel()
		return record("first")(ctx, s)
	}}
	got, err := NewLinear(h).Invoke(ctx, State{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke error %v, want context.Canceled", err)
	}
	nodeError(t, err, "second")
	if want := (State{Trail: []string{"first"}, N: 1}); !reflect.DeepEqual(got, want) {
		t.Errorf("state = %+v, want %+v", got, want)
	}
	if c := h.counts(); c != [3]int32{1, 0, 0} {
		t.Errorf("calls = %v, want first only", c)
	}
}

func TestStepLimitOption(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	g := NewLinear(h, runtime.WithMaxSteps(1))                          // the constructor's option ...
	got, err := g.Invoke(t.Context(), State{}, runtime.WithMaxSteps(2)) // ... overridden by the call's
	if !errors.Is(err, runtime.ErrStepLimit) {
		t.Fatalf("Invoke error %v, want ErrStepLimit", err)
	}
	nodeError(t, err, "third")
	if sl, ok := errors.AsType[*runtime.StepLimitError](err); !ok || sl.Limit != 2 {
		t.Errorf("StepLimitError = %+v, want Limit 2", sl)
	}
	if want := (State{Trail: []string{"first", "second"}, N: 2}); !reflect.DeepEqual(got, want) {
		t.Errorf("state = %+v, want %+v", got, want)
	}
	if c := h.counts(); c != [3]int32{1, 1, 0} {
		t.Errorf("calls = %v", c)
	}
	// Without the call's option, the constructor's limit holds.
	if _, err := g.Invoke(t.Context(), State{}); !errors.Is(err, runtime.ErrStepLimit) {
		t.Errorf("Invoke with MaxSteps 1 from the constructor: error %v, want ErrStepLimit", err)
	} else {
		nodeError(t, err, "second")
	}
}

func TestConcurrentInvoke(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	g := NewLinear(h)
	const n = 50
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		got   [n]State
		errs  [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = g.Invoke(t.Context(), State{Trail: []string{fmt.Sprint("run", i)}, N: i * 100})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		want := State{Trail: []string{fmt.Sprint("run", i), "first", "second", "third"}, N: i*100 + 3}
		if errs[i] != nil || !reflect.DeepEqual(got[i], want) {
			t.Errorf("run %d: %+v, %v; want %+v, nil", i, got[i], errs[i], want)
		}
	}
	if c := h.counts(); c != [3]int32{n, n, n} {
		t.Errorf("calls = %v, want %d each", c, n)
	}
}

// An observer sees what Stream yields; observers from the constructor and
// from the call both see every event.
func TestObserverMatchesStream(t *testing.T) {
	t.Parallel()
	var ctor, call casetest.Recorder[State]
	g := NewLinear(&handlers{}, ctor.Option())
	streamed, err := casetest.Drain(t, g.Stream(t.Context(), State{N: 1}))
	if err != nil {
		t.Fatal(err)
	}
	// The constructor's observer saw the Stream run too.
	if !reflect.DeepEqual(ctor.Events(), streamed) {
		t.Errorf("constructor observer saw %q, Stream yielded %q", casetest.Strings(ctor.Events()), casetest.Strings(streamed))
	}
	before := len(ctor.Events())
	got, err := g.Invoke(t.Context(), State{N: 1}, call.Option())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(call.Events(), streamed) {
		t.Errorf("observer saw %q, Stream yielded %q", casetest.Strings(call.Events()), casetest.Strings(streamed))
	}
	if !reflect.DeepEqual(ctor.Events()[before:], streamed) {
		t.Errorf("constructor observer saw %q during Invoke, want %q", casetest.Strings(ctor.Events()[before:]), casetest.Strings(streamed))
	}
	if last := call.Events()[len(call.Events())-1]; last.Kind != runtime.Done || !reflect.DeepEqual(last.State, got) {
		t.Errorf("last event %v with state %+v, want Done with %+v", last, last.State, got)
	}
}

func TestObserverOfWrongStateType(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	wrong := runtime.WithObserver(func(runtime.Event[int]) { t.Error("observer of the wrong type called") })
	in := State{Trail: []string{"in"}}
	got, err := NewLinear(h).Invoke(t.Context(), in, wrong)
	if err == nil {
		t.Fatal("Invoke with an observer of Event[int] succeeded")
	}
	for _, part := range []string{"func(runtime.Event[int])", "linear.State"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("state %+v, want the input", got)
	}
	// Stream reports it as its one Done event.
	events, serr := casetest.Drain(t, NewLinear(h).Stream(t.Context(), in, wrong))
	if serr == nil || serr.Error() != err.Error() {
		t.Errorf("Stream error %v, want %v", serr, err)
	}
	if len(events) != 1 || events[0].Kind != runtime.Done || !reflect.DeepEqual(events[0].State, in) {
		t.Errorf("Stream events %q, want one Done with the input state", casetest.Strings(events))
	}
	if c := h.counts(); c != [3]int32{} {
		t.Errorf("calls = %v, want none", c)
	}
}

// When the caller's context is cancelled, the consumer, still ranging,
// sees every event up to the end: the node that finished, then Done.
func TestStreamCallerCancelKeepsEvents(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h := &handlers{first: func(ctx context.Context, s State) (State, error) {
		cancel() // the caller gives up while first runs; first still returns its state
		return record("first")(ctx, s)
	}}
	events, err := casetest.Drain(t, NewLinear(h).Stream(ctx, State{}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Stream error %v, want context.Canceled", err)
	}
	nodeError(t, err, "second")
	want := []string{
		"NodeStarted first [main]",
		"NodeFinished first -> second [main]",
		"Done: node second: context canceled",
	}
	if got := casetest.Strings(events); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if last := events[len(events)-1]; !reflect.DeepEqual(last.State, State{Trail: []string{"first"}, N: 1}) {
		t.Errorf("Done state %+v, want the state after first", last.State)
	}
}

// A panic in the loop body propagates out of the range statement, and the
// run has returned by then, as after a break: nothing outlives the loop.
func TestStreamLoopPanicWaitsForRun(t *testing.T) {
	t.Parallel()
	var returned atomic.Bool
	guard := casetest.Context(t)
	h := &handlers{first: func(ctx context.Context, s State) (State, error) {
		select {
		case <-ctx.Done():
		case <-guard.Done():
		}
		time.Sleep(20 * time.Millisecond) // a handler that takes a moment to clean up
		returned.Store(true)
		return s, ctx.Err()
	}}
	func() {
		defer func() {
			if r := recover(); r != "consumer failed" {
				t.Errorf("recovered %v, want the loop body's panic", r)
			}
		}()
		for range NewLinear(h).Stream(t.Context(), State{}) {
			panic("consumer failed")
		}
	}()
	if !returned.Load() {
		t.Error("the run was still going when the panic left the range loop")
	}
}
