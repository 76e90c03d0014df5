package durable

import (
	"context"
	"testing"
	"time"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestKill9 kills a process running the approval graph on a file store
// with SIGKILL at random moments, and resumes the thread (see
// casetest.Kill9).
func TestKill9(t *testing.T) {
	g := NewApproval(&handlers{delay: time.Millisecond})
	casetest.Kill9(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{Topic: "go"}, opts...)
		},
		Resume: g.Resume,
	}, func(dir string) (runtime.Store, error) { return runtime.NewFileStore(dir) }, 12, 15*time.Second)
}
