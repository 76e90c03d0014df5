package uneven

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// oneRound is the final state of a run from State{Query: "q"} with one
// round and two fetches.
var oneRound = State{
	Query:   "q",
	Round:   1,
	Retries: 2,
	Docs:    []string{"plan1", "web1", "paper1.0", "paper1.1", "review1"},
	Scores:  map[string]float64{"paper1.0": 1, "paper1.1": 2},
}

// twoRounds is the final state of a run from State{Query: "q"} with two
// rounds and two fetches in each.
var twoRounds = State{
	Query:   "q",
	Round:   2,
	Retries: 2,
	Docs: []string{
		"plan1", "web1", "paper1.0", "paper1.1", "review1",
		"plan2", "web2", "paper2.0", "paper2.1", "review2",
	},
	Scores: map[string]float64{"paper1.0": 1, "paper1.1": 2, "paper2.0": 1, "paper2.1": 2},
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rounds, retries int
		want            State
		calls           map[string]int
	}{
		{1, 2, oneRound, map[string]int{"plan": 1, "search_web": 1, "fetch_papers": 2, "rank_papers": 2, "merge": 1, "review": 1}},
		{2, 2, twoRounds, map[string]int{"plan": 2, "search_web": 2, "fetch_papers": 4, "rank_papers": 4, "merge": 2, "review": 2}},
	} {
		t.Run(fmt.Sprintf("rounds%d", tc.rounds), func(t *testing.T) {
			t.Parallel()
			h := &handlers{rounds: tc.rounds, retries: tc.retries}
			got, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Invoke =\n%+v\nwant\n%+v", got, tc.want)
			}
			if c := h.called(); !reflect.DeepEqual(c, tc.calls) {
				t.Errorf("calls %v, want %v", c, tc.calls)
			}
		})
	}
}

// Merge gets the state plan returned and, in the fields named after the
// branch entry nodes, what each branch ended with.
func TestMergeGetsBothBranches(t *testing.T) {
	t.Parallel()
	h := &handlers{rounds: 1, retries: 3}
	if _, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"}); err != nil {
		t.Fatal(err)
	}
	want := []mergeCall{{
		S: State{Query: "q", Round: 1, Docs: []string{"plan1"}},
		In: MergeBranches{
			SearchWeb: State{Query: "q", Round: 1, Docs: []string{"plan1", "web1"}},
			FetchPapers: State{
				Query: "q", Round: 1, Retries: 3,
				Docs:   []string{"plan1", "paper1.0", "paper1.1", "paper1.2"},
				Scores: map[string]float64{"paper1.0": 1, "paper1.1": 2, "paper1.2": 3},
			},
		},
	}}
	if got := h.mergeCalls(); !reflect.DeepEqual(got, want) {
		t.Errorf("merge calls\n%+v\nwant\n%+v", got, want)
	}
}

// Each branch starts on its own deep copy of the state plan returned: a
// branch that appends into spare capacity, overwrites slice elements, writes
// to the map and through the pointer touches neither its sibling nor the
// fork-time state that merge gets.
func TestBranchIsolation(t *testing.T) {
	t.Parallel()
	forkState := func() State {
		docs := make([]string, 1, 16) // spare capacity: appends write in place
		docs[0] = "plan"
		tags := make([]string, 1, 16)
		tags[0] = "t"
		return State{
			Query:  "q",
			Docs:   docs,
			Scores: map[string]float64{"plan": 1},
			Best:   &Doc{Title: "best", Tags: tags},
		}
	}
	mutate := func(s State, who string) State {
		s.Docs[0] = who + ":plan"
		s.Docs = append(s.Docs, who)
		s.Scores["plan"] = 100
		s.Scores[who] = 1
		s.Best.Title = who
		s.Best.Tags[0] = who + ":t"
		s.Best.Tags = append(s.Best.Tags, who)
		return s
	}
	untouched := func(who string, s State) error {
		if want := forkState(); !reflect.DeepEqual(s, want) {
			return fmt.Errorf("%s got %+v (Best %+v), want the fork-time state %+v (Best %+v)", who, s, s.Best, want, want.Best)
		}
		return nil
	}
	webDone := make(chan struct{})
	h := &handlers{
		plan: func(context.Context, State) (State, error) { return forkState(), nil },
		searchWeb: func(_ context.Context, s State) (State, error) {
			defer close(webDone)
			if err := untouched("search_web", s); err != nil {
				return s, err
			}
			return mutate(s, "web"), nil
		},
		fetchPapers: func(ctx context.Context, s State) (State, error) {
			// Look at this branch's state only once the sibling has mutated its own.
			if !casetest.Wait(ctx, webDone) {
				return s, errors.New("search_web never finished")
			}
			if err := untouched("fetch_papers", s); err != nil {
				return s, err
			}
			return mutate(s, "papers"), nil
		},
		rankPapers: func(_ context.Context, s State) (State, error) { return s, nil },
		review:     func(_ context.Context, s State) (State, error) { return s, nil },
		merge: func(_ context.Context, s State, in MergeBranches) (State, error) {
			return s, untouched("merge's s", s)
		},
	}
	got, err := NewUneven(h).Invoke(t.Context(), State{})
	if err != nil {
		t.Fatal(err)
	}
	if err := untouched("the final state", got); err != nil {
		t.Error(err)
	}
	branch := func(who string) State {
		return State{
			Query:  "q",
			Docs:   []string{who + ":plan", who},
			Scores: map[string]float64{"plan": 100, who: 1},
			Best:   &Doc{Title: who, Tags: []string{who + ":t", who}},
		}
	}
	calls := h.mergeCalls()
	if len(calls) != 1 {
		t.Fatalf("merge ran %d times, want 1", len(calls))
	}
	if want := (MergeBranches{SearchWeb: branch("web"), FetchPapers: branch("papers")}); !reflect.DeepEqual(calls[0].In, want) {
		t.Errorf("merge got branches\n%+v / %+v\nwant\n%+v / %+v", calls[0].In.SearchWeb, calls[0].In.FetchPapers, want.SearchWeb, want.FetchPapers)
	}
}

// Merge runs only once both branches have arrived, whichever comes last.
func TestMergeWaitsForSlowBranch(t *testing.T) {
	t.Parallel()
	for _, slow := range []string{"search_web", "fetch_papers"} {
		t.Run(slow, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			gate := func(def node) node {
				return func(ctx context.Context, s State) (State, error) {
					if !casetest.Wait(ctx, release) {
						return s, errors.New("never released")
					}
					return def(ctx, s)
				}
			}
			var mergeStarted atomic.Bool
			h := &handlers{
				retries: 2,
				merge: func(ctx context.Context, s State, in MergeBranches) (State, error) {
					mergeStarted.Store(true)
					return defMerge(ctx, s, in)
				},
			}
			fast := 1
			if slow == "search_web" {
				h.searchWeb = gate(defSearchWeb)
			} else {
				h.fetchPapers = gate(defFetchPapers)
				fast = 0
			}
			arrived := make(chan int, 2)
			observe := runtime.WithObserver(func(e runtime.Event[State]) {
				if e.Kind == runtime.BranchArrived {
					arrived <- e.In.Index
				}
			})
			type result struct {
				s   State
				err error
			}
			done := make(chan result, 1)
			go func() {
				s, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"}, observe)
				done <- result{s, err}
			}()
			if i := casetest.Await(t, arrived, "the fast branch to arrive"); i != fast {
				t.Fatalf("branch %d arrived first, want %d", i, fast)
			}
			time.Sleep(20 * time.Millisecond) // time for merge to start, wrongly
			if mergeStarted.Load() {
				t.Fatal("merge started before the slow branch arrived")
			}
			select {
			case r := <-done:
				t.Fatalf("Invoke returned (%v) before the slow branch arrived", r.err)
			default:
			}
			close(release)
			if i := casetest.Await(t, arrived, "the slow branch to arrive"); i != 1-fast {
				t.Errorf("branch %d arrived second, want %d", i, 1-fast)
			}
			r := casetest.Await(t, done, "Invoke")
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !reflect.DeepEqual(r.s, oneRound) {
				t.Errorf("Invoke = %+v, want %+v", r.s, oneRound)
			}
		})
	}
}

// byIn groups events by where they happened, keeping their order.
func byIn(events []runtime.Event[State]) map[runtime.Branch][]runtime.Event[State] {
	m := map[runtime.Branch][]runtime.Event[State]{}
	for _, e := range events {
		m[e.In] = append(m[e.In], e)
	}
	return m
}

// Two rounds make two fork activations; each is reported as Forked, then
// its branches' events with exactly two BranchArrived, then Joined, and
// merge starts right after.
func TestStreamForkEvents(t *testing.T) {
	t.Parallel()
	h := &handlers{rounds: 2, retries: 2}
	var rec casetest.Recorder[State]
	events, err := casetest.Drain(t, NewUneven(h).Stream(t.Context(), State{Query: "q"}, rec.Option()))
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Kind != runtime.Done || !reflect.DeepEqual(last.State, twoRounds) {
		t.Fatalf("last event %v with %+v, want Done with %+v", last, last.State, twoRounds)
	}

	var forks []uint64
	for _, e := range events {
		if e.Kind == runtime.Forked {
			forks = append(forks, e.Fork)
		}
	}
	if len(forks) != 2 || forks[0] == 0 || forks[1] == 0 || forks[0] == forks[1] {
		t.Fatalf("fork activations %v, want two distinct non-zero ids", forks)
	}

	// The main flow.
	main := runtime.Branch{}
	var wantMain []casetest.Shape
	for _, f := range forks {
		wantMain = append(wantMain,
			casetest.Shape{Kind: runtime.NodeStarted, Node: "plan"},
			casetest.Shape{Kind: runtime.NodeFinished, Node: "plan"},
			casetest.Shape{Kind: runtime.Forked, Node: "plan", Fork: f, Branches: 2},
			casetest.Shape{Kind: runtime.Joined, Node: "merge", Fork: f},
			casetest.Shape{Kind: runtime.NodeStarted, Node: "merge"},
			casetest.Shape{Kind: runtime.NodeFinished, Node: "merge"},
			casetest.Shape{Kind: runtime.NodeStarted, Node: "review"},
			casetest.Shape{Kind: runtime.NodeFinished, Node: "review"},
		)
	}
	wantMain = append(wantMain, casetest.Shape{Kind: runtime.Done})
	groups := byIn(events)
	if got := casetest.Shapes(groups[main]); !reflect.DeepEqual(got, wantMain) {
		t.Errorf("main flow events\n%v\nwant\n%v", got, wantMain)
	}

	merges := h.mergeCalls()
	if len(merges) != 2 {
		t.Fatalf("merge ran %d times, want 2", len(merges))
	}
	for round, f := range forks {
		web, papers := runtime.Branch{Fork: f, Index: 0}, runtime.Branch{Fork: f, Index: 1}
		wantWeb := []casetest.Shape{
			{Kind: runtime.BranchStarted, Node: "search_web", In: web},
			{Kind: runtime.NodeStarted, Node: "search_web", In: web},
			{Kind: runtime.NodeFinished, Node: "search_web", In: web},
			{Kind: runtime.BranchArrived, Node: "merge", In: web},
		}
		wantPapers := []casetest.Shape{{Kind: runtime.BranchStarted, Node: "fetch_papers", In: papers}}
		for range 2 {
			wantPapers = append(wantPapers,
				casetest.Shape{Kind: runtime.NodeStarted, Node: "fetch_papers", In: papers},
				casetest.Shape{Kind: runtime.NodeFinished, Node: "fetch_papers", In: papers},
				casetest.Shape{Kind: runtime.NodeStarted, Node: "rank_papers", In: papers},
				casetest.Shape{Kind: runtime.NodeFinished, Node: "rank_papers", In: papers},
			)
		}
		wantPapers = append(wantPapers, casetest.Shape{Kind: runtime.BranchArrived, Node: "merge", In: papers})
		if got := casetest.Shapes(groups[web]); !reflect.DeepEqual(got, wantWeb) {
			t.Errorf("fork %d, branch search_web: events\n%v\nwant\n%v", f, got, wantWeb)
		}
		if got := casetest.Shapes(groups[papers]); !reflect.DeepEqual(got, wantPapers) {
			t.Errorf("fork %d, branch fetch_papers: events\n%v\nwant\n%v", f, got, wantPapers)
		}
		// What the branches delivered is what merge got.
		if got := groups[web][len(groups[web])-1].State; !reflect.DeepEqual(got, merges[round].In.SearchWeb) {
			t.Errorf("fork %d: search_web delivered %+v, merge got %+v", f, got, merges[round].In.SearchWeb)
		}
		if got := groups[papers][len(groups[papers])-1].State; !reflect.DeepEqual(got, merges[round].In.FetchPapers) {
			t.Errorf("fork %d: fetch_papers delivered %+v, merge got %+v", f, got, merges[round].In.FetchPapers)
		}

		// Where the activation's events are in the whole sequence.
		forked, joined, arrivals := -1, -1, 0
		for i, e := range events {
			switch {
			case e.Kind == runtime.Forked && e.Fork == f:
				forked = i
			case e.Kind == runtime.Joined && e.Fork == f:
				joined = i
			case e.In.Fork == f:
				if forked < 0 || joined >= 0 {
					t.Errorf("event %d %v of fork %d is outside its Forked (%d) .. Joined (%d)", i, e, f, forked, joined)
				}
				if e.Kind == runtime.BranchArrived {
					arrivals++
				}
			}
		}
		if arrivals != 2 {
			t.Errorf("fork %d: %d BranchArrived events, want 2", f, arrivals)
		}
		if joined < 0 || joined+1 >= len(events) {
			t.Fatalf("fork %d: no Joined event followed by another", f)
		}
		if next := events[joined+1]; next.Kind != runtime.NodeStarted || next.Node != "merge" || next.In != main {
			t.Errorf("fork %d: Joined is followed by %v, want merge's NodeStarted on the main flow", f, next)
		}
		if e := events[slices.IndexFunc(events, func(e runtime.Event[State]) bool { return e.Kind == runtime.Forked && e.Fork == f })]; e.Parent != 0 || e.In != main {
			t.Errorf("fork %d: Forked with Parent %d In %+v, want the main flow", f, e.Parent, e.In)
		}
	}

	// An observer sees what Stream yields. Branches report concurrently, so
	// only the order within each branch (and the main flow) is fixed.
	observed := rec.Events()
	if len(observed) != len(events) {
		t.Errorf("observer saw %d events, Stream yielded %d", len(observed), len(events))
	}
	if !reflect.DeepEqual(byIn(observed), groups) {
		t.Errorf("observer saw\n%s\nStream yielded\n%s", strings.Join(casetest.Strings(observed), "\n"), strings.Join(casetest.Strings(events), "\n"))
	}
}

var (
	errFetch = errors.New("fetch failed")
	errWeb   = errors.New("web failed")
)

// Under the default policy a failing branch cancels its sibling, merge
// never runs, and Invoke returns after the sibling has returned.
func TestBranchErrorCancelsSibling(t *testing.T) {
	t.Parallel()
	guard := casetest.Context(t)
	webStarted := make(chan struct{})
	webSaw := make(chan [2]error, 1) // ctx.Err() and context.Cause(ctx)
	h := &handlers{
		searchWeb: func(ctx context.Context, s State) (State, error) {
			close(webStarted)
			select {
			case <-ctx.Done():
			case <-guard.Done():
			}
			webSaw <- [2]error{ctx.Err(), context.Cause(ctx)}
			return s, ctx.Err()
		},
		fetchPapers: func(ctx context.Context, s State) (State, error) {
			if !casetest.Wait(ctx, webStarted) {
				return s, errors.New("search_web never started")
			}
			return s, errFetch
		},
	}
	got, err := NewUneven(h).Invoke(t.Context(), State{Query: "q"})
	be := branchError(t, err, "fetch_papers")
	nodeError(t, be.Err, "fetch_papers")
	if !errors.Is(err, errFetch) {
		t.Errorf("errors.Is(%v, errFetch) = false", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("error %v reports the sibling's cancellation; want the first error only", err)
	}
	if want := "branch fetch_papers of fork plan: node fetch_papers: fetch failed"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	select {
	case saw := <-webSaw:
		if saw[0] != context.Canceled {
			t.Errorf("search_web's ctx.Err() = %v, want context.Canceled", saw[0])
		}
		if !errors.Is(saw[1], errFetch) {
			t.Errorf("search_web's context.Cause = %v, want one that wraps errFetch", saw[1])
		}
	default:
		t.Error("Invoke returned before search_web did")
	}
	if c := h.called(); c["merge"] != 0 || c["review"] != 0 || c["rank_papers"] != 0 {
		t.Errorf("calls %v: nothing after fetch_papers may run", c)
	}
	// The last state the main flow completed: what plan returned.
	if want := (State{Query: "q", Round: 1, Docs: []string{"plan1"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("state on error = %+v, want %+v", got, want)
	}
}

// waitThenRun makes search_web wait until fetch_papers has failed, then
// watch its context for a while (it must not be cancelled under Wait), then
// return fail or run normally.
func waitThenRun(fetchFailed <-chan struct{}, cancelled *atomic.Bool, fail error) node {
	return func(ctx context.Context, s State) (State, error) {
		if !casetest.Wait(ctx, fetchFailed) {
			cancelled.Store(true)
			return s, ctx.Err()
		}
		select {
		case <-ctx.Done():
			cancelled.Store(true)
			return s, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if fail != nil {
			return s, fail
		}
		return defSearchWeb(ctx, s)
	}
}

func failFetch(fetchFailed chan<- struct{}) node {
	return func(ctx context.Context, s State) (State, error) {
		close(fetchFailed)
		return s, errFetch
	}
}

func TestWaitPolicyLetsSiblingFinish(t *testing.T) {
	t.Parallel()
	fetchFailed := make(chan struct{})
	var cancelled atomic.Bool
	h := &handlers{
		searchWeb:   waitThenRun(fetchFailed, &cancelled, nil),
		fetchPapers: failFetch(fetchFailed),
	}
	events, err := casetest.Drain(t, NewUneven(h).Stream(t.Context(), State{Query: "q"}, runtime.WithOnBranchError(runtime.Wait)))
	be := branchError(t, err, "fetch_papers")
	nodeError(t, be.Err, "fetch_papers")
	if !errors.Is(err, errFetch) {
		t.Errorf("errors.Is(%v, errFetch) = false", err)
	}
	if cancelled.Load() {
		t.Error("search_web's context was cancelled under the Wait policy")
	}
	// search_web ran to completion and delivered; merge did not run.
	var arrived []string
	for _, e := range events {
		if e.Kind == runtime.BranchArrived || e.Kind == runtime.Joined || e.Node == "merge" {
			arrived = append(arrived, fmt.Sprintf("%v %s %d", e.Kind, e.Node, e.In.Index))
		}
	}
	if want := []string{"BranchArrived merge 0"}; !slices.Equal(arrived, want) {
		t.Errorf("arrival events %q, want %q", arrived, want)
	}
	if c := h.called(); c["search_web"] != 1 || c["merge"] != 0 {
		t.Errorf("calls %v, want search_web once and no merge", c)
	}
}

func TestWaitPolicyJoinsErrors(t *testing.T) {
	t.Parallel()
	fetchFailed := make(chan struct{})
	var cancelled atomic.Bool
	h := &handlers{
		searchWeb:   waitThenRun(fetchFailed, &cancelled, errWeb),
		fetchPapers: failFetch(fetchFailed),
	}
	// The policy from the constructor this time.
	_, err := NewUneven(h, runtime.WithOnBranchError(runtime.Wait)).Invoke(t.Context(), State{})
	if !errors.Is(err, errFetch) || !errors.Is(err, errWeb) {
		t.Fatalf("error %v, want one that wraps both errFetch and errWeb", err)
	}
	if cancelled.Load() {
		t.Error("search_web's context was cancelled under the Wait policy")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v (%T) joins no errors", err, err)
	}
	var branches []string
	for _, e := range joined.Unwrap() {
		be := branchError(t, e, "")
		branches = append(branches, be.Branch)
	}
	// fetch_papers failed 50ms before search_web: its error comes first.
	if want := []string{"fetch_papers", "search_web"}; !slices.Equal(branches, want) {
		t.Errorf("joined BranchErrors of %q, want %q", branches, want)
	}
}
