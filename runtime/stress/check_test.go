package stress

import (
	"errors"
	"strings"
	"testing"

	"github.com/graphc/graphc/runtime"
)

// Shorthands for synthetic event sequences.
var mainFlow = runtime.Branch{}

func br(fork uint64, index int) runtime.Branch { return runtime.Branch{Fork: fork, Index: index} }

func started(node string, in runtime.Branch) event {
	return event{kind: runtime.NodeStarted, node: node, in: in}
}

func finished(node string, in runtime.Branch) event {
	return event{kind: runtime.NodeFinished, node: node, in: in}
}

func forked(node string, in runtime.Branch, fork uint64, branches int) event {
	return event{kind: runtime.Forked, node: node, in: in, fork: fork, parent: in.Fork, branches: branches}
}

func arrived(fanIn string, in runtime.Branch) event {
	return event{kind: runtime.BranchArrived, node: fanIn, in: in}
}

func joined(fanIn string, in runtime.Branch, fork uint64) event {
	return event{kind: runtime.Joined, node: fanIn, in: in, fork: fork}
}

func done(err error) event { return event{kind: runtime.Done, err: err} }

func branchStarted(entry string, in runtime.Branch) event {
	return event{kind: runtime.BranchStarted, node: entry, in: in}
}

func branchFailed(entry string, in runtime.Branch, err error) event {
	return event{kind: runtime.BranchFailed, node: entry, in: in, err: err}
}

// node is a node that started and finished.
func node(name string, in runtime.Branch) []event {
	return []event{started(name, in), finished(name, in)}
}

// seq concatenates events and sequences of them.
func seq(parts ...any) []event {
	var out []event
	for _, p := range parts {
		switch p := p.(type) {
		case event:
			out = append(out, p)
		case []event:
			out = append(out, p...)
		default:
			panic("seq: not an event")
		}
	}
	return out
}

// check feeds events to a checker, ends the run with err and returns the
// checker's verdict.
func check(events []event, err error, allowErrors bool) (stats, []string) {
	c := newChecker(1, 0, 0, &lateEvents{})
	for _, e := range events {
		c.observe(e.kind, e.node, e.in, e.fork, e.parent, e.branches, e.err)
	}
	c.finish(err, allowErrors)
	st, vs, _ := c.result()
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.msg
	}
	return st, msgs
}

// fork2 is a fork at "start" into two branches "a" and "b" that meet at
// "merge" (the fork and both BranchStarted events), with the branches' events.
func fork2(id uint64) (fork []event, a, b []event) {
	return seq(forked("start", mainFlow, id, 2), branchStarted("a", br(id, 0)), branchStarted("b", br(id, 1))),
		seq(node("a", br(id, 0)), arrived("merge", br(id, 0))),
		seq(node("b", br(id, 1)), arrived("merge", br(id, 1)))
}

func TestCheckerAcceptsCorrectRuns(t *testing.T) {
	f, a, b := fork2(1)
	// A fork inside branch 1 of fork 2, the sequence a generated graph emits.
	inner := seq(
		started("sub", br(2, 1)), finished("sub", br(2, 1)),
		forked("sub", br(2, 1), 3, 2),
		branchStarted("s0", br(3, 0)), node("s0", br(3, 0)), arrived("subjoin", br(3, 0)),
		branchStarted("s1", br(3, 1)), node("s1", br(3, 1)), arrived("subjoin", br(3, 1)),
		joined("subjoin", br(2, 1), 3), node("subjoin", br(2, 1)),
		arrived("merge", br(2, 1)),
	)
	for name, events := range map[string][]event{
		"fork": seq(node("start", mainFlow), f, a, b, joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		"interleaved": seq(node("start", mainFlow), f, a[0], b[0], a[1], b[1], b[2], a[2],
			joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		"nested": seq(node("start", mainFlow), forked("start", mainFlow, 2, 2),
			branchStarted("a", br(2, 0)), node("a", br(2, 0)), arrived("merge", br(2, 0)),
			branchStarted("sub", br(2, 1)), inner,
			joined("merge", mainFlow, 2), node("merge", mainFlow), done(nil)),
		"no fork": seq(node("start", mainFlow), done(nil)),
	} {
		st, vs := check(events, nil, false)
		if len(vs) > 0 {
			t.Errorf("%s: violations on a correct run:\n%s", name, strings.Join(vs, "\n"))
		}
		if st.lost != 0 {
			t.Errorf("%s: lost = %d", name, st.lost)
		}
	}
	st, _ := check(seq(node("start", mainFlow), f, a, b, joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)), nil, false)
	if st != (stats{forks: 1, deliveries: 2, nodes: 4, maxBranches: 2}) {
		t.Errorf("stats = %+v", st)
	}
}

func TestCheckerFindsViolations(t *testing.T) {
	f, a, b := fork2(1)
	errBoom := errors.New("boom")
	for _, c := range []struct {
		name        string
		events      []event
		err         error
		allowErrors bool
		want        []string // substrings of the violations, in order
		lost        int
	}{{
		name:   "duplicate delivery",
		events: seq(f, a, b, arrived("merge", br(1, 1)), joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		want:   []string{"branch 1 of fork 1 delivered twice"},
	}, {
		name:   "duplicate delivery in a failed run",
		events: seq(f, a, a[2], branchFailed("b", br(1, 1), errBoom), done(errBoom)),
		err:    errBoom, allowErrors: true,
		want: []string{"branch 0 of fork 1 delivered twice"},
	}, {
		name:   "early join, late delivery",
		events: seq(f, a, b[:2], joined("merge", mainFlow, 1), started("merge", mainFlow), b[2], finished("merge", mainFlow), done(nil)),
		want: []string{
			"early join: #9 Joined fork 1 at merge [main] before branches [1] of 2 had arrived",
			"lost delivery: #11 BranchArrived merge [fork 1 branch 1] after fork 1 had joined (#9)",
		},
		lost: 1,
	}, {
		name:   "delivery missing in a successful run",
		events: seq(f, a, b[:2], joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		want:   []string{"early join", "lost delivery: branches [1] of fork 1 at start never arrived"},
		lost:   1,
	}, {
		name:   "delivery missing in a failed run",
		events: seq(f, a, b[:1], branchFailed("b", br(1, 1), errBoom), done(errBoom)),
		err:    errBoom, allowErrors: true,
	}, {
		name:   "a started branch vanishes in a failed run",
		events: seq(f, a, b[:1], done(errBoom)),
		err:    errBoom, allowErrors: true,
		want: []string{"lost branch: branch 1 of fork 1 at start started, but neither delivered nor failed"},
		lost: 1,
	}, {
		name:   "delivery without a start",
		events: seq(forked("start", mainFlow, 1, 1), node("a", br(1, 0)), arrived("merge", br(1, 0)), joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		want:   []string{"delivered without starting"},
	}, {
		name:   "error not allowed",
		events: seq(f, a, b[:1], branchFailed("b", br(1, 1), errBoom), done(errBoom)),
		err:    errBoom,
		want:   []string{"the run returned an error: boom"},
	}, {
		name:   "fork never joined",
		events: seq(f, a, b, done(nil)),
		want:   []string{"fork 1 at start never joined"},
	}, {
		name:   "joined twice",
		events: seq(f, a, b, joined("merge", mainFlow, 1), node("merge", mainFlow), joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		want:   []string{"fork 1 already joined at #10"},
	}, {
		name:   "fan-in does not start after the join",
		events: seq(f, a, b, joined("merge", mainFlow, 1), node("review", mainFlow), done(nil)),
		want:   []string{"the next event there was #11 NodeStarted review [main], not NodeStarted merge"},
	}, {
		name:   "fan-in never starts",
		events: seq(f, a, b, joined("merge", mainFlow, 1)),
		want:   []string{"no Done event", "fork 1 joined at merge (#10) but its fan-in never started"},
	}, {
		name: "node of a nested branch after the outer join",
		events: seq(forked("start", mainFlow, 1, 1), started("sub", br(1, 0)), finished("sub", br(1, 0)),
			forked("sub", br(1, 0), 2, 1), started("s0", br(2, 0)),
			joined("merge", mainFlow, 1), started("merge", mainFlow),
			finished("s0", br(2, 0)), finished("merge", mainFlow), done(nil)),
		want: []string{"early join", "#8 NodeFinished s0 [fork 2 branch 0] ran after fork 1 joined (#6)", "branches [0] of fork 1 at start never arrived", "fork 2 at sub never joined"},
		lost: 2,
	}, {
		name:   "finished without start",
		events: seq(started("a", mainFlow), finished("b", mainFlow), done(nil)),
		want:   []string{"NodeFinished b [main] without NodeStarted b"},
	}, {
		name:   "started twice",
		events: seq(started("a", mainFlow), started("b", mainFlow), finished("b", mainFlow), done(nil)),
		want:   []string{"NodeStarted b [main] while a had not finished"},
	}, {
		name:   "event after Done",
		events: seq(node("a", mainFlow), done(nil), node("b", mainFlow)),
		want:   []string{"#4 NodeStarted b [main] came after Done", "#5 NodeFinished b [main] came after Done"},
	}, {
		name:   "Done twice",
		events: seq(node("a", mainFlow), done(nil), done(nil)),
		want:   []string{"came after Done", "Done was observed 2 times"},
	}, {
		name:   "no Done",
		events: node("a", mainFlow),
		want:   []string{"no Done event was observed"},
	}, {
		name:   "unknown fork",
		events: seq(arrived("merge", br(7, 0)), node("a", mainFlow), done(nil)),
		want:   []string{"no fork 7 was seen"},
	}, {
		name:   "branch index out of range",
		events: seq(forked("start", mainFlow, 1, 1), arrived("merge", br(1, 3)), done(errBoom)),
		err:    errBoom, allowErrors: true,
		want: []string{"fork 1 has 1 branches, none with index 3"},
	}, {
		name:   "wrong parent",
		events: seq(event{kind: runtime.Forked, node: "start", fork: 1, parent: 4, branches: 1}, done(errBoom)),
		err:    errBoom, allowErrors: true,
		want: []string{"its parent is 4 but it forked in fork 0"},
	}, {
		name:   "fan-in mismatch",
		events: seq(f, a, b[:2], arrived("other", br(1, 1)), joined("merge", mainFlow, 1), node("merge", mainFlow), done(nil)),
		want:   []string{"meet at merge, not other"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			st, vs := check(c.events, c.err, c.allowErrors)
			if len(c.want) == 0 && len(vs) > 0 {
				t.Fatalf("violations:\n%s", strings.Join(vs, "\n"))
			}
			i := 0
			for _, v := range vs {
				if i < len(c.want) && strings.Contains(v, c.want[i]) {
					i++
				}
			}
			if i < len(c.want) {
				t.Errorf("missing violation %q; got:\n%s", c.want[i], strings.Join(vs, "\n"))
			}
			if st.lost != c.lost {
				t.Errorf("lost = %d, want %d", st.lost, c.lost)
			}
		})
	}
}

func TestCheckerCollectsLateEvents(t *testing.T) {
	late := &lateEvents{}
	c := newChecker(1, 4, 0, late)
	c.observe(runtime.Done, "", mainFlow, 0, 0, 0, nil)
	c.finish(nil, false)
	c.observe(runtime.BranchArrived, "merge", br(1, 0), 0, 0, 0, nil)
	n, runs, sample := late.snapshot()
	if n != 1 || runs[4] != 1 || len(sample) != 1 || sample[0] != "run 4: BranchArrived merge [fork 1 branch 0]" {
		t.Errorf("late events: %d %v %q", n, runs, sample)
	}
	if _, vs, _ := c.result(); len(vs) != 0 {
		t.Errorf("a late event became a violation of the run: %v", vs)
	}
}
