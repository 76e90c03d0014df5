package temporalgraphc

import (
	"testing"

	"github.com/graphc/graphc/runtime"
)

// TestResumeOncePerPause: two updates that reach a workflow in one workflow
// task run their validator and handler one after the other, in coroutines
// of their own, before the paused flow wakes (the SDK's defaultUpdateHandler
// spawns one per update; the flow's Await condition is only looked at again
// once they have run). The first resumes the pause; the second must be
// rejected — by the generated validator (Paused() == nil) or by Resume —
// or it too is accepted, its edit replaces the first one's, and the first
// client was told an edit was applied that the run never sees. (The SDK's
// test environment starts a workflow task per update, so it cannot put two
// in one; this drives the Runner as the SDK's coroutines do.)
func TestResumeOncePerPause(t *testing.T) {
	r := &Runner{Names: []string{"draft"}}
	r.paused = &Pause{Node: "draft", Phase: runtime.Before} // as Pause leaves it while it waits
	if r.Paused() == nil {
		t.Fatal("Paused() is nil while the run waits")
	}
	if err := r.Resume(); err != nil {
		t.Fatalf("first resume: %v", err)
	}
	if p := r.Paused(); p != nil {
		t.Errorf("Paused() = %+v after the pause was resumed, before the flow woke: a second update's validator accepts it", *p)
	}
	if err := r.Resume(); err == nil {
		t.Error("a second Resume of the same pause succeeded: its update's edit would replace the first one's")
	}
}
