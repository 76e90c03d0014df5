package stress

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// TestCorrectExecutorPasses runs the harness, at its defaults, on the
// correct fixture (with a nested fork and loops) and on a wide one under
// changing GOMAXPROCS: no false alarm.
func TestCorrectExecutorPasses(t *testing.T) {
	for _, c := range []struct {
		name string
		g    *probe
		opts []Option
		runs int
	}{
		{"nested", newProbe(4, correct).withNested(), nil, DefaultRuns},
		{"wide, procs 1 2 4", newProbe(12, correct), []Option{Runs(200), Procs(1, 2, 4)}, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeTB(t)
			rep := Run(f, c.g.invoke, c.opts...)
			if errs := f.Errors(); len(errs) > 0 {
				t.Fatalf("the harness reported %d problems with a correct executor; the first:\n%s", len(errs), errs[0])
			}
			if rep.Runs != c.runs || rep.Failed != 0 || rep.Lost != 0 || rep.Errors != 0 || rep.Leaked != 0 || rep.Violations != 0 {
				t.Errorf("report: %+v", rep)
			}
			if rep.Forks < c.runs || rep.Deliveries < rep.Forks*2 || rep.Nodes < rep.Deliveries || rep.MaxBranches != c.g.width {
				t.Errorf("the counters are off: %+v", rep)
			}
			if len(f.logs) != 1 || !strings.Contains(f.logs[0], fmt.Sprintf("seed %d", rep.Seed)) {
				t.Errorf("summary: %q", f.logs)
			}
			t.Log(f.logs[0])
		})
	}
}

// TestHarnessDetectsBrokenJoins runs the harness at its defaults on each
// broken fixture, a few times over with fresh seeds: it must report the
// bug every time, with lost deliveries and with the seed.
func TestHarnessDetectsBrokenJoins(t *testing.T) {
	const attempts = 5
	for _, v := range []variant{dropLast, dropTimeout, joinEarly} {
		t.Run(v.String(), func(t *testing.T) {
			worst := 0
			for range attempts {
				g := newProbe(4, v).withNested()
				f := newFakeTB(t)
				rep := Run(f, g.invoke)
				errs := f.Errors()
				if len(errs) == 0 {
					t.Fatalf("not detected in %d runs: %+v", rep.Runs, rep)
				}
				if rep.Lost == 0 || rep.Failed == 0 || rep.Violations == 0 {
					t.Errorf("report: %+v", rep)
				}
				if !strings.Contains(errs[0], fmt.Sprintf("(seed %d)", rep.Seed)) ||
					!strings.Contains(errs[0], fmt.Sprintf("-stress.seed=%d", rep.Seed)) {
					t.Errorf("the report does not show how to replay seed %d:\n%s", rep.Seed, errs[0])
				}
				first := firstFailingRun(t, errs[0])
				worst = max(worst, first)
			}
			t.Logf("detected in each of %d attempts; the first failing run was at most run %d of %d", attempts, worst, DefaultRuns)
		})
	}
}

// firstFailingRun returns N from the "stress: run N of M" of a report.
func firstFailingRun(t *testing.T, report string) int {
	t.Helper()
	m := regexp.MustCompile(`stress: run (\d+) of`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no run number in:\n%s", report)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestReplay checks that a violation report names its seed and that the
// seed replays the runs' decisions: the same Choose labels and the same
// jitter at the same places, whatever the interleaving.
func TestReplay(t *testing.T) {
	f := newFakeTB(t)
	Run(f, newProbe(4, dropLast).withNested().invoke, Seed(271828))
	if len(f.Errors()) == 0 {
		t.Fatal("the broken join was not detected")
	}
	report := f.Errors()[0]
	m := regexp.MustCompile(`go test -run '\^TestReplay\$' -stress\.seed=(\d+) github\.com/graphc/graphc/runtime/stress`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no replay command in:\n%s", report)
	}
	seed, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil || seed != 271828 {
		t.Fatalf("replay seed %q, want 271828", m[1])
	}

	record := func(seed uint64) (choices map[string][]int, jitter map[string]jitterAction) {
		var mu sync.Mutex
		choices, jitter = map[string][]int{}, map[string]jitterAction{}
		g := newProbe(4, correct).withNested()
		g.onChoose = func(run int, node string, label int) {
			mu.Lock()
			defer mu.Unlock()
			k := fmt.Sprintf("run %d %s", run, node)
			choices[k] = append(choices[k], label)
		}
		hook := func(c *config) {
			c.hook = func(run int, kind runtime.EventKind, node string, index, seq int, a jitterAction) {
				mu.Lock()
				defer mu.Unlock()
				jitter[fmt.Sprintf("run %d %v %s [%d] #%d", run, kind, node, index, seq)] = a
			}
		}
		f := newFakeTB(t)
		Run(f, g.invoke, Seed(seed), Runs(100), hook)
		if errs := f.Errors(); len(errs) > 0 {
			t.Fatalf("correct executor: %s", errs[0])
		}
		return choices, jitter
	}
	c1, j1 := record(seed)
	c2, j2 := record(seed)
	c3, j3 := record(seed + 1)
	if len(c1) == 0 || len(j1) == 0 {
		t.Fatal("nothing recorded")
	}
	if !equalMaps(c1, c2, func(a, b []int) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
		t.Error("the same seed made different Choose decisions")
	}
	if !equalMaps(j1, j2, func(a, b jitterAction) bool { return a == b }) {
		t.Error("the same seed made different jitter decisions")
	}
	if equalMaps(c1, c3, func(a, b []int) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) ||
		equalMaps(j1, j3, func(a, b jitterAction) bool { return a == b }) {
		t.Error("another seed made the same decisions")
	}
	t.Logf("seed %d: %d Choose sequences and %d jitter decisions replayed", seed, len(c1), len(j1))
}

func equalMaps[V any](a, b map[string]V, eq func(V, V) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !eq(v, w) {
			return false
		}
	}
	return true
}

// TestFlagsOverrideOptions checks the precedence of the -stress.* flags.
func TestFlagsOverrideOptions(t *testing.T) {
	c := newConfig([]Option{Runs(7), Seed(5), Jitter(time.Millisecond), Parallel(3), Procs(1, 0, 2), Timeout(time.Minute)})
	if c.runs != 7 || c.seed != 5 || c.jitter != time.Millisecond || c.parallel != 3 || fmt.Sprint(c.procs) != "[1 2]" || c.timeout != time.Minute {
		t.Errorf("options: %+v", c)
	}
	saved := [...]any{flagRuns, flagSeed, flagJitter, flagParallel, flagProcs, flagTimeout}
	defer func() {
		flagRuns, flagSeed, flagJitter = saved[0].(intFlag), saved[1].(uint64Flag), saved[2].(durationFlag)
		flagParallel, flagProcs, flagTimeout = saved[3].(intFlag), saved[4].(procsFlag), saved[5].(durationFlag)
	}()
	for _, set := range []struct {
		f interface{ Set(string) error }
		v string
	}{{&flagRuns, "11"}, {&flagSeed, "0x10"}, {&flagJitter, "0"}, {&flagParallel, "9"}, {&flagProcs, "3, 4"}, {&flagTimeout, "2s"}} {
		if err := set.f.Set(set.v); err != nil {
			t.Fatal(err)
		}
	}
	c = newConfig([]Option{Runs(7), Seed(5), Jitter(time.Millisecond), Parallel(3)})
	if c.runs != 11 || c.seed != 16 || c.jitter != 0 || c.parallel != 9 || fmt.Sprint(c.procs) != "[3 4]" || c.timeout != 2*time.Second {
		t.Errorf("flags: %+v", c)
	}
	if err := flagProcs.Set("1,x"); err == nil {
		t.Error("-stress.procs=1,x accepted")
	}
	if a, b := newConfig(nil), newConfig(nil); a.seed == b.seed && flagSeed.set == false {
		t.Error("two random seeds are equal")
	}
}

// TestErrorsFailUnlessAllowed makes every other run fail in a branch, under
// both branch-error policies.
func TestErrorsFailUnlessAllowed(t *testing.T) {
	errBoom := errors.New("boom")
	for _, policy := range []runtime.Policy{runtime.Cancel, runtime.Wait} {
		g := newProbe(4, correct).withNested()
		g.work = func(ctx context.Context, node string) error {
			if node == "b2" && sourceOf(ctx).run%2 == 1 {
				return errBoom
			}
			return nil
		}
		invoke := func(ctx context.Context, observe runtime.Option) (probeState, error) {
			return g.Invoke(ctx, probeState{}, runtime.WithOnBranchError(policy), observe)
		}
		f := newFakeTB(t)
		rep := Run(f, invoke, Runs(40), AllowErrors())
		if errs := f.Errors(); len(errs) > 0 {
			t.Fatalf("%v, errors allowed: %s", policy, errs[0])
		}
		if rep.Errors != 20 || rep.Failed != 0 || rep.Runs != 40 || rep.Lost != 0 {
			t.Errorf("%v, errors allowed: %+v", policy, rep)
		}
		f = newFakeTB(t)
		rep = Run(f, invoke, Runs(40))
		if errs := f.Errors(); len(errs) == 0 || !strings.Contains(errs[0], "the run returned an error: ") || !strings.Contains(errs[0], "boom") {
			t.Errorf("%v: errors not reported: %q", policy, errs)
		}
		if rep.Failed == 0 || rep.Lost != 0 {
			t.Errorf("%v: %+v", policy, rep)
		}
	}
}

// TestObserverNotPassed is the mistake of an invoke that drops the observer.
func TestObserverNotPassed(t *testing.T) {
	g := newProbe(2, correct)
	f := newFakeTB(t)
	rep := Run(f, func(ctx context.Context, _ runtime.Option) (probeState, error) {
		return g.Invoke(ctx, probeState{})
	}, Runs(10))
	if errs := f.Errors(); len(errs) == 0 || !strings.Contains(errs[0], "no Done event was observed: was the observer option passed") {
		t.Errorf("not reported: %q", errs)
	}
	if errs := f.Errors(); rep.Failed < maxReported || len(errs) > maxReported+1 {
		t.Errorf("%d failing runs, %d reports: want every run to fail and at most %d reports (%d runs and a count)", rep.Failed, len(errs), maxReported+1, maxReported)
	}
	// An observer of the wrong state type: the graph refuses it.
	f = newFakeTB(t)
	Run(f, func(ctx context.Context, observe runtime.Option) (int, error) {
		_, err := g.Invoke(ctx, probeState{}, observe)
		return 0, err
	}, Runs(3))
	if errs := f.Errors(); len(errs) == 0 || !strings.Contains(errs[0], "an observer of func(runtime.Event[int])") {
		t.Errorf("wrong state type not reported: %q", errs)
	}
}

// TestLeakedGoroutinesFail starts a goroutine that outlives its run in
// three runs, next to one started by the test itself.
func TestLeakedGoroutinesFail(t *testing.T) {
	defer func(d time.Duration) { leakPatience = d }(leakPatience)
	leakPatience = 50 * time.Millisecond
	release := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release)
	wg.Go(func() { <-release }) // not started by a run: not counted

	g := newProbe(2, correct)
	g.loops = false
	g.work = func(ctx context.Context, node string) error {
		if node == "review" {
			wg.Go(func() { <-release })
		}
		return nil
	}
	f := newFakeTB(t)
	rep := Run(f, g.invoke, Runs(3))
	errs := f.Errors()
	if rep.Leaked != 3 || len(errs) != 1 {
		t.Fatalf("leaked %d, reports %q", rep.Leaked, errs)
	}
	for _, want := range []string{"3 goroutines started by the runs were still alive", `# labels: {"graphc.stress":"`, "runtime/stress.TestLeakedGoroutinesFail"} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("the report lacks %q:\n%s", want, errs[0])
		}
	}
}

func TestLeakScope(t *testing.T) {
	s := newLeakScope(12, "example.com/m/research", TestLeakScope)
	if fmt.Sprint(s.pkgs) != "[github.com/graphc/graphc/runtime example.com/m/research github.com/graphc/graphc/runtime/stress]" {
		t.Errorf("packages: %v", s.pkgs)
	}
	frame := func(fn string) string { return "#\t0x4dc0bc\t" + fn + "+0x1c\t/src/file.go:12" }
	group := func(label string, frames ...string) string {
		return "1 @ 0x47d92e 0x4dc0bd\n# labels: {" + label + "}\n" + strings.Join(frames, "\n")
	}
	ours := `"graphc.stress":"12/3"`
	for _, c := range []struct {
		group string
		want  bool
	}{
		{group(ours, frame("sync.runtime_Semacquire"), frame("github.com/graphc/graphc/runtime.(*activation[...]).spawned")), true},
		{group(`"a":"b", `+ours, frame("example.com/m/research.(*Research).run.func1")), true},
		{group(ours, frame("net/http.(*persistConn).readLoop")), false},
		{group(ours, frame("github.com/graphc/graphc/runtimex.F")), false},
		{group(`"graphc.stress":"120/3"`, frame("github.com/graphc/graphc/runtime.F")), false},
		{group(`"graphc.stress":"2/3"`, frame("github.com/graphc/graphc/runtime.F")), false},
		{"1 @ 0x47d92e\n" + frame("github.com/graphc/graphc/runtime.F"), false},
	} {
		if got := s.matches(c.group, s.label); got != c.want {
			t.Errorf("matches = %v, want %v:\n%s", got, c.want, c.group)
		}
	}
	for name, want := range map[string]string{
		"example.com/m/pkg.(*T).Method.func1":              "example.com/m/pkg",
		"github.com/graphc/graphc/runtime.Fork[...].func2": "github.com/graphc/graphc/runtime",
		"main.main": "main",
		"nodot":     "",
	} {
		if got := funcPackage(name); got != want {
			t.Errorf("funcPackage(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestStuckRun is a run that blocks until it is cancelled: Run reports it
// after Timeout, cancels the runs and stops.
func TestStuckRun(t *testing.T) {
	g := newProbe(2, correct)
	g.work = func(ctx context.Context, node string) error {
		if node == "b1" && sourceOf(ctx).run == 5 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	f := newFakeTB(t)
	rep := Run(f, g.invoke, Runs(1000), Parallel(2), Timeout(100*time.Millisecond), AllowErrors())
	errs := f.Errors()
	if len(errs) == 0 || !strings.Contains(errs[0], "stress: run 5 of 1000") || !strings.Contains(errs[0], "has not returned after 100ms") ||
		!strings.Contains(errs[0], "runtime/stress.TestStuckRun.func1") || !strings.Contains(errs[0], "NodeStarted b1 [fork") {
		t.Fatalf("stuck run not reported: %q", errs)
	}
	if rep.Runs == 1000 || rep.Failed == 0 {
		t.Errorf("Run went on after the stuck run: %+v", rep)
	}
}

// TestAbandonedRun is a run that ignores cancellation: Run gives up on it.
func TestAbandonedRun(t *testing.T) {
	defer func(d time.Duration) { leakPatience = d }(leakPatience)
	leakPatience = 20 * time.Millisecond
	release, returned := make(chan struct{}), make(chan struct{})
	g := newProbe(2, correct)
	g.work = func(ctx context.Context, node string) error {
		if node == "b0" && sourceOf(ctx).run == 0 {
			<-release
		}
		return nil
	}
	f := newFakeTB(t)
	rep := Run(f, func(ctx context.Context, observe runtime.Option) (probeState, error) {
		if sourceOf(ctx).run == 0 {
			defer close(returned)
		}
		return g.invoke(ctx, observe)
	}, Runs(20), Parallel(2), Timeout(50*time.Millisecond))
	close(release)
	<-returned
	text := f.text()
	for _, want := range []string{"run 0 of 20", "has not returned after 50ms", "runs still had not returned", "abandoning them", "were still alive"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reports lack %q:\n%s", want, text)
		}
	}
	if rep.Leaked == 0 || rep.Failed != 1 {
		t.Errorf("report: %+v", rep)
	}
}

func TestReplayCommand(t *testing.T) {
	t.Run("a sub test (with [brackets])", func(t *testing.T) {
		r := &runner[int]{t: t, cfg: config{seed: 99}, pkg: "example.com/m/research"}
		want := `go test -run '^TestReplayCommand$/^a_sub_test_\(with_\[brackets\]\)$' -stress.seed=99 example.com/m/research`
		if got := r.replay(); got != want {
			t.Errorf("replay:\n got %s\nwant %s", got, want)
		}
		r.pkg = "main"
		if got := r.replay(); strings.HasSuffix(got, " main") {
			t.Errorf("replay names package main: %s", got)
		}
	})
}

// TestHarnessDetectsSharedForkState: when a branch writes, in place, memory
// that its copy shares with the fork-time state (a shallow copy of one
// field), the harness reports that the fork-time state changed by the join.
// Only branch 0 writes, so that the race detector, which would catch two
// branches writing, does not fail this test first. With a deep copy, the
// same writes are fine.
func TestHarnessDetectsSharedForkState(t *testing.T) {
	for _, shallow := range []bool{true, false} {
		t.Run(fmt.Sprintf("shallow=%v", shallow), func(t *testing.T) {
			g := newProbe(3, correct)
			g.mutate, g.shallow = true, shallow
			f := newFakeTB(t)
			rep := Run(f, g.invoke, Runs(50))
			errs := f.Errors()
			if !shallow {
				if len(errs) > 0 {
					t.Fatalf("a deep copy was reported: %s", errs[0])
				}
				return
			}
			if rep.Failed == 0 || len(errs) == 0 || !strings.Contains(errs[0], "the fork-time state changed while its branches ran") ||
				!strings.Contains(errs[0], ".Results[0] = 1 became .Results[0] = ") {
				t.Fatalf("the shared Results went unreported: %+v %q", rep, errs)
			}
		})
	}
}
