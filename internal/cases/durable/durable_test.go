package durable

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newStore() runtime.Store { return runtime.NewMemoryStore() }

func TestRunWithoutStoreIsRefused(t *testing.T) {
	_, err := NewApproval(&handlers{}).Invoke(t.Context(), State{})
	if err == nil || !strings.Contains(err.Error(), "pauses at interrupts, so its runs need a store") {
		t.Fatalf("err = %v", err)
	}
	_, err = NewApproval(&handlers{}, runtime.WithStore(newStore())).Invoke(t.Context(), State{})
	if err == nil || !strings.Contains(err.Error(), "needs a thread id") {
		t.Fatalf("err = %v", err)
	}
}

func TestInterruptsPauseAndResume(t *testing.T) {
	ctx := casetest.Context(t)
	st := newStore()
	h := &handlers{}
	g := NewApproval(h, runtime.WithStore(st))

	s, err := g.Invoke(ctx, State{Topic: "go"}, runtime.WithThread("t1"))
	var ip *runtime.Interrupted
	if !errors.As(err, &ip) || *ip != (runtime.Interrupted{Thread: "t1", Node: "review", Phase: runtime.After}) {
		t.Fatalf("first pause: %v", err)
	}
	if s.Round != 1 || s.Draft != "draft 1: 1 web, 2 papers, 3 notes" {
		t.Fatalf("state at the first pause: %+v", s)
	}
	snap, err := g.Snapshot(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Status != runtime.ThreadPaused || snap.Interrupt == nil || snap.Interrupt.Node != "review" || snap.Next != "" || !reflect.DeepEqual(snap.State, s) || snap.Fork != nil {
		t.Fatalf("snapshot: %+v", snap)
	}

	// Round 1 < 2: the route revises; the second round pauses after review again.
	s, err = g.Resume(ctx, "t1")
	if !errors.As(err, &ip) || ip.Node != "review" || s.Round != 2 {
		t.Fatalf("second pause: %v, round %d", err, s.Round)
	}
	// Then ok: it pauses before publish.
	s, err = g.Resume(ctx, "t1")
	if !errors.As(err, &ip) || ip.Node != "publish" || ip.Phase != runtime.Before {
		t.Fatalf("third pause: %v", err)
	}
	if h.Calls()["publish"] != 0 {
		t.Fatal("publish ran before its interrupt")
	}
	snap, _ = g.Snapshot(ctx, "t1")
	if snap.Next != "publish" || snap.Status != runtime.ThreadPaused {
		t.Fatalf("snapshot before publish: %+v", snap)
	}
	s, err = g.Resume(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Log; !reflect.DeepEqual(got, []string{"research 1", "review draft 1: 1 web, 2 papers, 3 notes", "research 2", "review draft 2: 2 web, 4 papers, 6 notes", "published"}) {
		t.Fatalf("log %q", got)
	}
	calls := h.Calls()
	if calls["review"] != 2 || calls["publish"] != 1 || calls["research"] != 2 || calls["fetch"] != 4 || calls["note_a"] != 2 {
		t.Fatalf("calls %v", calls)
	}
	// A finished thread is not run again.
	again, err := g.Resume(ctx, "t1")
	if err != nil || !reflect.DeepEqual(again, s) || h.Calls()["publish"] != 1 {
		t.Fatalf("resume of a finished thread: %v %+v", err, again)
	}
	snap, _ = g.Snapshot(ctx, "t1")
	if snap.Status != runtime.ThreadDone || !reflect.DeepEqual(snap.State, s) {
		t.Fatalf("final snapshot %+v", snap)
	}
}

func TestUpdateChangesTheRoute(t *testing.T) {
	ctx := casetest.Context(t)
	st := newStore()
	g := NewApproval(&handlers{}, runtime.WithStore(st))
	_, err := g.Invoke(ctx, State{Topic: "go"}, runtime.WithThread("t"))
	var ip *runtime.Interrupted
	if !errors.As(err, &ip) || ip.Node != "review" {
		t.Fatal(err)
	}
	// Without the edit round 1 would be revised; the human approves.
	s, err := g.Resume(ctx, "t", WithApprovalUpdate(func(s *State) error {
		s.Verdict = "ok"
		return nil
	}))
	if !errors.As(err, &ip) || ip.Node != "publish" || s.Round != 1 || s.Verdict != "ok" {
		t.Fatalf("after the update: %v %+v", err, s)
	}
	// A failing update records nothing.
	recs, _ := st.Load(ctx, "t")
	_, err = g.Resume(ctx, "t", WithApprovalUpdate(func(*State) error { return errors.New("no") }))
	if err == nil || !strings.Contains(err.Error(), "no") {
		t.Fatal(err)
	}
	if again, _ := st.Load(ctx, "t"); len(again) != len(recs) {
		t.Fatalf("a failed update wrote %d records", len(again)-len(recs))
	}
	s, err = g.Resume(ctx, "t")
	if err != nil || s.Log[len(s.Log)-1] != "published" {
		t.Fatalf("%v %+v", err, s)
	}
	// Invoke refuses an update: it is a Resume option.
	if _, err := g.Invoke(ctx, State{}, runtime.WithThread("u"), WithApprovalUpdate(func(*State) error { return nil })); err == nil {
		t.Fatal("Invoke took an update")
	}
}

func TestThreadErrors(t *testing.T) {
	ctx := casetest.Context(t)
	st := newStore()
	g := NewApproval(&handlers{}, runtime.WithStore(st))
	if _, err := g.Resume(ctx, "nope"); !errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("unknown thread: %v", err)
	}
	if _, err := g.Snapshot(ctx, "nope"); !errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("unknown thread: %v", err)
	}
	if _, err := g.Invoke(ctx, State{}, runtime.WithThread("t")); err == nil {
		t.Fatal("no pause")
	}
	if _, err := g.Invoke(ctx, State{}, runtime.WithThread("t")); !errors.Is(err, runtime.ErrConflict) {
		t.Fatalf("a thread id in use: %v", err)
	}

	// Another graph's fingerprint.
	recs, _ := st.Load(ctx, "t")
	recs[0].Fingerprint = "0123456789abcdef"
	other := newStore()
	if err := other.Append(ctx, "t", recs); err != nil {
		t.Fatal(err)
	}
	var gc *runtime.GraphChangedError
	if _, err := NewApproval(&handlers{}, runtime.WithStore(other)).Resume(ctx, "t"); !errors.As(err, &gc) || gc.Stored != "0123456789abcdef" || gc.Thread != "t" {
		t.Fatalf("changed graph: %v", err)
	}

	// Records that make no sense, and a state that no longer decodes.
	for name, damage := range map[string]func([]runtime.Record){
		"unknown node":       func(r []runtime.Record) { r[1].Node = "gone" },
		"bad state":          func(r []runtime.Record) { r[1].State = []byte(`{"Round":"one"}`) },
		"stray path":         func(r []runtime.Record) { r[1].Path = "web@7:0" },
		"no start":           func(r []runtime.Record) { r[0].Kind = runtime.EndRecord },
		"start in a branch":  func(r []runtime.Record) { r[0].Path = "x" },
		"node without state": func(r []runtime.Record) { r[1].State = nil },
	} {
		recs, _ := st.Load(ctx, "t")
		damage(recs)
		bad := newStore()
		if err := bad.Append(ctx, "t", recs); err != nil {
			t.Fatal(err)
		}
		_, err := NewApproval(&handlers{}, runtime.WithStore(bad)).Resume(ctx, "t")
		if err == nil || !strings.Contains(err.Error(), `thread "t"`) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestConcurrentResume: of two Resume calls racing on one paused thread,
// one continues and the other fails with ErrConflict, writing nothing.
func TestConcurrentResume(t *testing.T) {
	ctx := casetest.Context(t)
	st := newStore()
	g := NewApproval(&handlers{}, runtime.WithStore(st))
	if _, err := g.Invoke(ctx, State{}, runtime.WithThread("t")); err == nil {
		t.Fatal("no pause")
	}
	gate := &gateStore{Store: st, n: 2, all: make(chan struct{})}
	gg := NewApproval(&handlers{}, runtime.WithStore(gate))
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := gg.Resume(ctx, "t")
			errs <- err
		}()
	}
	e1, e2 := <-errs, <-errs
	conflicts := 0
	for _, err := range []error{e1, e2} {
		var ip *runtime.Interrupted
		switch {
		case errors.Is(err, runtime.ErrConflict):
			conflicts++
		case errors.As(err, &ip):
		default:
			t.Fatalf("resume: %v", err)
		}
	}
	if conflicts != 1 {
		t.Fatalf("%d conflicts: %v, %v", conflicts, e1, e2)
	}
	recs, _ := st.Load(ctx, "t")
	resumes := 0
	for _, r := range recs {
		if r.Kind == runtime.ResumeRecord {
			resumes++
		}
	}
	if resumes != 1 {
		t.Fatalf("%d resume records", resumes)
	}
}

// gateStore holds every Load until n have been made.
type gateStore struct {
	runtime.Store
	mu  sync.Mutex
	n   int
	all chan struct{}
}

func (g *gateStore) Load(ctx context.Context, thread string) ([]runtime.Record, error) {
	recs, err := g.Store.Load(ctx, thread)
	g.mu.Lock()
	g.n--
	if g.n == 0 {
		close(g.all)
	}
	g.mu.Unlock()
	<-g.all
	return recs, err
}

// TestStepsCountAcrossResumes: max_steps bounds the whole thread.
func TestStepsCountAcrossResumes(t *testing.T) {
	ctx := casetest.Context(t)
	g := NewApproval(&handlers{}, runtime.WithStore(newStore()), runtime.WithMaxSteps(20))
	_, err := g.Invoke(ctx, State{}, runtime.WithThread("t")) // 12 nodes up to the first pause
	var ip *runtime.Interrupted
	if !errors.As(err, &ip) {
		t.Fatal(err)
	}
	_, err = g.Resume(ctx, "t")
	if !errors.Is(err, runtime.ErrStepLimit) {
		t.Fatalf("the second round ran past 20 steps in all: %v", err)
	}
}

// failStore fails every write that holds a record fail picks (a transient
// store error, or a crash right there).
type failStore struct {
	runtime.Store
	fail func(r runtime.Record) bool
}

func (f *failStore) Append(ctx context.Context, thread string, recs []runtime.Record) error {
	for _, r := range recs {
		if f.fail(r) {
			return errors.New("store unavailable")
		}
	}
	return f.Store.Append(ctx, thread, recs)
}

// TestLostInterruptStillPauses: when the write of an interrupt fails, the
// node's completion is not recorded either (they are one write), so the
// resumed run runs the node again and pauses — it never takes the node's
// edge without the human. (Found by a review: with two writes, a resume
// routed past the pause.)
func TestLostInterruptStillPauses(t *testing.T) {
	for _, mode := range []runtime.Durability{runtime.Sync, runtime.Async, runtime.Exit} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := casetest.Context(t)
			mem := runtime.NewMemoryStore()
			fs := &failStore{Store: mem, fail: func(r runtime.Record) bool { return r.Kind == runtime.InterruptRecord }}
			h := &handlers{}
			g := NewApproval(h, runtime.WithDurability(mode))
			if _, err := g.Invoke(ctx, State{Topic: "go"}, runtime.WithThread("t"), runtime.WithStore(fs)); err == nil || !strings.Contains(err.Error(), "store unavailable") {
				t.Fatalf("first run: %v", err)
			}
			s, err := g.Resume(ctx, "t", runtime.WithStore(mem))
			var ip *runtime.Interrupted
			if !errors.As(err, &ip) || ip.Node != "review" || s.Round != 1 {
				t.Fatalf("resume: %v, round %d: the pause after review was skipped", err, s.Round)
			}
		})
	}
}
