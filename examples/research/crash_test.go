package main

import (
	"context"
	"testing"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestCrashMatrix cuts a durable run of the research graph at every store
// write and resumes it (see casetest.CrashMatrix).
func TestCrashMatrix(t *testing.T) {
	g := NewResearch(agent{})
	casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{}, opts...)
		},
		Resume: g.Resume,
		FanIns: []string{"merge"},
	})
}
