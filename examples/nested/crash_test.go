package main

import (
	"context"
	"testing"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestCrashMatrix cuts a durable run of the pipeline, a fork nested in a
// branch, at every store write and resumes it (see casetest.CrashMatrix).
func TestCrashMatrix(t *testing.T) {
	g := NewPipeline(pipeline{})
	casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{}, opts...)
		},
		Resume: g.Resume,
		FanIns: []string{"tested", "release"},
	})
}
