package stress

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// The seed story behind graphc: one node forks to 20 workers that each take
// a random 10–50 ms, and the fan-in must collect all 20 results, in every
// run. This is examples/fanout, built with the fixture executor (a package
// main cannot be imported).

// fanout returns the seed story's graph, with the join variant v.
func fanout(v variant) *probe {
	g := newProbe(20, v)
	g.loops = false
	g.work = func(ctx context.Context, node string) error {
		if !strings.HasPrefix(node, "b") {
			return nil
		}
		t := time.NewTimer(time.Duration(10+rand.IntN(41)) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g
}

// collected is invoke for the seed story: it fails a run whose fan-in did
// not see the result of every worker.
func collected(g *probe) func(context.Context, runtime.Option) (probeState, error) {
	want := make([]int, g.width)
	for i := range want {
		want[i] = i
	}
	return func(ctx context.Context, observe runtime.Option) (probeState, error) {
		s, err := g.invoke(ctx, observe)
		if err == nil && !slices.Equal(s.Results, want) {
			err = fmt.Errorf("aggregate saw %v, want all %d results", s.Results, g.width)
		}
		return s, err
	}
}

// TestSeedStory: 20 parallel branches with random delays, 10 runs, all 20
// results collected in every run.
func TestSeedStory(t *testing.T) {
	rep := Run(t, collected(fanout(correct)), Runs(10))
	if rep.Runs != 10 || rep.Deliveries != 200 || rep.Forks != 10 || rep.Lost != 0 || rep.Failed != 0 {
		t.Errorf("report: %+v", rep)
	}
}

// TestSeedStoryLostResults is the bug of the seed story: a join that stops
// waiting after 30 ms loses the slow workers' results, and the harness says
// so.
func TestSeedStoryLostResults(t *testing.T) {
	g := fanout(dropTimeout)
	g.patience = 30 * time.Millisecond
	f := newFakeTB(t)
	rep := Run(f, collected(g), Runs(10))
	text := f.text()
	if rep.Lost == 0 || rep.Failed == 0 || !strings.Contains(text, "lost delivery") || !strings.Contains(text, "aggregate saw") {
		t.Errorf("lost results not reported: %+v\n%s", rep, text)
	}
}
