package temporaltest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	sdkworkflow "go.temporal.io/sdk/workflow"

	"github.com/graphc/graphc/runtime/stress"
	temporalgraphc "github.com/graphc/graphc/temporal"
)

var (
	flagRuns = flag.Int("temporal.runs", 30, "runs (seeds) per graph of the differential Temporal tests")
	flagSeed = flag.Uint64("temporal.seed", 1, "base seed of the differential Temporal tests' decisions")
)

// maxContinues bounds the executions one run may continue as new through.
const maxContinues = 1000

// Graph is a graph as Differential runs it.
type Graph[S any] struct {
	// Local runs the graph under the local executor, with probe handlers
	// that record into p, from the state given.
	Local func(ctx context.Context, p *Probe, s S) (S, error)
	// Register registers the graph's workflow, and its activities with
	// probe handlers that record into p, with w.
	Register func(w worker.Registry, p *Probe)
	// Workflow is the graph's workflow function, <Graph>Workflow.
	Workflow any
	// New returns a run's initial state, a new one at each call (both
	// executors get one); nil: a state with something in every part
	// (stress.Fill) that encoding/json brings back as it was.
	New func() S
	// Joins are the graph's forks.
	Joins []Join
	// Unordered are nodes whose visits may come in any order (those of a
	// map's per-item flow, whose items run concurrently): what they were
	// given is compared as a multiset, not visit by visit.
	Unordered []string
	// Interrupts: the graph pauses at interrupts. The Temporal run is then
	// resumed at each pause by the update temporalgraphc.UpdateResume with
	// the paused state changed by stress.Mutate; Local must resume its run
	// with the same edit (With<Graph>Update).
	Interrupts bool
}

// Join is one fork of a graph: the node that forks, its branches' entries
// and its fan-in.
type Join struct {
	Fork     string
	Branches []string
	FanIn    string
}

// Stats is what Differential ran.
type Stats struct {
	Runs      int // runs compared
	Failed    int // runs in which both executors failed alike
	Nodes     int // node visits of the Temporal runs
	Continues int // continue-as-new of the Temporal runs
}

// Differential runs g -temporal.runs times (seeds from -temporal.seed) under
// the local executor and as a Temporal workflow in the SDK's test
// environment, with probes of the same seed and run, and reports with
// t.Errorf every run where they differ: in the error (its text; the
// Temporal one decoded with temporalgraphc.Decode), the final state (as
// JSON), or what any node was given at any visit. It also checks the join
// invariants on both: each fork activation ran its fan-in once, and each
// branch at least once.
func Differential[S any](t *testing.T, g Graph[S]) Stats {
	t.Helper()
	var st Stats
	for run := range *flagRuns {
		seed := *flagSeed
		newState := g.New
		if newState == nil {
			newState = filled[S]
		}
		local, temporal := NewProbe(seed, run), NewProbe(seed, run)
		want, wantErr := g.Local(t.Context(), local, newState())
		got, continues, gotErr := RunWorkflow(func(w worker.Registry) { g.Register(w, temporal) }, g.Workflow, newState(), g.Interrupts)
		st.Runs++
		st.Continues += continues
		for _, in := range temporal.Inputs() {
			st.Nodes += len(in)
		}
		where := fmt.Sprintf("run %d (replay with -temporal.seed=%d -temporal.runs=%d)", run, seed, run+1)
		if errText(wantErr) != errText(gotErr) {
			t.Errorf("%s: the Temporal workflow failed with\n\t%v\nthe local executor with\n\t%v", where, gotErr, wantErr)
			continue
		}
		if wantErr != nil {
			st.Failed++
			if !sameErrorTypes(wantErr, gotErr) {
				t.Errorf("%s: the errors read alike (%v) but are of other types: local %s, Temporal %s", where, wantErr, errTypes(wantErr), errTypes(gotErr))
			}
		} else if a, b := jsonOf(want), jsonOf(got); a != b {
			t.Errorf("%s: final states differ:\n\tlocal    %s\n\ttemporal %s", where, a, b)
		}
		li, ti := local.Inputs(), temporal.Inputs()
		for _, node := range g.Unordered {
			slices.Sort(li[node])
			slices.Sort(ti[node])
		}
		for _, node := range slices.Sorted(maps.Keys(mergeKeys(li, ti))) {
			if !reflect.DeepEqual(li[node], ti[node]) {
				t.Errorf("%s: node %q was given, visit by visit,\n\tlocal    %q\n\ttemporal %q", where, node, li[node], ti[node])
			}
		}
		if wantErr == nil {
			for _, p := range []*Probe{local, temporal} {
				checkJoins(t, where, g.Joins, p)
			}
		}
	}
	t.Logf("temporal: %d runs from seed %d: %d failed alike, %d nodes, %d continue-as-new", st.Runs, *flagSeed, st.Failed, st.Nodes, st.Continues)
	return st
}

// checkJoins checks that each fork's fan-in ran as often as its fork node
// and each branch at least as often.
func checkJoins(t *testing.T, where string, joins []Join, p *Probe) {
	t.Helper()
	for _, j := range joins {
		forks := p.Visits(j.Fork)
		if got := p.Visits(j.FanIn); got != forks {
			t.Errorf("%s: %q forked %d times, its fan-in %q ran %d times", where, j.Fork, forks, j.FanIn, got)
		}
		for _, b := range j.Branches {
			if got := p.Visits(b); got < forks {
				t.Errorf("%s: %q forked %d times, its branch %q ran %d times", where, j.Fork, forks, b, got)
			}
		}
	}
}

// RunWorkflow runs workflow, a generated <Graph>Workflow, on s in the SDK's
// test environment, with what register registers (Register<Graph> and the
// activities), following continue-as-new (each execution in an environment
// of its own), and returns the final state, how many times the run
// continued as new, and its error decoded with temporalgraphc.Decode. With
// interrupts, it resumes the run at each pause as Differential does.
func RunWorkflow[S any](register func(worker.Registry), workflow any, s S, interrupts bool) (S, int, error) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	var zero S
	wf, args := workflow, []any{s}
	for continues := 0; continues < maxContinues; continues++ {
		env := suite.NewTestWorkflowEnvironment()
		register(env)
		var resumeErr error
		if interrupts {
			resumeAtPauses[S](env, &resumeErr)
		}
		env.ExecuteWorkflow(wf, args...)
		if resumeErr != nil {
			return zero, continues, resumeErr
		}
		if !env.IsWorkflowCompleted() {
			return zero, continues, errors.New("temporaltest: the workflow did not complete")
		}
		err := env.GetWorkflowError()
		var can *sdkworkflow.ContinueAsNewError
		if errors.As(err, &can) {
			var next S
			var at temporalgraphc.Frontier
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next, &at); err != nil {
				return zero, continues, fmt.Errorf("temporaltest: decoding the input of continue-as-new: %w", err)
			}
			wf, args = can.WorkflowType.Name, []any{next, at}
			continue
		}
		if err != nil {
			return zero, continues, temporalgraphc.Decode(err)
		}
		var out S
		if err := env.GetWorkflowResult(&out); err != nil {
			return zero, continues, err
		}
		return out, continues, nil
	}
	return zero, maxContinues, fmt.Errorf("temporaltest: the run continued as new %d times", maxContinues)
}

// filled is a state with something in every part, so that the probes'
// stress.Mutate changes slices, maps and pointees too, not just the
// top-level fields: stress.Fill's value, through encoding/json so that no
// memory is shared (the Temporal side never shares any). A value JSON
// cannot encode (a cycle) gives the zero S.
func filled[S any]() S {
	var s S
	stress.Fill(context.Background(), "temporaltest", &s)
	b, err := json.Marshal(s)
	var out S
	if err != nil || json.Unmarshal(b, &out) != nil {
		var zero S
		return zero
	}
	return out
}

// maxPauses bounds the interrupts one workflow execution is resumed from.
const maxPauses = 200

// resumeAtPauses makes env look, once a minute of workflow time (the test
// environment skips ahead to it when the workflow waits), whether the
// workflow is paused, and if so send it the update that resumes it, with
// its state changed by stress.Mutate. The first failure goes to *failed.
func resumeAtPauses[S any](env *testsuite.TestWorkflowEnvironment, failed *error) {
	fail := func(err error) {
		if *failed == nil {
			*failed = err
		}
	}
	for k := 1; k <= maxPauses; k++ {
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow(temporalgraphc.QueryPaused)
			if err != nil {
				fail(fmt.Errorf("temporaltest: query %s: %w", temporalgraphc.QueryPaused, err))
				return
			}
			var pause *temporalgraphc.Pause
			if err := v.Get(&pause); err != nil || pause == nil {
				return
			}
			v, err = env.QueryWorkflow(temporalgraphc.QueryState)
			var s S
			if err == nil {
				err = v.Get(&s)
			}
			if err != nil {
				fail(fmt.Errorf("temporaltest: query %s: %w", temporalgraphc.QueryState, err))
				return
			}
			stress.Mutate(&s)
			env.UpdateWorkflow(temporalgraphc.UpdateResume, fmt.Sprintf("resume-%d", k), &testsuite.TestUpdateCallback{
				OnReject: func(err error) {
					fail(fmt.Errorf("temporaltest: update rejected at %s %s: %w", pause.Phase, pause.Node, err))
				},
				OnComplete: func(_ any, err error) {
					if err != nil {
						fail(fmt.Errorf("temporaltest: update failed at %s %s: %w", pause.Phase, pause.Node, err))
					}
				},
			}, s)
		}, time.Duration(k)*time.Minute)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// errTypes lists the types along err's chain, up to the first that is
// not graphc's (a handler's own error types do not cross Temporal).
func errTypes(err error) []string {
	var out []string
	for err != nil {
		typ := fmt.Sprintf("%T", err)
		out = append(out, typ)
		if !strings.HasPrefix(typ, "*runtime.") {
			break
		}
		err = errors.Unwrap(err)
	}
	return out
}

func sameErrorTypes(a, b error) bool { return slices.Equal(errTypes(a), errTypes(b)) }

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unencodable: " + err.Error()
	}
	return string(b)
}

func mergeKeys(a, b map[string][]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
