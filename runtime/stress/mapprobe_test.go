package stress

import (
	"context"
	"testing"
)

type probeItem struct {
	N    int
	Tags []string
}

// TestItemsLengths: over many runs, a map's items number 0, 1 and many,
// each filled; the same run and visit draw the same list.
func TestItemsLengths(t *testing.T) {
	seen := map[string]int{}
	for run := range 300 {
		ctx := context.WithValue(context.Background(), ctxKey{}, &runSource{seed: 7, run: run})
		items := Items[probeItem](ctx, "plan")
		again := Items[probeItem](context.WithValue(context.Background(), ctxKey{}, &runSource{seed: 7, run: run}), "plan")
		if len(items) != len(again) {
			t.Fatalf("run %d: %d items, then %d for the same draw", run, len(items), len(again))
		}
		switch n := len(items); {
		case n == 0:
			seen["0"]++
		case n == 1:
			seen["1"]++
		case n <= ManyItems:
			seen["many"]++
		default:
			t.Fatalf("run %d: %d items, more than %d", run, n, ManyItems)
		}
		for i, it := range items {
			if it.Tags == nil {
				t.Fatalf("run %d: item %d not filled: %+v", run, i, it)
			}
		}
	}
	for _, k := range []string{"0", "1", "many"} {
		if seen[k] < 50 {
			t.Errorf("lengths drawn %v: want each of 0, 1 and many about a third of the time", seen)
		}
	}
	if n := len(Items[probeItem](context.Background(), "plan")); n != ManyItems {
		t.Errorf("outside a run: %d items, want %d", n, ManyItems)
	}
}

// TestSelectSets: a select fork's draw is none, all or a subset, never a
// bit outside its branches.
func TestSelectSets(t *testing.T) {
	seen := map[string]int{}
	for run := range 300 {
		ctx := context.WithValue(context.Background(), ctxKey{}, &runSource{seed: 3, run: run})
		set := Select(ctx, "route", 3)
		switch {
		case set>>3 != 0:
			t.Fatalf("run %d: %b has bits past 3 branches", run, set)
		case set == 0:
			seen["none"]++
		case set == 7:
			seen["all"]++
		default:
			seen["some"]++
		}
	}
	for _, k := range []string{"none", "all", "some"} {
		if seen[k] < 40 {
			t.Errorf("selections drawn %v: want none, all and some", seen)
		}
	}
	if got := Select(context.Background(), "route", 64); got != ^uint64(0) {
		t.Errorf("outside a run, 64 branches: %x", got)
	}
}

// checkEvents is check with every field of the events (skipped included).
func checkEvents(events []event) []string {
	c := newChecker(1, 0, 0, &lateEvents{})
	for _, e := range events {
		c.observeEvent(e)
	}
	c.finish(nil, false)
	_, vs, _ := c.result()
	var msgs []string
	for _, v := range vs {
		msgs = append(msgs, v.msg)
	}
	return msgs
}

// TestCheckerMapsAndSelects: an empty map joins at once; a select fork's
// unpicked branch must not run, and its picked ones must all arrive.
func TestCheckerMapsAndSelects(t *testing.T) {
	empty := seq(node("plan", mainFlow), forked("plan", mainFlow, 1, 0), joined("combine", mainFlow, 1), node("combine", mainFlow), done(nil))
	if v := checkEvents(empty); v != nil {
		t.Errorf("a map of no items: %q", v)
	}
	sel := func(extra ...any) []event {
		f := forked("route", mainFlow, 1, 3)
		f.skipped = 0b010 // branch 1 not picked
		return seq(append([]any{node("route", mainFlow), f,
			branchStarted("a", br(1, 0)), node("a", br(1, 0)), arrived("merge", br(1, 0)),
			branchStarted("c", br(1, 2)), node("c", br(1, 2)), arrived("merge", br(1, 2))},
			append(extra, joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil))...)...)
	}
	if v := checkEvents(sel()); v != nil {
		t.Errorf("a select of branches 0 and 2: %q", v)
	}
	if v := checkEvents(sel(branchStarted("b", br(1, 1)), arrived("merge", br(1, 1)))); len(v) == 0 {
		t.Error("an unpicked branch ran and delivered, and the checker saw nothing")
	}
	lost := seq(node("route", mainFlow), forked("route", mainFlow, 1, 2),
		branchStarted("a", br(1, 0)), node("a", br(1, 0)), arrived("merge", br(1, 0)),
		joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil))
	if v := checkEvents(lost); len(v) == 0 {
		t.Error("a picked branch never arrived, and the checker saw nothing")
	}
}
