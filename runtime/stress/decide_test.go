package stress

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

func TestChooseOutsideRunTakesExit(t *testing.T) {
	for exit := range 3 {
		for range 10 {
			if got := Choose(context.Background(), "review", 3, exit); got != exit {
				t.Fatalf("Choose(background, 3 labels, exit %d) = %d, want the exit", exit, got)
			}
		}
	}
}

func TestChoosePanicsOnBadExit(t *testing.T) {
	for _, c := range []struct{ labels, exit int }{{2, 2}, {2, -1}, {0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Choose(%d labels, exit %d) did not panic", c.labels, c.exit)
				}
			}()
			Choose(context.Background(), "n", c.labels, c.exit)
		}()
	}
}

// TestChooseFollowsChoice checks that Choose, under a run's context, makes
// exactly the decisions of the pure function choice, visit after visit.
func TestChooseFollowsChoice(t *testing.T) {
	const seed, run = 42, 7
	src := &runSource{seed: seed, run: run, visits: make(map[string]int)}
	ctx := context.WithValue(context.Background(), ctxKey{}, src)
	for visit := range 5 {
		for _, node := range []string{"review", "rank"} {
			got := Choose(ctx, node, 3, 2)
			if want := choice(seed, run, node, visit, 3, 2); got != want {
				t.Fatalf("visit %d of %s: Choose = %d, choice = %d", visit, node, got, want)
			}
		}
	}
}

func TestChoiceIsBiasedToExit(t *testing.T) {
	const n = 20000
	var exits [exitCertain + 1]int
	others := map[int]int{}
	for seed := range uint64(n) {
		for visit := range exitCertain + 1 {
			c := choice(seed, 3, "loop", visit, 4, 2)
			if c < 0 || c >= 4 {
				t.Fatalf("choice = %d, not a label", c)
			}
			if c == 2 {
				exits[visit]++
			} else if visit == 0 {
				others[c]++
			}
		}
	}
	for visit, k := range exits {
		want := min(float64(visit+1)/exitCertain, 1)
		if got := float64(k) / n; math.Abs(got-want) > 0.02 {
			t.Errorf("visit %d exits with frequency %.3f, want %.3f", visit, got, want)
		}
	}
	for _, label := range []int{0, 1, 3} {
		if got := float64(others[label]) / float64(n-exits[0]); math.Abs(got-1.0/3) > 0.03 {
			t.Errorf("label %d taken in %.3f of the loops, want 1/3", label, got)
		}
	}
	if choice(1, 1, "n", 0, 1, 0) != 0 {
		t.Error("with one label, choice must take it")
	}
}

func TestDecisionsAreDeterministic(t *testing.T) {
	for seed := range uint64(50) {
		for seq := range 20 {
			a := jitterFor(seed, 2, runtime.NodeStarted, "node", 1, seq, time.Millisecond)
			b := jitterFor(seed, 2, runtime.NodeStarted, "node", 1, seq, time.Millisecond)
			if a != b {
				t.Fatalf("jitterFor gave %+v then %+v for the same arguments", a, b)
			}
			c1 := choice(seed, 2, "node", seq%3, 3, 1)
			c2 := choice(seed, 2, "node", seq%3, 3, 1)
			if c1 != c2 {
				t.Fatal("choice gave two answers for the same arguments")
			}
		}
	}
	// Every argument matters.
	base := draw(1, 2, domainJitter, "node", 3, 4)
	for name, h := range map[string]uint64{
		"seed":   draw(9, 2, domainJitter, "node", 3, 4),
		"run":    draw(1, 9, domainJitter, "node", 3, 4),
		"domain": draw(1, 2, domainChoose, "node", 3, 4),
		"node":   draw(1, 2, domainJitter, "nodf", 3, 4),
		"word 1": draw(1, 2, domainJitter, "node", 9, 4),
		"word 2": draw(1, 2, domainJitter, "node", 3, 9),
	} {
		if h == base {
			t.Errorf("changing the %s does not change the draw", name)
		}
	}
}

func TestJitterShape(t *testing.T) {
	const n = 40000
	const max = 200 * time.Microsecond
	var sleeps, yields, nothing int
	for seq := range n {
		a := jitterFor(5, 1, runtime.NodeStarted, "b1", 0, seq, max)
		switch {
		case a.Sleep > 0:
			sleeps++
			if a.Sleep > max {
				t.Fatalf("sleep %v is longer than the jitter %v", a.Sleep, max)
			}
			if a.Yield {
				t.Fatalf("%+v both sleeps and yields", a)
			}
		case a.Yield:
			yields++
		default:
			nothing++
		}
		if z := jitterFor(5, 1, runtime.NodeStarted, "b1", 0, seq, 0); z.Sleep != 0 {
			t.Fatalf("with no jitter, %+v sleeps", z)
		}
	}
	// Half sleep (a few draw a zero sleep), 3/8 yield, 1/8 do nothing.
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"sleep", float64(sleeps) / n, 0.5},
		{"yield", float64(yields) / n, 0.375},
		{"do nothing", float64(nothing) / n, 0.125},
	} {
		if math.Abs(c.got-c.want) > 0.02 {
			t.Errorf("%.3f of the events %s, want %.3f", c.got, c.what, c.want)
		}
	}
}

func TestPause(t *testing.T) {
	for _, d := range []time.Duration{50 * time.Microsecond, 300 * time.Microsecond, 2 * time.Millisecond} {
		start := time.Now()
		pause(d)
		if got := time.Since(start); got < d {
			t.Errorf("pause(%v) returned after %v", d, got)
		}
	}
}

// TestDecideIsChoose: Decide makes Choose's decisions for the same seed,
// run, node and visit, so a probe that counts visits itself decides as the
// harness's probes do.
func TestDecideIsChoose(t *testing.T) {
	const seed, run = 42, 7
	src := &runSource{seed: seed, run: run, visits: make(map[string]int)}
	ctx := context.WithValue(context.Background(), ctxKey{}, src)
	for visit := range 5 {
		for _, node := range []string{"review", "rank"} {
			want := Choose(ctx, node, 3, 1)
			if got := Decide(seed, run, node, visit, 3, 1); got != want {
				t.Fatalf("Decide(%s, visit %d) = %d, Choose took %d", node, visit, got, want)
			}
		}
	}
}
