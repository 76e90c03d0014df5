package casetest

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// killDirEnv, in a child process of Kill9, names the store to run in.
const killDirEnv = "GRAPHC_KILL9_DIR"

// Kill9 proves that a durable run survives the death of its process: the
// test binary runs itself again as a child that runs d on a store opened by
// open in a fresh directory (Invoke, or Resume when the thread exists, and
// on through every interrupt), and kills it with SIGKILL at a random moment,
// one to three times in a row; then it resumes the thread in-process to the
// end. The final state must be the uninterrupted run's, and the thread must
// record, per flow path, exactly the nodes the uninterrupted run recorded:
// no node recorded twice, none missing. It runs rounds such threads, within
// budget.
//
// The test that calls Kill9 must build d the same way in the child (it runs
// again from the start there, with the environment saying so). The graph's
// handlers must be deterministic and should take a little time (a
// millisecond a node), so that kills land mid-run.
func Kill9[S any](t *testing.T, d Durable[S], open func(dir string) (runtime.Store, error), rounds int, budget time.Duration) {
	if dir := os.Getenv(killDirEnv); dir != "" {
		killChild(t, d, open, dir)
		return
	}
	if testing.Short() {
		t.Skip("kill -9 runs child processes")
	}
	// The reference, in-process, on the same kind of store.
	refDir := t.TempDir()
	want, wantPaths := runWhole(t, d, open, refDir)
	wantRecords := recordsIn(t, open, refDir)
	child := func(dir string) *exec.Cmd {
		_ = os.Remove(filepath.Join(dir, startedMark)) // a new child marks its own start
		_ = os.Remove(filepath.Join(dir, doneMark))
		cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
		cmd.Env = append(os.Environ(), killDirEnv+"="+dir)
		return cmd
	}
	// mark waits until the child in dir has left the mark name.
	mark := func(dir, name string) time.Time {
		for wait := time.Now(); time.Since(wait) < 30*time.Second; time.Sleep(500 * time.Microsecond) {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				break
			}
		}
		return time.Now()
	}
	started := func(dir string) time.Time { return mark(dir, startedMark) }
	// The window the kills are drawn from: how long a child's run takes,
	// from its mark to its exit, as this machine is loaded now (a child runs
	// slower than the in-process reference: a fresh process, -race).
	dir0 := t.TempDir()
	cmd := child(dir0)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	begun := started(dir0)
	whole := mark(dir0, doneMark).Sub(begun)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("a child run failed: %v", err)
	}

	deadline := time.Now().Add(budget)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	killed, midRun := 0, 0
	for round := 0; round < rounds && time.Now().Before(deadline); round++ {
		dir := t.TempDir()
		for k := 0; k < 1+rng.IntN(3); k++ {
			cmd := child(dir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Somewhere in the child's run.
			started(dir)
			time.Sleep(time.Duration(rng.Int64N(int64(whole) + 1)))
			if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
				killed++
			}
			_ = cmd.Wait()
			if n := recordsIn(t, open, dir); n > 0 && n < wantRecords {
				midRun++
			}
		}
		got, gotPaths := runWhole(t, d, open, dir)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: final state\n%+v\nwant\n%+v", round, got, want)
		}
		for path, nodes := range wantPaths {
			if !slices.Equal(gotPaths[path], nodes) {
				t.Fatalf("round %d: path %q recorded %q, the uninterrupted run %q", round, path, gotPaths[path], nodes)
			}
		}
		if len(gotPaths) != len(wantPaths) {
			t.Fatalf("round %d: %d paths recorded, the uninterrupted run %d", round, len(gotPaths), len(wantPaths))
		}
	}
	if midRun == 0 {
		t.Fatalf("kill -9: no kill landed while the run was writing its thread (%d kills): the test proved nothing", killed)
	}
	t.Logf("kill -9: %d kills, %d of them mid-run; every thread resumed to the uninterrupted run's state and records (kills within %v of a run's start)", killed, midRun, whole.Round(time.Millisecond))
}

// killThread is the thread every Kill9 run records.
const killThread = "kill9"

// openKill opens the store at dir; the caller calls close when done with it
// (before a child process opens the same directory).
func openKill(t *testing.T, open func(string) (runtime.Store, error), dir string) (st runtime.Store, close func()) {
	t.Helper()
	st, err := open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := st.(interface{ Close() error }); ok {
		return st, func() { c.Close() }
	}
	return st, func() {}
}

// recordsIn counts the records of the kill thread in the store at dir.
func recordsIn(t *testing.T, open func(string) (runtime.Store, error), dir string) int {
	t.Helper()
	st, done := openKill(t, open, dir)
	defer done()
	recs, err := st.Load(Context(t), killThread)
	if err != nil && !errors.Is(err, runtime.ErrNoThread) {
		t.Fatal(err)
	}
	return len(recs)
}

// killChild is the child's side: run (or continue) the thread to its end.
func killChild[S any](t *testing.T, d Durable[S], open func(string) (runtime.Store, error), dir string) {
	if err := os.WriteFile(filepath.Join(dir, startedMark), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	runWhole(t, d, open, dir)
	if err := os.WriteFile(filepath.Join(dir, doneMark), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// startedMark and doneMark are the files a child creates in its store's
// directory when its run begins and ends.
const (
	startedMark = "kill9-started"
	doneMark    = "kill9-done"
)

// runWhole runs thread "kill9" in the store at dir to its end — starting it,
// or resuming it where it stands — and returns its final state and its node
// records per path.
func runWhole[S any](t *testing.T, d Durable[S], open func(string) (runtime.Store, error), dir string) (S, map[string][]string) {
	t.Helper()
	st, done := openKill(t, open, dir)
	defer done()
	ctx := Context(t)
	const thread = killThread
	var s S
	var err error
	if _, lerr := st.Load(ctx, thread); errors.Is(lerr, runtime.ErrNoThread) {
		s, err = d.Invoke(ctx, runtime.WithStore(st), runtime.WithThread(thread))
	} else {
		s, err = d.Resume(ctx, thread, runtime.WithStore(st))
	}
	s = Finish(t, d, thread, s, err, runtime.WithStore(st))
	recs, err := st.Load(ctx, thread)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string][]string{}
	for _, r := range recs {
		if r.Kind == runtime.NodeRecord {
			paths[r.Path] = append(paths[r.Path], r.Node)
		}
	}
	if len(paths) == 0 {
		t.Fatalf("thread %q recorded no node", thread)
	}
	return s, paths
}
