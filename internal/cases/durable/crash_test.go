package durable

import (
	"context"
	"testing"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestCrashMatrix: see casetest.CrashMatrix. The run goes through two
// interrupts after review and one before publish, and forks twice.
func TestCrashMatrix(t *testing.T) {
	g := NewApproval(&handlers{})
	n := casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{Topic: "go"}, opts...)
		},
		Resume: g.Resume,
		FanIns: []string{"merge", "notes_join"},
	})
	t.Logf("%d cuts crashed a run", n)
}
