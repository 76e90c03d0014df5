package temporaltest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	temporalgraphc "github.com/graphc/graphc/temporal"
)

// quiet drops the SDK's log lines.
var quiet = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

// ServerEnv names the environment variable that gives the end-to-end tests
// a Temporal server's frontend, host:port. scripts/with-temporal.sh starts a
// throwaway server and sets it.
const ServerEnv = "GRAPHC_TEST_TEMPORAL"

var flagRecord = flag.Bool("record", false, "end-to-end Temporal tests: rewrite the recorded workflow histories in testdata (needs a server, see Dial)")

// Dial returns a client of the Temporal server at $GRAPHC_TEST_TEMPORAL, in
// the namespace "default", closed when t ends. Without the variable it
// skips t, saying how to run it; under CI=true that is a failure instead.
func Dial(t testing.TB) client.Client {
	t.Helper()
	addr := os.Getenv(ServerEnv)
	if addr == "" {
		msg := ServerEnv + " is not set: run the end-to-end Temporal tests with make e2e-temporal (scripts/with-temporal.sh starts a throwaway server)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: quiet})
	if err != nil {
		t.Fatalf("dialing the Temporal server at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// StartWorker starts a worker of c on queue with what register registers,
// stopped when t ends.
func StartWorker(t testing.TB, c client.Client, queue string, register func(worker.Registry)) worker.Worker {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	register(w)
	if err := w.Start(); err != nil {
		t.Fatalf("starting a worker on %s: %v", queue, err)
	}
	t.Cleanup(w.Stop)
	return w
}

// Queue is a task queue of t's own, so that tests sharing a server never
// take each other's tasks.
func Queue(t testing.TB) string {
	return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
}

// ResumeAtPauses waits for run to end, and each time it pauses at an
// interrupt (the query temporalgraphc.QueryPaused) sends it the update
// temporalgraphc.UpdateResume with its state (temporalgraphc.QueryState)
// changed by edit. It returns where the run paused, in order, and the run's
// result decoded with temporalgraphc.Decode.
func ResumeAtPauses[S any](ctx context.Context, c client.Client, run client.WorkflowRun, edit func(*S)) ([]temporalgraphc.Pause, S, error) {
	var pauses []temporalgraphc.Pause
	var out S
	done := make(chan error, 1)
	go func() { done <- run.Get(ctx, &out) }()
	for {
		select {
		case err := <-done:
			return pauses, out, temporalgraphc.Decode(err)
		case <-time.After(20 * time.Millisecond):
		}
		var pause *temporalgraphc.Pause
		if err := query(ctx, c, run, temporalgraphc.QueryPaused, &pause); err != nil || pause == nil {
			continue // not paused, or ended since: done tells
		}
		var s S
		if err := query(ctx, c, run, temporalgraphc.QueryState, &s); err != nil {
			continue
		}
		edit(&s)
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   run.GetID(),
			RunID:        run.GetRunID(),
			UpdateName:   temporalgraphc.UpdateResume,
			Args:         []any{s},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err != nil {
			return pauses, out, errors.Join(fmt.Errorf("resuming at %s %s: %w", pause.Phase, pause.Node, err), <-done)
		}
		pauses = append(pauses, *pause)
	}
}

func query(ctx context.Context, c client.Client, run client.WorkflowRun, name string, v any) error {
	r, err := c.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), name)
	if err != nil {
		return err
	}
	return r.Get(v)
}

// History returns the events of the workflow execution id/runID.
func History(ctx context.Context, c client.Client, id, runID string) (*historypb.History, error) {
	it := c.GetWorkflowHistory(ctx, id, runID, false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, e)
	}
	return h, nil
}

// Record writes h as JSON (the form `temporal workflow show -o json` writes
// and Replay reads) to path, when the test binary runs with -record.
func Record(t testing.TB, h *historypb.History, path string) {
	t.Helper()
	if !*flagRecord {
		return
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err == nil {
		err = os.WriteFile(path, append(b, '\n'), 0o644)
	}
	if err != nil {
		t.Fatalf("recording the history in %s: %v", path, err)
	}
	t.Logf("recorded %d events in %s", len(h.Events), path)
}

// Replay replays each recorded history (Record) in paths against the
// workflows that register registers, with no server: an error means the
// workflow code no longer makes the commands its recorded runs made (a
// change that breaks determinism for executions in flight).
func Replay(t testing.TB, register func(worker.WorkflowRegistry), paths ...string) {
	t.Helper()
	if len(paths) == 0 {
		t.Fatal("no recorded history to replay")
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		register(r)
		if err := r.ReplayWorkflowHistoryFromJSONFile(quiet, path); err != nil {
			t.Errorf("replaying %s: %v", path, err)
		}
	}
}
