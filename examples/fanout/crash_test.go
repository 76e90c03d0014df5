package main

import (
	"context"
	"testing"
	"time"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestCrashMatrix cuts a durable run of the 20-way fan-out at every store
// write and resumes it (see casetest.CrashMatrix).
func TestCrashMatrix(t *testing.T) {
	delay = 11 * time.Millisecond
	t.Cleanup(func() { delay = 50 * time.Millisecond })
	g := NewFanout(handlers{})
	casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{}, opts...)
		},
		Resume: g.Resume,
		FanIns: []string{"aggregate"},
	})
}
