package durable

import (
	"context"
	"testing"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestCrashMatrix: see casetest.CrashMatrix. The reviewer approves at the
// pause after review, so the run forks once, pauses after review, then
// before publish; a crash that lost a pause would take review's edge
// without the approval, and revise.
func TestCrashMatrix(t *testing.T) {
	g := NewApproval(&handlers{})
	n := casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{Topic: "go"}, opts...)
		},
		Resume: func(ctx context.Context, thread string, opts ...runtime.Option) (State, error) {
			snap, err := g.Snapshot(ctx, thread, opts...)
			if err == nil && snap.Interrupt != nil && snap.Interrupt.Node == "review" {
				opts = append(opts, WithApprovalUpdate(func(s *State) error { s.Verdict = "ok"; return nil }))
			}
			return g.Resume(ctx, thread, opts...)
		},
		FanIns: []string{"merge", "notes_join"},
	})
	t.Logf("%d cuts crashed a run", n)
}
