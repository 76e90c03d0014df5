package approval

// The end-to-end test of interrupts on a real Temporal server (make
// e2e-temporal), and the replay of the history it recorded (make test).

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/stress"
	temporalgraphc "github.com/graphc/graphc/temporal"
	"github.com/graphc/graphc/temporal/temporaltest"
)

const approvalHistory = "testdata/approval.history.json"

// TestE2EInterrupt runs the approval graph (interrupt_before draft,
// interrupt_after review) on the server with a real worker, for a few runs
// whose routes differ, and resumes each pause through the typed update
// temporalgraphc.UpdateResume with the paused state edited (stress.Mutate).
// The local executor, resumed with the same edit through WithApprovalUpdate,
// is the reference: the same pauses in the same order, the same final state,
// the same inputs at every node visit. With -record the first run's history
// goes to testdata/approval.history.json, which TestApprovalReplay replays.
func TestE2EInterrupt(t *testing.T) {
	c := temporaltest.Dial(t)
	for run := range 4 {
		local, remote := temporaltest.NewProbe(1, run), temporaltest.NewProbe(1, run)

		g := NewApproval(approvalTemporalProbe{local}, runtime.WithStore(runtime.NewMemoryStore()), runtime.WithThread("e2e"))
		var wantPauses []temporalgraphc.Pause
		want, err := g.Invoke(t.Context(), State{})
		for i := new(runtime.Interrupted); errors.As(err, &i); {
			wantPauses = append(wantPauses, temporalgraphc.Pause{Node: i.Node, Phase: i.Phase})
			want, err = g.Resume(t.Context(), "e2e", WithApprovalUpdate(func(s *State) error {
				stress.Mutate(s)
				return nil
			}))
		}
		if err != nil {
			t.Fatalf("run %d: local executor: %v", run, err)
		}

		queue := temporaltest.Queue(t)
		temporaltest.StartWorker(t, c, queue, func(w worker.Registry) {
			RegisterApproval(w)
			RegisterApprovalActivities(w, approvalTemporalProbe{remote})
		})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		wr, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, ApprovalWorkflowName, State{})
		if err != nil {
			t.Fatal(err)
		}
		pauses, got, err := temporaltest.ResumeAtPauses(ctx, c, wr, func(s *State) { stress.Mutate(s) })
		if err != nil {
			t.Fatalf("run %d: workflow %s: %v", run, wr.GetID(), err)
		}
		if len(wantPauses) == 0 || !slices.Equal(pauses, wantPauses) {
			t.Errorf("run %d: paused at %v, the local executor at %v", run, pauses, wantPauses)
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			t.Errorf("run %d: final states differ:\n\tlocal    %s\n\ttemporal %s", run, a, b)
		}
		if li, ti := local.Inputs(), remote.Inputs(); !reflect.DeepEqual(li, ti) {
			t.Errorf("run %d: node inputs differ:\n\tlocal    %q\n\ttemporal %q", run, li, ti)
		}
		if run == 0 {
			h, err := temporaltest.History(ctx, c, wr.GetID(), wr.GetRunID())
			if err != nil {
				t.Fatal(err)
			}
			temporaltest.Record(t, h, approvalHistory)
		}
		cancel()
		t.Logf("run %d: resumed %d times through the update: %v", run, len(pauses), pauses)
	}
}

// TestApprovalReplay replays the recorded history of TestE2EInterrupt's
// first run, with its updates, with the workflow as generated now, without a
// server: it fails when a change would break executions in flight.
func TestApprovalReplay(t *testing.T) {
	temporaltest.Replay(t, func(w worker.WorkflowRegistry) { RegisterApproval(w) }, approvalHistory)
}
