package fanout

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/temporal/temporaltest"
)

// gauge are handlers that measure how many of them run at once.
type gauge struct {
	fanoutTemporalProbe
	mu            sync.Mutex
	running, most int
}

// hold runs a worker node: long enough for others to start beside it.
func (g *gauge) hold(s State) (State, error) {
	g.mu.Lock()
	g.running++
	g.most = max(g.most, g.running)
	g.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	s.Seen++
	return s, nil
}

func (g *gauge) W01(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W02(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W03(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W04(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W05(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W06(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W07(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W08(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W09(ctx context.Context, s State) (State, error) { return g.hold(s) }
func (g *gauge) W10(ctx context.Context, s State) (State, error) { return g.hold(s) }

// TestMaxWorkers: the fork's 20 branches never have more than max_workers
// (3) activities in flight at once; and with a wide fork some do run side
// by side, so the bound is the semaphore's and not a serial test
// environment's.
func TestMaxWorkers(t *testing.T) {
	g := &gauge{fanoutTemporalProbe: fanoutTemporalProbe{p: temporaltest.NewProbe(1, 0)}}
	_, _, err := temporaltest.RunWorkflow(func(w worker.Registry) {
		RegisterFanout(w)
		RegisterFanoutActivities(w, g)
	}, FanoutWorkflow, State{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if g.most > 3 {
		t.Errorf("%d worker activities ran at once, more than max_workers 3", g.most)
	}
	if g.most < 2 {
		t.Logf("the activities ran one at a time (%d): the bound was not exercised", g.most)
	}
}
