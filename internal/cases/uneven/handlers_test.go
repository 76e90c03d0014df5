package uneven

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// node is the behaviour of one node.
type node func(ctx context.Context, s State) (State, error)

// handlers runs the behaviour a test gives for a node, or the default one
// (see the def* functions), and records every call. By default
// rank_papers routes back to fetch_papers until Retries reaches retries,
// and review back to plan until Round reaches rounds (both at least 1).
type handlers struct {
	retries, rounds int

	plan, searchWeb, fetchPapers, rankPapers, review node
	merge                                            func(ctx context.Context, s State, in MergeBranches) (State, error)
	routeRank                                        func(ctx context.Context, s State) (RankPapersRoute, error)
	routeReview                                      func(ctx context.Context, s State) (ReviewRoute, error)

	mu     sync.Mutex
	calls  map[string]int
	merges []mergeCall
}

// mergeCall is what one call of Merge was given.
type mergeCall struct {
	S  State
	In MergeBranches
}

var _ UnevenHandlers = (*handlers)(nil)

func (h *handlers) count(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.calls == nil {
		h.calls = map[string]int{}
	}
	h.calls[name]++
}

// called returns how often each node ran (routes not counted).
func (h *handlers) called() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.calls)
}

func (h *handlers) mergeCalls() []mergeCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.merges)
}

func (h *handlers) run(name string, fn, def node, ctx context.Context, s State) (State, error) {
	h.count(name)
	if fn == nil {
		fn = def
	}
	return fn(ctx, s)
}

func (h *handlers) Plan(ctx context.Context, s State) (State, error) {
	return h.run("plan", h.plan, defPlan, ctx, s)
}

func (h *handlers) SearchWeb(ctx context.Context, s State) (State, error) {
	return h.run("search_web", h.searchWeb, defSearchWeb, ctx, s)
}

func (h *handlers) FetchPapers(ctx context.Context, s State) (State, error) {
	return h.run("fetch_papers", h.fetchPapers, defFetchPapers, ctx, s)
}

func (h *handlers) RankPapers(ctx context.Context, s State) (State, error) {
	return h.run("rank_papers", h.rankPapers, defRankPapers, ctx, s)
}

func (h *handlers) Review(ctx context.Context, s State) (State, error) {
	return h.run("review", h.review, defReview, ctx, s)
}

func (h *handlers) Merge(ctx context.Context, s State, in MergeBranches) (State, error) {
	h.count("merge")
	h.mu.Lock()
	h.merges = append(h.merges, mergeCall{deepCopy(s), MergeBranches{deepCopy(in.SearchWeb), deepCopy(in.FetchPapers)}})
	h.mu.Unlock()
	if h.merge != nil {
		return h.merge(ctx, s, in)
	}
	return defMerge(ctx, s, in)
}

func (h *handlers) RouteRankPapers(ctx context.Context, s State) (RankPapersRoute, error) {
	if h.routeRank != nil {
		return h.routeRank(ctx, s)
	}
	if s.Retries < h.retries {
		return RankPapersRetry, nil
	}
	return RankPapersRanked, nil
}

func (h *handlers) RouteReview(ctx context.Context, s State) (ReviewRoute, error) {
	if h.routeReview != nil {
		return h.routeReview(ctx, s)
	}
	if s.Round < h.rounds {
		return ReviewRevise, nil
	}
	return ReviewDone, nil
}

// The default behaviours never write to memory that the state they were
// given shares with other states: they append to clipped slices and write
// to cloned maps.

// defPlan starts a round: Round+1, Retries 0, "plan<Round>" in Docs.
func defPlan(_ context.Context, s State) (State, error) {
	s.Round++
	s.Retries = 0
	s.Docs = append(slices.Clip(s.Docs), fmt.Sprint("plan", s.Round))
	return s, nil
}

// defSearchWeb adds "web<Round>" to Docs.
func defSearchWeb(_ context.Context, s State) (State, error) {
	s.Docs = append(slices.Clip(s.Docs), fmt.Sprint("web", s.Round))
	return s, nil
}

// defFetchPapers adds "paper<Round>.<Retries>" to Docs.
func defFetchPapers(_ context.Context, s State) (State, error) {
	s.Docs = append(slices.Clip(s.Docs), fmt.Sprintf("paper%d.%d", s.Round, s.Retries))
	return s, nil
}

// defRankPapers scores the paper just fetched with the new Retries.
func defRankPapers(_ context.Context, s State) (State, error) {
	key := fmt.Sprintf("paper%d.%d", s.Round, s.Retries)
	s.Retries++
	s.Scores = maps.Clone(s.Scores)
	if s.Scores == nil {
		s.Scores = map[string]float64{}
	}
	s.Scores[key] = float64(s.Retries)
	return s, nil
}

// defMerge adds what each branch added to Docs (web first) and Scores, and
// takes the papers branch's Retries.
func defMerge(_ context.Context, s State, in MergeBranches) (State, error) {
	n := len(s.Docs)
	if len(in.SearchWeb.Docs) < n || len(in.FetchPapers.Docs) < n {
		return s, fmt.Errorf("merge: a branch lost documents: %q, %q, fork-time %q", in.SearchWeb.Docs, in.FetchPapers.Docs, s.Docs)
	}
	s.Docs = slices.Concat(s.Docs, in.SearchWeb.Docs[n:], in.FetchPapers.Docs[n:])
	scores := maps.Clone(s.Scores)
	if scores == nil {
		scores = map[string]float64{}
	}
	maps.Copy(scores, in.SearchWeb.Scores)
	maps.Copy(scores, in.FetchPapers.Scores)
	s.Scores = scores
	s.Retries = in.FetchPapers.Retries
	return s, nil
}

// defReview adds "review<Round>" to Docs.
func defReview(_ context.Context, s State) (State, error) {
	s.Docs = append(slices.Clip(s.Docs), fmt.Sprint("review", s.Round))
	return s, nil
}

// deepCopy is the test's own deep copy of a State, for keeping what a
// handler was given.
func deepCopy(s State) State {
	s.Docs = slices.Clone(s.Docs)
	s.Scores = maps.Clone(s.Scores)
	if s.Best != nil {
		b := *s.Best
		b.Tags = slices.Clone(b.Tags)
		s.Best = &b
	}
	return s
}

// branchError checks that err is (or wraps) the BranchError of branch (any
// branch if "") in the fork at "plan" and returns it.
func branchError(t *testing.T, err error, branch string) *runtime.BranchError {
	t.Helper()
	be, ok := errors.AsType[*runtime.BranchError](err)
	if !ok {
		t.Fatalf("error %v (%T) wraps no *runtime.BranchError", err, err)
	}
	if be.Fork != "plan" || (branch != "" && be.Branch != branch) {
		t.Fatalf("BranchError Fork %q Branch %q, want plan, %s (error: %v)", be.Fork, be.Branch, branch, err)
	}
	return be
}

// nodeError checks that err is (or wraps) a NodeError naming node and returns it.
func nodeError(t *testing.T, err error, node string) *runtime.NodeError {
	t.Helper()
	ne, ok := errors.AsType[*runtime.NodeError](err)
	if !ok {
		t.Fatalf("error %v (%T) wraps no *runtime.NodeError", err, err)
	}
	if ne.Node != node {
		t.Fatalf("NodeError.Node = %q, want %q (error: %v)", ne.Node, node, err)
	}
	return ne
}
