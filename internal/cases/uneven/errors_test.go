package uneven

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// Named so that the tests can find them in a panic's stack.
func panicInSearchWeb(context.Context, State) (State, error) { panic("web exploded") }
func panicInRankPapers(context.Context, State) (State, error) {
	panic(fmt.Errorf("ranking exploded: %w", errFetch))
}

// A panic in a branch, on a spawned goroutine (search_web) or on the forking
// one (rank_papers, in the last branch), fails the run with the node named;
// the process goes on and no goroutine is left behind (see TestMain).
func TestBranchPanic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		node, branch, fn string
		value            string
		set              func(*handlers)
	}{
		{"search_web", "search_web", "uneven.panicInSearchWeb", "web exploded", func(h *handlers) { h.searchWeb = panicInSearchWeb }},
		{"rank_papers", "fetch_papers", "uneven.panicInRankPapers", "ranking exploded: fetch failed", func(h *handlers) { h.rankPapers = panicInRankPapers }},
	} {
		t.Run(tc.node, func(t *testing.T) {
			t.Parallel()
			h := &handlers{retries: 3}
			tc.set(h)
			_, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"})
			be := branchError(t, err, tc.branch)
			nodeError(t, be.Err, tc.node)
			pe, ok := errors.AsType[*runtime.PanicError](err)
			if !ok {
				t.Fatalf("error %v wraps no *runtime.PanicError", err)
			}
			if fmt.Sprint(pe.Value) != tc.value {
				t.Errorf("PanicError.Value = %v, want %q", pe.Value, tc.value)
			}
			if !strings.Contains(string(pe.Stack), tc.fn) {
				t.Errorf("PanicError.Stack does not name %s:\n%s", tc.fn, pe.Stack)
			}
			if c := h.called(); c["merge"] != 0 || c["review"] != 0 {
				t.Errorf("calls %v: merge and review must not run", c)
			}
		})
	}
	t.Run("panic(error) unwraps", func(t *testing.T) {
		t.Parallel()
		_, err := NewUneven(&handlers{rankPapers: panicInRankPapers}).Invoke(t.Context(), State{})
		if !errors.Is(err, errFetch) {
			t.Errorf("errors.Is(%v, errFetch) = false", err)
		}
	})
}

func TestBranchRouteInvalid(t *testing.T) {
	t.Parallel()
	h := &handlers{routeRank: func(context.Context, State) (RankPapersRoute, error) { return 9, nil }}
	_, err := NewUneven(h).Invoke(t.Context(), State{})
	be := branchError(t, err, "fetch_papers")
	nodeError(t, be.Err, "rank_papers")
	re, ok := errors.AsType[*runtime.RouteError](err)
	if !ok || re.Type != "RankPapersRoute" || re.Value != 9 {
		t.Errorf("RouteError %+v, want RankPapersRoute 9 (error %v)", re, err)
	}
	if want := "branch fetch_papers of fork plan: node rank_papers: route returned RankPapersRoute(9), which is none of its labels"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestMainFlowRouteInvalid(t *testing.T) {
	t.Parallel()
	h := &handlers{retries: 2, routeReview: func(context.Context, State) (ReviewRoute, error) { return 0, nil }}
	got, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"})
	nodeError(t, err, "review")
	if _, ok := errors.AsType[*runtime.BranchError](err); ok {
		t.Errorf("error %v of the main flow is a BranchError", err)
	}
	if re, ok := errors.AsType[*runtime.RouteError](err); !ok || re.Type != "ReviewRoute" || re.Value != 0 {
		t.Errorf("RouteError %+v, want ReviewRoute 0", re)
	}
	// review completed before its route failed.
	if !reflect.DeepEqual(got, oneRound) {
		t.Errorf("state = %+v, want %+v", got, oneRound)
	}
}

func TestMergeError(t *testing.T) {
	t.Parallel()
	errMerge := errors.New("merge failed")
	h := &handlers{merge: func(context.Context, State, MergeBranches) (State, error) { return State{}, errMerge }}
	got, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"})
	nodeError(t, err, "merge")
	if !errors.Is(err, errMerge) {
		t.Errorf("errors.Is(%v, errMerge) = false", err)
	}
	if _, ok := errors.AsType[*runtime.BranchError](err); ok {
		t.Errorf("error %v of the fan-in is a BranchError", err)
	}
	if want := (State{Query: "q", Round: 1, Docs: []string{"plan1"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("state = %+v, want %+v", got, want)
	}
}

// Cancelling the run's context while both branches block stops both, and
// Invoke returns once they have.
func TestCancelWhileBranchesRun(t *testing.T) {
	t.Parallel()
	guard := casetest.Context(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var started sync.WaitGroup
	started.Add(2)
	block := func(ctx context.Context, s State) (State, error) {
		started.Done()
		select {
		case <-ctx.Done():
		case <-guard.Done():
		}
		return s, ctx.Err()
	}
	h := &handlers{searchWeb: block, fetchPapers: block}
	type result struct {
		s   State
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := NewUneven(h).Invoke(ctx, State{Query: "q"})
		done <- result{s, err}
	}()
	allStarted := make(chan struct{})
	go func() { started.Wait(); close(allStarted) }()
	casetest.Await(t, allStarted, "both branches to start")
	cancel()
	r := casetest.Await(t, done, "Invoke after cancel")
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", r.err)
	}
	be := branchError(t, r.err, "")
	nodeError(t, be.Err, be.Branch)
	if c := h.called(); c["merge"] != 0 || c["rank_papers"] != 0 {
		t.Errorf("calls %v after cancel", c)
	}
	if want := (State{Query: "q", Round: 1, Docs: []string{"plan1"}}); !reflect.DeepEqual(r.s, want) {
		t.Errorf("state = %+v, want %+v", r.s, want)
	}
}

// The step limit counts node executions in all branches.
func TestStepLimitCountsBranches(t *testing.T) {
	t.Parallel()
	webDone := make(chan struct{})
	h := &handlers{
		retries: 1000,
		searchWeb: func(ctx context.Context, s State) (State, error) {
			defer close(webDone)
			return defSearchWeb(ctx, s)
		},
		fetchPapers: func(ctx context.Context, s State) (State, error) {
			if !casetest.Wait(ctx, webDone) { // search_web takes step 2
				return s, errors.New("search_web never finished")
			}
			return defFetchPapers(ctx, s)
		},
	}
	_, err := NewUneven(h).Invoke(t.Context(), State{}, runtime.WithMaxSteps(20))
	if !errors.Is(err, runtime.ErrStepLimit) {
		t.Fatalf("error %v, want ErrStepLimit", err)
	}
	be := branchError(t, err, "fetch_papers")
	// plan, search_web, then fetch_papers and rank_papers in turn: step 21
	// would be fetch_papers.
	nodeError(t, be.Err, "fetch_papers")
	want := map[string]int{"plan": 1, "search_web": 1, "fetch_papers": 9, "rank_papers": 9}
	if c := h.called(); !reflect.DeepEqual(c, want) {
		t.Errorf("calls %v, want %v", c, want)
	}
}

func TestConcurrentInvoke(t *testing.T) {
	t.Parallel()
	g := NewUneven(&handlers{rounds: 2, retries: 2})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			q := fmt.Sprint("q", i)
			got, err := g.Invoke(t.Context(), State{Query: q})
			want := twoRounds
			want.Query = q
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("run %d: %+v, %v; want %+v", i, got, err, want)
			}
		})
	}
	wg.Wait()
}

func TestObserverOfWrongStateType(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	_, err := NewUneven(h, runtime.WithObserver(func(runtime.Event[*State]) {})).Invoke(t.Context(), State{})
	// %T spells a type argument with its full package path.
	if err == nil || !strings.Contains(err.Error(), "func(runtime.Event[*github.com/graphc/graphc/internal/cases/uneven.State])") ||
		!strings.Contains(err.Error(), "use runtime.WithObserver(func(runtime.Event[uneven.State])") {
		t.Errorf("error %v, want one naming the observer's and the graph's state types", err)
	}
	if c := h.called(); len(c) != 0 {
		t.Errorf("calls %v, want none", c)
	}
}

// A branch whose goroutine exits without returning (runtime.Goexit, as
// t.FailNow does) neither delivered its state nor reported an error: the
// fork must not count it as arrived, so merge must not run with a zero
// state in its place, and the run must fail.
func TestBranchGoexitIsNotAnArrival(t *testing.T) {
	t.Parallel()
	h := &handlers{searchWeb: func(context.Context, State) (State, error) {
		goruntime.Goexit()
		return State{}, nil
	}}
	// search_web is branch 0, which runs on a goroutine of its own.
	_, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"})
	if err == nil {
		t.Error("Invoke succeeded though branch search_web never delivered")
	}
	for _, m := range h.mergeCalls() {
		t.Errorf("merge ran with SearchWeb %+v (never delivered) and FetchPapers %+v", m.In.SearchWeb, m.In.FetchPapers)
	}
}
