package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/graphc/graphc/runtime"
)

func TestOptionsApplyDoesNotShareObservers(t *testing.T) {
	base := runtime.Options{}.Apply(runtime.WithObserver(func(runtime.Event[int]) {}))
	var a, b int
	o1 := base.Apply(runtime.WithObserver(func(runtime.Event[int]) { a++ }))
	o2 := base.Apply(runtime.WithObserver(func(runtime.Event[int]) { b++ }))
	x1, err := runtime.NewExec[int](o1, []string{"n"})
	if err != nil {
		t.Fatal(err)
	}
	x2, _ := runtime.NewExec[int](o2, []string{"n"})
	one := 1
	x1.Leave(runtime.Branch{}, 0, runtime.EndNode, &one)
	x2.Leave(runtime.Branch{}, 0, runtime.EndNode, &one)
	x2.Leave(runtime.Branch{}, 0, runtime.EndNode, &one)
	if a != 1 || b != 2 {
		t.Errorf("observers leaked between option sets: a=%d b=%d", a, b)
	}
	if o := base.Apply(); o.MaxSteps != 0 || o.MaxWorkers != 0 {
		t.Errorf("Apply() changed options: %+v", o)
	}
}

func TestObserverOfAnotherStateType(t *testing.T) {
	_, err := runtime.NewExec[string](runtime.Options{}.Apply(runtime.WithObserver(func(runtime.Event[int]) {})), nil)
	if err == nil || !strings.Contains(err.Error(), "runtime.WithObserver") {
		t.Fatalf("got %v", err)
	}
}

func TestErrors(t *testing.T) {
	cause := errors.New("boom")
	err := fmt.Errorf("wrapped: %w", &runtime.BranchError{Fork: "plan", Branch: "web",
		Err: &runtime.NodeError{Node: "fetch", Err: &runtime.PanicError{Value: cause}}})
	if got, want := err.Error(), "wrapped: branch web of fork plan: node fetch: panic: boom"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var ne *runtime.NodeError
	if !errors.As(err, &ne) || ne.Node != "fetch" || !errors.Is(err, cause) {
		t.Errorf("errors.As/Is do not see through: %v", err)
	}
	limit := &runtime.NodeError{Node: "n", Err: &runtime.StepLimitError{Limit: 3}}
	if !errors.Is(limit, runtime.ErrStepLimit) || !strings.Contains(limit.Error(), "3 nodes") {
		t.Errorf("step limit: %v", limit)
	}
	route := &runtime.RouteError{Type: "ReviewRoute", Value: 7}
	if route.Error() != "route returned ReviewRoute(7), which is none of its labels" {
		t.Errorf("route: %v", route)
	}
}

func TestStrings(t *testing.T) {
	for got, want := range map[string]string{
		runtime.Cancel.String():         "cancel",
		runtime.Wait.String():           "wait",
		runtime.Policy(9).String():      "Policy(9)",
		runtime.NodeStarted.String():    "NodeStarted",
		runtime.Done.String():           "Done",
		runtime.EventKind(0).String():   "EventKind(0)",
		runtime.EventKind(200).String(): "EventKind(200)",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestEnterLimitsAndCancellation(t *testing.T) {
	x, _ := runtime.NewExec[int](runtime.Options{MaxSteps: 2}, []string{"a"})
	ctx := context.Background()
	for i := range 2 {
		if err := x.Enter(ctx, runtime.Branch{}, 0); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := x.Enter(ctx, runtime.Branch{}, 0); !errors.Is(err, runtime.ErrStepLimit) {
		t.Fatalf("third step: %v", err)
	}
	y, _ := runtime.NewExec[int](runtime.Options{}, []string{"a"})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := y.Enter(cctx, runtime.Branch{}, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// join is a hand-made Join: branch i records itself; branch fail fails.
type join struct {
	mu      sync.Mutex
	ran     []int
	fail    int
	active  atomic.Int32
	maxSeen atomic.Int32
	inner   func(ctx context.Context, b runtime.Branch) error
}

func (j *join) RunBranch(ctx context.Context, b runtime.Branch, entry int, _ *int) error {
	n := j.active.Add(1)
	defer j.active.Add(-1)
	for {
		m := j.maxSeen.Load()
		if n <= m || j.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if j.inner != nil {
		if err := j.inner(ctx, b); err != nil {
			return err
		}
	}
	if b.Index == j.fail {
		return errors.New("failed")
	}
	j.mu.Lock()
	j.ran = append(j.ran, b.Index)
	j.mu.Unlock()
	return nil
}

func TestForkRunsEveryBranchOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3} {
		x, _ := runtime.NewExec[int](runtime.Options{MaxWorkers: workers}, []string{"f", "j", "a", "b", "c", "d"})
		j := &join{fail: -1}
		spec := &runtime.ForkSpec{Node: 0, FanIn: 1, Entries: []int{2, 3, 4, 5}}
		if err := x.Fork(context.Background(), runtime.Branch{}, spec, j, new(int)); err != nil {
			t.Fatal(err)
		}
		if len(j.ran) != 4 {
			t.Errorf("workers=%d: branches ran %v", workers, j.ran)
		}
		// The forking goroutine runs branches too: at most workers+1 at once.
		if workers > 0 && int(j.maxSeen.Load()) > workers+1 {
			t.Errorf("workers=%d: %d branches ran at once", workers, j.maxSeen.Load())
		}
	}
}

// TestNestedForksUnderWorkerLimitDoNotDeadlock nests forks three deep with
// a single worker token and branches that wait for each other only through
// the fork's own completion.
func TestNestedForksUnderWorkerLimitDoNotDeadlock(t *testing.T) {
	x, _ := runtime.NewExec[int](runtime.Options{MaxWorkers: 1}, []string{"f", "j", "a", "b", "c"})
	spec := &runtime.ForkSpec{Node: 0, FanIn: 1, Entries: []int{2, 3, 4}}
	var leaves atomic.Int32
	var nest func(depth int) func(ctx context.Context, b runtime.Branch) error
	nest = func(depth int) func(ctx context.Context, b runtime.Branch) error {
		return func(ctx context.Context, b runtime.Branch) error {
			if depth == 0 {
				leaves.Add(1)
				return nil
			}
			return x.Fork(ctx, b, spec, &join{fail: -1, inner: nest(depth - 1)}, new(int))
		}
	}
	if err := x.Fork(context.Background(), runtime.Branch{}, spec, &join{fail: -1, inner: nest(3)}, new(int)); err != nil {
		t.Fatal(err)
	}
	if leaves.Load() != 81 {
		t.Errorf("leaves = %d, want 81", leaves.Load())
	}
}

func TestForkErrorPolicies(t *testing.T) {
	names := []string{"f", "j", "a", "b", "c"}
	spec := &runtime.ForkSpec{Node: 0, FanIn: 1, Entries: []int{2, 3, 4}}

	// Cancel: the failing branch's error, the others see a cancelled context.
	x, _ := runtime.NewExec[int](runtime.Options{OnBranchError: runtime.Cancel}, names)
	var sawCancel atomic.Bool
	j := &join{fail: 1, inner: func(ctx context.Context, b runtime.Branch) error {
		if b.Index != 1 {
			<-ctx.Done()
			sawCancel.Store(true)
			return ctx.Err()
		}
		return nil
	}}
	err := x.Fork(context.Background(), runtime.Branch{}, spec, j, new(int))
	var be *runtime.BranchError
	if !errors.As(err, &be) || be.Branch != "b" || be.Fork != "f" || !sawCancel.Load() {
		t.Errorf("cancel policy: %v (sibling cancelled: %v)", err, sawCancel.Load())
	}

	// Wait: everyone finishes; both errors are joined, the first first.
	y, _ := runtime.NewExec[int](runtime.Options{OnBranchError: runtime.Wait}, names)
	k := &join{fail: 1, inner: func(ctx context.Context, b runtime.Branch) error {
		if b.Index == 2 {
			return errors.New("also failed")
		}
		return nil
	}}
	err = y.Fork(context.Background(), runtime.Branch{}, spec, k, new(int))
	if err == nil || !strings.Contains(err.Error(), "branch b of fork f: failed") || !strings.Contains(err.Error(), "branch c of fork f: also failed") || len(k.ran) != 1 {
		t.Errorf("wait policy: %v, ran %v", err, k.ran)
	}
}

func TestStreamRunFailsBeforeStart(t *testing.T) {
	boom := errors.New("no start")
	var n int
	for e, err := range runtime.Stream(context.Background(), func(ctx context.Context, _ runtime.Option) (int, error) {
		return 0, boom
	}) {
		n++
		if e.Kind != runtime.Done || !errors.Is(err, boom) {
			t.Errorf("got %v, %v", e, err)
		}
	}
	if n != 1 {
		t.Errorf("%d events, want 1 (Done)", n)
	}
}

// TestGoexitInInlineBranchWaitsForSiblings: the last branch runs on the
// forking goroutine; when it ends that goroutine with runtime.Goexit, the
// fork must still not leave its spawned sibling running.
func TestGoexitInInlineBranchWaitsForSiblings(t *testing.T) {
	x, _ := runtime.NewExec[int](runtime.Options{}, []string{"f", "j", "a", "b"})
	spec := &runtime.ForkSpec{Node: 0, FanIn: 1, Entries: []int{2, 3}}
	started := make(chan struct{})
	var siblingDone atomic.Bool
	j := &join{fail: -1, inner: func(ctx context.Context, b runtime.Branch) error {
		if b.Index == 0 {
			close(started)
			<-ctx.Done() // cancelled once the other branch fails
			siblingDone.Store(true)
			return ctx.Err()
		}
		<-started
		goexit()
		return nil
	}}
	var forkReturned atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { forkReturned.Store(siblingDone.Load()) }()
		x.Fork(context.Background(), runtime.Branch{}, spec, j, new(int))
	}()
	<-done
	if !forkReturned.Load() {
		t.Error("the fork unwound past its sibling branch, which was still running")
	}
}

func TestStreamGoexitIsAnError(t *testing.T) {
	var last error
	for e, err := range runtime.Stream(context.Background(), func(ctx context.Context, _ runtime.Option) (int, error) {
		goexit()
		return 1, nil
	}) {
		if e.Kind == runtime.Done {
			last = err
		}
	}
	if last == nil || !strings.Contains(last.Error(), "Goexit") {
		t.Errorf("Done carried %v", last)
	}
}

func TestCancelCauseIsKept(t *testing.T) {
	x, _ := runtime.NewExec[int](runtime.Options{}, []string{"a"})
	why := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(why)
	err := x.Enter(ctx, runtime.Branch{}, 0)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, why) {
		t.Errorf("got %v", err)
	}
}

// nopJoin is a join whose branches do nothing.
type nopJoin struct{}

func (nopJoin) RunBranch(context.Context, runtime.Branch, int, *int) error { return nil }

// A fork of a run without a store or hooks takes its activation from its
// ForkSpec's pool and gives it back: once warm, a fork whose one branch
// runs on the forking goroutine, under the Wait policy (no cancellable
// context), allocates nothing.
func TestForkReusesItsActivation(t *testing.T) {
	x, _ := runtime.NewExec[int](runtime.Options{OnBranchError: runtime.Wait}, []string{"f", "j", "a"})
	spec := &runtime.ForkSpec{Node: 0, FanIn: 1, Entries: []int{2}}
	var j runtime.Join[int] = nopJoin{}
	s := new(int)
	allocs := testing.AllocsPerRun(100, func() {
		if err := x.Fork(context.Background(), runtime.Branch{}, spec, j, s); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a warm fork allocates %v times, want 0", allocs)
	}
}

// A pooled activation starts clean: a select fork whose one branch fails,
// under Cancel with one worker, leaves skipped branches, an error and a
// cancelled context behind it; the next fork of the same spec, under Wait,
// runs every branch and succeeds.
func TestForkAfterAFailedSelectRunsEveryBranch(t *testing.T) {
	spec := &runtime.ForkSpec{Node: 0, FanIn: 1, Entries: []int{2, 3, 4, 5}, Select: true}
	names := []string{"f", "j", "a", "b", "c", "d"}
	for range 20 { // the pool may drop what was put (always under -race, sometimes)
		x, _ := runtime.NewExec[int](runtime.Options{MaxWorkers: 1}, names)
		if err := x.ForkSelect(context.Background(), runtime.Branch{}, spec, &join{fail: 1}, new(int), 0b0011); err == nil {
			t.Fatal("the failing select fork returned no error")
		}
		y, _ := runtime.NewExec[int](runtime.Options{OnBranchError: runtime.Wait}, names)
		j := &join{fail: -1}
		if err := y.Fork(context.Background(), runtime.Branch{}, spec, j, new(int)); err != nil {
			t.Fatalf("the fork after it: %v", err)
		}
		if len(j.ran) != 4 {
			t.Fatalf("the fork after a failed select ran branches %v, want all 4", j.ran)
		}
	}
}
