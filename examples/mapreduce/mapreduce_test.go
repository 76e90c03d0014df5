package main

import (
	"context"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDigest: every document is summarized on its own loop and the digest
// follows the retrieval order, under any worker limit.
func TestDigest(t *testing.T) {
	want := []string{
		`graphs   (3 passes) "state graphs compile"`,
		`maps     (1 passes) "map edges fan out"`,
		`joins    (3 passes) "every fan in"`,
		`empty    (1 passes) ""`,
		`retries  (3 passes) "a per item loop"`,
	}
	for _, workers := range []int{1, 2, 8} {
		h := &handlers{}
		s, err := NewMapReduce(h).Invoke(context.Background(), State{}, runtime.WithMaxWorkers(workers))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s.Digest, want) || h.passes.Load() != 11 {
			t.Fatalf("workers %d: %d passes, digest %q", workers, h.passes.Load(), s.Digest)
		}
		if s.Docs[0].Summary != "" {
			t.Fatal("an item's flow changed the main state's Docs")
		}
	}
}

// TestCrashMatrix: see casetest.CrashMatrix; no summarize pass recorded
// before a crash runs again after it, and every document is delivered once.
func TestCrashMatrix(t *testing.T) {
	g := NewMapReduce(&handlers{})
	n := casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{}, opts...)
		},
		Resume: g.Resume,
		FanIns: []string{"combine"},
	})
	t.Logf("%d cuts crashed a run", n)
}
