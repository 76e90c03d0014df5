package otelgraphc_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/policies"
	"github.com/graphc/graphc/internal/cases/uneven"
	otelgraphc "github.com/graphc/graphc/otel"
	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// research is the research agent on the Uneven graph (the research spec):
// two rounds, papers fetched twice a round (a branch's Retries count is not
// merged back, so each round starts it at 0). Each handler notes the span its
// context carries.
type research struct {
	mu    sync.Mutex
	spans map[string][]trace.SpanID // node -> the span in its handler's context, per call
}

func (h *research) note(ctx context.Context, node string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.spans[node] = append(h.spans[node], trace.SpanFromContext(ctx).SpanContext().SpanID())
}

func (h *research) Plan(ctx context.Context, s uneven.State) (uneven.State, error) {
	h.note(ctx, "plan")
	s.Round++
	return s, nil
}
func (h *research) SearchWeb(ctx context.Context, s uneven.State) (uneven.State, error) {
	h.note(ctx, "search_web")
	return s, nil
}
func (h *research) FetchPapers(ctx context.Context, s uneven.State) (uneven.State, error) {
	h.note(ctx, "fetch_papers")
	s.Retries++
	return s, nil
}
func (h *research) RankPapers(ctx context.Context, s uneven.State) (uneven.State, error) {
	h.note(ctx, "rank_papers")
	return s, nil
}
func (h *research) RouteRankPapers(ctx context.Context, s uneven.State) (uneven.RankPapersRoute, error) {
	if s.Retries < 2 {
		return uneven.RankPapersRetry, nil
	}
	return uneven.RankPapersRanked, nil
}
func (h *research) Merge(ctx context.Context, s uneven.State, in uneven.MergeBranches) (uneven.State, error) {
	h.note(ctx, "merge")
	return s, nil
}
func (h *research) Review(ctx context.Context, s uneven.State) (uneven.State, error) {
	h.note(ctx, "review")
	return s, nil
}
func (h *research) RouteReview(ctx context.Context, s uneven.State) (uneven.ReviewRoute, error) {
	if s.Round < 2 {
		return uneven.ReviewRevise, nil
	}
	return uneven.ReviewDone, nil
}

// tree renders the recorded spans as an indented tree: children in the
// order they started, except a fork's branches (parallel), by name. Each
// line shows the span's name, its graphc attributes other than the graph,
// and its status when it is an error.
func tree(t *testing.T, spans []sdktrace.ReadOnlySpan) string {
	t.Helper()
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Parent().IsValid() {
			children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
		} else {
			roots = append(roots, s)
		}
	}
	var b strings.Builder
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		fmt.Fprintf(&b, "%s%s", strings.Repeat("  ", depth), s.Name())
		for _, a := range s.Attributes() {
			if a.Key != otelgraphc.KeyGraph && a.Key != otelgraphc.KeyNode && a.Key != otelgraphc.KeyPath {
				fmt.Fprintf(&b, " %s=%s", strings.TrimPrefix(string(a.Key), "graphc."), a.Value.String())
			}
		}
		if s.Status().Code == codes.Error {
			fmt.Fprintf(&b, " ERROR(%s)", s.Status().Description)
		}
		for _, e := range s.Events() {
			fmt.Fprintf(&b, " event:%s", e.Name)
		}
		b.WriteByte('\n')
		kids := children[s.SpanContext().SpanID()]
		if strings.HasPrefix(s.Name(), "fork ") {
			slices.SortFunc(kids, func(a, b sdktrace.ReadOnlySpan) int { return strings.Compare(a.Name(), b.Name()) })
		} else {
			slices.SortStableFunc(kids, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
		}
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return b.String()
}

func recorder() (*tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	sr := tracetest.NewSpanRecorder()
	return sr, sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
}

// The span tree of a research run: the run, its nodes, each fork with its
// branches (run on other goroutines) and their nodes, routes included.
func TestResearchSpanTree(t *testing.T) {
	sr, tp := recorder()
	defer tp.Shutdown(context.Background())
	h := &research{spans: map[string][]trace.SpanID{}}
	if _, err := uneven.NewUneven(h).Invoke(t.Context(), uneven.State{}, otelgraphc.Tracing(tp)); err != nil {
		t.Fatal(err)
	}
	round := `  plan attempts=1
  fork plan branches=2
    branch fetch_papers
      fetch_papers attempts=1
      rank_papers attempts=1
      route rank_papers attempts=1
%s    branch search_web
      search_web attempts=1
  merge attempts=1
  review attempts=1
  route review attempts=1
`
	again := `      fetch_papers attempts=1
      rank_papers attempts=1
      route rank_papers attempts=1
`
	want := "Uneven\n" + fmt.Sprintf(round, again) + fmt.Sprintf(round, again)
	if got := tree(t, sr.Ended()); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	if n := len(sr.Started()) - len(sr.Ended()); n != 0 {
		t.Errorf("%d spans never ended", n)
	}

	// Each handler's context carries its own node span.
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range sr.Ended() {
		byID[s.SpanContext().SpanID()] = s
	}
	for node, ids := range h.spans {
		for _, id := range ids {
			if s, ok := byID[id]; !ok || s.Name() != node {
				t.Errorf("the handler of %s runs under span %v, not its node's", node, s)
			}
		}
	}
	for _, s := range sr.Ended() {
		if s.InstrumentationScope().Name != otelgraphc.ScopeName {
			t.Errorf("span %s has scope %q", s.Name(), s.InstrumentationScope().Name)
		}
		attrs := map[string]string{}
		for _, a := range s.Attributes() {
			attrs[string(a.Key)] = a.Value.String()
		}
		if attrs["graphc.graph"] != "Uneven" {
			t.Errorf("span %s: graphc.graph = %q", s.Name(), attrs["graphc.graph"])
		}
		if _, ok := attrs["graphc.path"]; !ok {
			t.Errorf("span %s has no graphc.path", s.Name())
		}
		if s.Name() != "Uneven" && !strings.HasSuffix(s.Name(), attrs["graphc.node"]) {
			t.Errorf("span %s: graphc.node = %q", s.Name(), attrs["graphc.node"])
		}
	}
}

func panicInRight(context.Context, policies.State) (policies.State, error) { panic("right exploded") }

// flaky drives the policies graph: fetch fails once, right fails for good.
type flaky struct{ fetches *atomic.Int32 }

func (flaky) Start(_ context.Context, s policies.State) (policies.State, error) { return s, nil }
func (f flaky) Fetch(_ context.Context, s policies.State) (policies.State, error) {
	if f.fetches.Add(1) == 1 {
		return s, errors.New("fetch flaked")
	}
	return s, nil
}
func (flaky) Left(_ context.Context, s policies.State) (policies.State, error) { return s, nil }
func (flaky) Right(_ context.Context, s policies.State) (policies.State, error) {
	return s, runtime.Permanent(errors.New("right is gone"))
}
func (flaky) Join(_ context.Context, s policies.State, _ policies.JoinBranches) (policies.State, error) {
	return s, nil
}
func (flaky) Decide(_ context.Context, s policies.State) (policies.State, error) { return s, nil }
func (flaky) RouteDecide(context.Context, policies.State) (policies.DecideRoute, error) {
	return policies.DecideDone, nil
}

// Retries are events on the node's span; a failure marks the node, its
// branch, the fork and the run with an Error status.
func TestRetriesAndErrors(t *testing.T) {
	sr, tp := recorder()
	defer tp.Shutdown(context.Background())
	g := policies.NewFlaky(flaky{new(atomic.Int32)}, runtime.WithOnBranchError(runtime.Wait))
	_, err := g.Invoke(t.Context(), policies.State{}, otelgraphc.Tracing(tp))
	if err == nil {
		t.Fatal("the run succeeded")
	}
	want := `Flaky ERROR(branch right of fork fetch: node right: right is gone) event:exception
  start attempts=1
  fetch attempts=2 event:retry
  fork fetch branches=2 ERROR(branch right of fork fetch: node right: right is gone) event:exception
    branch left
      left attempts=1
    branch right ERROR(node right: right is gone) event:exception
      right attempts=1 ERROR(right is gone) event:exception
`
	if got := tree(t, sr.Ended()); got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
}

type panicky struct{ flaky }

func (panicky) Right(ctx context.Context, s policies.State) (policies.State, error) {
	return panicInRight(ctx, s)
}

// A panic is recorded as an exception event with its stack.
func TestPanicRecorded(t *testing.T) {
	sr, tp := recorder()
	defer tp.Shutdown(context.Background())
	g := policies.NewFlaky(panicky{flaky{new(atomic.Int32)}}, runtime.WithOnBranchError(runtime.Wait))
	if _, err := g.Invoke(t.Context(), policies.State{Round: 1}, otelgraphc.Tracing(tp)); err == nil {
		t.Fatal("the run succeeded")
	}
	var found bool
	for _, s := range sr.Ended() {
		if s.Name() != "right" {
			continue
		}
		if s.Status().Code != codes.Error || len(s.Events()) == 0 {
			t.Fatalf("right: status %v, events %v", s.Status(), s.Events())
		}
		for _, e := range s.Events() {
			for _, a := range e.Attributes {
				if a.Key == "exception.stacktrace" && strings.Contains(a.Value.AsString(), "otel_test.panicInRight") {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("no exception event with the panic's stack on span right:\n%s", tree(t, sr.Ended()))
	}
}
