package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/graphc/graphc/runtime"
)

// script is a Flaky handler whose nodes do what a test says: each node's
// function gets its 1-based call number. Unset nodes pass the state on.
type script struct {
	mu    sync.Mutex
	calls map[string]int
	do    map[string]func(ctx context.Context, call int) error
	route func(ctx context.Context, call int) (DecideRoute, error)
}

func newScript() *script {
	return &script{calls: map[string]int{}, do: map[string]func(context.Context, int) error{}}
}

func (h *script) run(ctx context.Context, node string, s State) (State, error) {
	h.mu.Lock()
	h.calls[node]++
	n := h.calls[node]
	fn := h.do[node]
	h.mu.Unlock()
	if fn != nil {
		if err := fn(ctx, n); err != nil {
			return s, err
		}
	}
	s.Log = append(s.Log, node)
	return s, nil
}

func (h *script) count(node string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[node]
}

func (h *script) Start(ctx context.Context, s State) (State, error)  { return h.run(ctx, "start", s) }
func (h *script) Fetch(ctx context.Context, s State) (State, error)  { return h.run(ctx, "fetch", s) }
func (h *script) Left(ctx context.Context, s State) (State, error)   { return h.run(ctx, "left", s) }
func (h *script) Right(ctx context.Context, s State) (State, error)  { return h.run(ctx, "right", s) }
func (h *script) Decide(ctx context.Context, s State) (State, error) { return h.run(ctx, "decide", s) }
func (h *script) Join(ctx context.Context, s State, in JoinBranches) (State, error) {
	base := len(s.Log)
	s.Log = append(s.Log, in.Left.Log[base:]...)
	s.Log = append(s.Log, in.Right.Log[base:]...)
	return h.run(ctx, "join", s)
}
func (h *script) RouteDecide(ctx context.Context, s State) (DecideRoute, error) {
	h.mu.Lock()
	h.calls["route"]++
	n := h.calls["route"]
	h.mu.Unlock()
	if h.route != nil {
		return h.route(ctx, n)
	}
	return DecideDone, nil
}

// failing returns an error per call: fail1, fail2, ...; ok from call ok on
// (0: never).
func failing(node string, ok int, errs map[int]error) func(context.Context, int) error {
	return func(_ context.Context, call int) error {
		if ok > 0 && call >= ok {
			return nil
		}
		err := fmt.Errorf("%s failed, call %d", node, call)
		if errs != nil {
			errs[call] = err
		}
		return err
	}
}

// retries collects the NodeRetrying events of a run.
type retries struct {
	mu  sync.Mutex
	got []string
}

func (r *retries) option() runtime.Option {
	return WithFlakyObserver(func(e runtime.Event[State]) {
		if e.Kind == runtime.NodeRetrying {
			r.mu.Lock()
			r.got = append(r.got, fmt.Sprintf("%s#%d: %v", e.Node, e.Attempt, e.Err))
			r.mu.Unlock()
		}
	})
}

func (r *retries) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// fetch fails twice, then succeeds: attempts: 3 is enough, each retry is
// an event, and the attempts are not steps (6 nodes run: a limit of 6 holds).
func TestRetryThenSucceed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.do["fetch"] = failing("fetch", 3, nil)
		var r retries
		s, err := NewFlaky(h).Invoke(t.Context(), State{}, r.option(), runtime.WithMaxSteps(6))
		if err != nil {
			t.Fatal(err)
		}
		if got := h.count("fetch"); got != 3 {
			t.Errorf("fetch called %d times, want 3", got)
		}
		want := []string{"fetch#1: fetch failed, call 1", "fetch#2: fetch failed, call 2"}
		if got := r.list(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("retry events %q, want %q", got, want)
		}
		if got := strings.Join(s.Log, " "); got != "start fetch left right join decide" {
			t.Errorf("log %q", got)
		}
	})
}

// fetch always fails: the run fails naming it, with the last cause in the
// message and every attempt's error reachable through errors.Is.
func TestRetryExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		errs := map[int]error{}
		h.do["fetch"] = failing("fetch", 0, errs)
		_, err := NewFlaky(h).Invoke(t.Context(), State{})
		var ne *runtime.NodeError
		if !errors.As(err, &ne) || ne.Node != "fetch" {
			t.Fatalf("got %v, want a NodeError naming fetch", err)
		}
		if want := "node fetch: 3 attempts failed, the last: fetch failed, call 3"; err.Error() != want {
			t.Errorf("got %q, want %q", err, want)
		}
		if len(errs) != 3 {
			t.Fatalf("fetch called %d times, want 3", len(errs))
		}
		for call, e := range errs {
			if !errors.Is(err, e) {
				t.Errorf("attempt %d's error is not visible through errors.Is", call)
			}
		}
		var re *runtime.RetryError
		if !errors.As(err, &re) || len(re.Errs) != 3 {
			t.Errorf("want a RetryError with 3 errors, got %#v", re)
		}
	})
}

// A Permanent error is not retried, and is still seen through.
func TestPermanentNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		bad := errors.New("400 bad request")
		h.do["fetch"] = func(context.Context, int) error { return runtime.Permanent(bad) }
		_, err := NewFlaky(h).Invoke(t.Context(), State{})
		if !errors.Is(err, bad) || h.count("fetch") != 1 {
			t.Fatalf("got %v after %d calls, want the permanent error after 1", err, h.count("fetch"))
		}
		if err.Error() != "node fetch: 400 bad request" {
			t.Errorf("message %q", err)
		}
	})
}

// A handler that honours its context times out at 20s on each attempt:
// the run fails with TimeoutErrors (context.DeadlineExceeded) after 3 attempts.
func TestTimeoutHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.do["fetch"] = func(ctx context.Context, _ int) error {
			<-ctx.Done()
			return ctx.Err()
		}
		_, err := NewFlaky(h).Invoke(t.Context(), State{})
		var te *runtime.TimeoutError
		if !errors.As(err, &te) || te.Timeout != 20*time.Second || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a TimeoutError of 20s", err)
		}
		if h.count("fetch") != 3 {
			t.Errorf("fetch called %d times, want 3", h.count("fetch"))
		}
		if want := "node fetch: 3 attempts failed, the last: attempt timed out after 20s"; err.Error() != want {
			t.Errorf("got %q, want %q", err, want)
		}
	})
}

// A handler that ignores its context for 30s (past the 20s timeout) is
// waited for, not abandoned: its late result is dropped for a TimeoutError,
// the next attempt (which is quick) succeeds, and by the time Invoke
// returns, every attempt has returned.
func TestTimeoutIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		var running atomic.Int32
		h.do["fetch"] = func(ctx context.Context, call int) error {
			running.Add(1)
			defer running.Add(-1)
			if call == 1 {
				time.Sleep(30 * time.Second) // deaf to ctx
			}
			return nil
		}
		var r retries
		s, err := NewFlaky(h).Invoke(t.Context(), State{}, r.option())
		if err != nil {
			t.Fatal(err)
		}
		if running.Load() != 0 {
			t.Error("an attempt was still running when Invoke returned")
		}
		if got := r.list(); len(got) != 1 || got[0] != "fetch#1: attempt timed out after 20s" {
			t.Errorf("retries %q", got)
		}
		if strings.Count(strings.Join(s.Log, " "), "fetch") != 1 {
			t.Errorf("the timed-out attempt's result leaked into the state: %q", s.Log)
		}
	})
}

// Cancelling the run while a node waits out its backoff (1h for left)
// ends the run at once: no fake time needs to pass for Invoke to return.
func TestCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		h := newScript()
		h.do["left"] = failing("left", 0, nil)
		retrying := make(chan struct{}, 1)
		obs := WithFlakyObserver(func(e runtime.Event[State]) {
			if e.Kind == runtime.NodeRetrying {
				select {
				case retrying <- struct{}{}:
				default:
				}
			}
		})
		done := make(chan error, 1)
		go func() {
			_, err := NewFlaky(h).Invoke(ctx, State{}, obs)
			done <- err
		}()
		<-retrying
		synctest.Wait() // left is now blocked in its backoff
		cancel()
		synctest.Wait() // everything that can run without time passing has run
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || h.count("left") != 1 {
				t.Errorf("got %v after %d calls of left", err, h.count("left"))
			}
			var re *runtime.RetryError
			if !errors.As(err, &re) || re.Stopped == nil {
				t.Errorf("want a RetryError stopped by the cancellation, got %v", err)
			}
		default:
			t.Fatal("Invoke still waits for the backoff after its context was cancelled")
		}
	})
}

// The run's own cancellation is not retried, even while attempts remain.
func TestRunCancellationNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		h := newScript()
		h.do["fetch"] = func(ctx context.Context, _ int) error {
			cancel()
			return ctx.Err()
		}
		var r retries
		_, err := NewFlaky(h).Invoke(ctx, State{}, r.option())
		if !errors.Is(err, context.Canceled) || h.count("fetch") != 1 {
			t.Fatalf("got %v after %d calls", err, h.count("fetch"))
		}
		if got := r.list(); len(got) != 0 {
			t.Errorf("the run's cancellation was retried: %q", got)
		}
	})
}

func panicInFetch(context.Context, int) error { panic("fetch exploded") }

// A panic in a retried node ends the run at once (fetch), unless the node
// says panics: true (right), where it is retried like an error.
func TestPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.do["fetch"] = panicInFetch
		_, err := NewFlaky(h).Invoke(t.Context(), State{})
		var pe *runtime.PanicError
		if !errors.As(err, &pe) || h.count("fetch") != 1 || !strings.HasPrefix(err.Error(), "node fetch: panic: fetch exploded") {
			t.Fatalf("got %v after %d calls, want the panic after 1", err, h.count("fetch"))
		}
		if !strings.Contains(string(pe.Stack), "policies.panicInFetch") {
			t.Errorf("the stack does not show the panicking function:\n%s", pe.Stack)
		}

		h = newScript()
		h.do["right"] = func(_ context.Context, call int) error {
			if call < 3 {
				panic(fmt.Sprintf("right exploded, call %d", call))
			}
			return nil
		}
		var r retries
		if _, err := NewFlaky(h).Invoke(t.Context(), State{}, r.option()); err != nil {
			t.Fatal(err)
		}
		if got := r.list(); len(got) != 2 || got[1] != "right#2: panic: right exploded, call 2" {
			t.Errorf("retries %q", got)
		}
	})
}

// The route handler shares its node's policy: decide's route fails once,
// then answers.
func TestRouteRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.route = func(_ context.Context, call int) (DecideRoute, error) {
			if call == 1 {
				return 0, errors.New("router down")
			}
			return DecideDone, nil
		}
		var r retries
		if _, err := NewFlaky(h).Invoke(t.Context(), State{}, r.option()); err != nil {
			t.Fatal(err)
		}
		if got := r.list(); len(got) != 1 || got[0] != "decide#1: router down" {
			t.Errorf("retries %q", got)
		}
	})
}

// Policies on branch nodes: right always fails (3 attempts) while left
// fails once and waits out a 1h backoff. Under cancel, right's failure
// cancels left's backoff and the run fails with right's error alone; under
// wait, left retries and succeeds, and the run fails with right's error.
func TestBranchPolicies(t *testing.T) {
	for _, policy := range []runtime.Policy{runtime.Cancel, runtime.Wait} {
		t.Run(policy.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newScript()
				h.do["left"] = failing("left", 2, nil)
				h.do["right"] = failing("right", 0, nil)
				_, err := NewFlaky(h, runtime.WithOnBranchError(policy)).Invoke(t.Context(), State{})
				var be *runtime.BranchError
				if !errors.As(err, &be) || be.Branch != "right" {
					t.Fatalf("got %v, want right's branch error", err)
				}
				if !strings.Contains(err.Error(), "node right: 3 attempts failed, the last: right failed, call 3") {
					t.Errorf("got %q", err)
				}
				wantLeft := map[runtime.Policy]int{runtime.Cancel: 1, runtime.Wait: 2}[policy]
				if got := h.count("left"); got != wantLeft {
					t.Errorf("left called %d times, want %d", got, wantLeft)
				}
				if policy == runtime.Cancel && strings.Contains(err.Error(), "branch left") {
					t.Errorf("under cancel, left's cancellation is not the run's error: %v", err)
				}
			})
		})
	}
}

// TestRetryBudgetSurvivesResume: a durable run records each failed attempt,
// so a run cut during its backoff and resumed goes on with the attempts it
// had left (fetch has 3), instead of starting the budget over.
func TestRetryBudgetSurvivesResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := runtime.NewMemoryStore()
		h := newScript()
		ctx, cancel := context.WithCancel(t.Context())
		h.do["fetch"] = func(context.Context, int) error { return errors.New("flaky") }
		g := NewFlaky(h, runtime.WithStore(st))
		dies := WithFlakyObserver(func(e runtime.Event[State]) {
			if e.Kind == runtime.NodeRetrying && e.Attempt == 2 {
				cancel() // the process "dies" in the backoff after attempt 2
			}
		})
		if _, err := g.Invoke(ctx, State{}, runtime.WithThread("t"), dies); !errors.Is(err, context.Canceled) {
			t.Fatalf("first run: %v", err)
		}
		recs, _ := st.Load(t.Context(), "t")
		var attempts []int
		for _, r := range recs {
			if r.Kind == runtime.RetryRecord {
				attempts = append(attempts, r.Attempt)
			}
		}
		if !slices.Equal(attempts, []int{1, 2}) {
			t.Fatalf("recorded failed attempts %v, want [1 2]", attempts)
		}
		h.do["fetch"] = func(context.Context, int) error { return errors.New("still flaky") }
		_, err := g.Resume(t.Context(), "t")
		if err == nil || h.count("fetch") != 3 {
			t.Fatalf("resume: %v after %d calls of fetch; want a failure after its third attempt, the only one left", err, h.count("fetch"))
		}
	})
}

// TestRetryInBranchSurvivesResume: a branch whose entry node only failed
// (its failed attempts are all its flow recorded) resumes at that node, on
// the fork-time state, with the attempts it had left.
func TestRetryInBranchSurvivesResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := runtime.NewMemoryStore()
		h := newScript()
		ctx, cancel := context.WithCancel(t.Context())
		h.do["left"] = func(context.Context, int) error { return errors.New("mirror down") }
		g := NewFlaky(h, runtime.WithStore(st))
		dies := WithFlakyObserver(func(e runtime.Event[State]) {
			if e.Kind == runtime.NodeRetrying && e.Node == "left" {
				cancel() // the process "dies" in left's backoff
			}
		})
		if _, err := g.Invoke(ctx, State{}, runtime.WithThread("t"), dies, runtime.WithOnBranchError(runtime.Wait)); err == nil {
			t.Fatal("the first run succeeded")
		}
		before := h.count("left")
		h.do["left"] = nil
		var attempts []int
		s, err := g.Resume(t.Context(), "t", WithFlakyObserver(func(e runtime.Event[State]) {}), runtime.WithNodeHook(func(ctx context.Context, sc runtime.Scope) (context.Context, func(runtime.Report)) {
			if sc.Node != "left" {
				return ctx, nil
			}
			return ctx, func(r runtime.Report) {
				if !r.Retrying {
					attempts = append(attempts, r.Attempt)
				}
			}
		}))
		if err != nil {
			t.Fatalf("resume: %v", err)
		}
		if h.count("left") != before+1 || !slices.Equal(attempts, []int{2}) {
			t.Fatalf("left ran %d more times, ending at attempts %v; want once more, as attempt 2", h.count("left")-before, attempts)
		}
		if !slices.Contains(s.Log, "left") {
			t.Fatalf("final log %v", s.Log)
		}
	})
}
