package mapped

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	temporalgraphc "github.com/graphc/graphc/temporal"
	"github.com/graphc/graphc/temporal/temporaltest"
)

// items are probe handlers whose Plan keeps the documents, whose items
// handler builds n tasks, and whose Summarize fails on the document with ID fail (0: none).
type items struct {
	mappedTemporalProbe
	n    int
	fail int
}

// Plan keeps the documents it is given (the probe's draws a list).
func (h items) Plan(ctx context.Context, s State) (State, error) { return s, nil }

func (h items) ItemsPrepare(ctx context.Context, s State) ([]Task, error) {
	return make([]Task, h.n), nil
}

// Summarize and Check keep the document as it is (the probe's would change
// its ID), and RouteCheck leads out of the loop at once.
func (h items) Summarize(ctx context.Context, d Doc) (Doc, error) {
	if d.ID == h.fail {
		return d, runtime.Permanent(fmt.Errorf("doc %d is unreadable", d.ID))
	}
	return d, nil
}

func (h items) Check(ctx context.Context, d Doc) (Doc, error) { return d, nil }

func (h items) RouteCheck(ctx context.Context, d Doc) (CheckRoute, error) { return CheckOk, nil }

// both runs the graph from s with h under the local executor and as the
// Temporal workflow, and returns both errors.
func both(t *testing.T, s State, h func(p *temporaltest.Probe) MappedHandlers) (local, temporal error) {
	t.Helper()
	_, local = NewMapped(h(temporaltest.NewProbe(1, 0))).Invoke(t.Context(), s)
	p := temporaltest.NewProbe(1, 0)
	_, _, temporal = temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterMapped(w)
		RegisterMappedActivities(w, h(p))
	}, MappedWorkflow, s, false)
	return local, temporal
}

// TestMappedCoroutineItems: a map given more items than a workflow runs as
// coroutines fails, before any item runs, with an error naming the node and
// the threshold; the local executor runs them. At the threshold the run
// completes.
func TestMappedCoroutineItems(t *testing.T) {
	over := temporalgraphc.MaxCoroutineItems + 1
	local, err := both(t, State{}, func(p *temporaltest.Probe) MappedHandlers { return items{mappedTemporalProbe{p}, over, 0} })
	if local != nil {
		t.Fatalf("local executor: %v", local)
	}
	var ne *runtime.NodeError
	if !errors.As(err, &ne) || ne.Node != "prepare" {
		t.Fatalf("got %v, want a *runtime.NodeError at prepare", err)
	}
	want := fmt.Sprintf("was given %d items, more than the %d a Temporal workflow runs as coroutines", over, temporalgraphc.MaxCoroutineItems)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to say %q", err, want)
	}
	if testing.Short() {
		return
	}
	_, _, err = temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterMapped(w)
		RegisterMappedActivities(w, items{mappedTemporalProbe{temporaltest.NewProbe(1, 0)}, temporalgraphc.MaxCoroutineItems, 0})
	}, MappedWorkflow, State{}, false)
	if err != nil {
		t.Errorf("%d items: %v", temporalgraphc.MaxCoroutineItems, err)
	}
}

// TestMappedErrors: max_items, and an item's failure, come back from the
// workflow as the local executor's errors: the same text and types, a
// *runtime.MaxItemsError, a *runtime.BranchError naming the item.
func TestMappedErrors(t *testing.T) {
	docs := func(n int) State {
		s := State{}
		for i := range n {
			s.Docs = append(s.Docs, Doc{ID: i + 1})
		}
		return s
	}
	h := func(fail int) func(p *temporaltest.Probe) MappedHandlers {
		return func(p *temporaltest.Probe) MappedHandlers { return items{mappedTemporalProbe{p}, 2, fail} }
	}
	local, err := both(t, docs(13), h(0))
	var mi *runtime.MaxItemsError
	if !errors.As(err, &mi) || mi.Count != 13 || mi.Max != 12 || local == nil || err.Error() != local.Error() {
		t.Errorf("13 docs: Temporal %v, local %v", err, local)
	}
	local, err = both(t, docs(5), h(4))
	var be *runtime.BranchError
	if !errors.As(err, &be) || !be.Map || be.Item != 3 || local == nil || err.Error() != local.Error() {
		t.Fatalf("doc 4 fails: Temporal %v, local %v", err, local)
	}
	if !strings.Contains(err.Error(), "doc 4 is unreadable") {
		t.Errorf("doc 4 fails: %v lost the handler's error", err)
	}
}
