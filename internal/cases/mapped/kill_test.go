package mapped

import (
	"context"
	"testing"
	"time"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestKill9 kills a process running the mapped graph on a file store with
// SIGKILL at random moments, mostly while its items run, and resumes the
// thread (see casetest.Kill9): per item path, no pass recorded twice.
func TestKill9(t *testing.T) {
	g := NewMapped(&handlers{delay: time.Millisecond})
	casetest.Kill9(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{Docs: docs(6), Picked: "wp"}, opts...)
		},
		Resume: g.Resume,
	}, func(dir string) (runtime.Store, error) { return runtime.NewFileStore(dir) }, 8, 15*time.Second)
}
