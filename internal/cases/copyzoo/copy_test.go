package copyzoo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/graphc/graphc/runtime/stress"
)

// checkCopy checks the generated deep copy on s and returns what is wrong:
//
//   - the copy equals s (reflect.DeepEqual), except that every value whose
//     type has a Clone method went through it exactly once: its Cloned
//     counter is one more (the generated copy must call Clone, not copy the
//     fields itself), so the counters of the copy are taken back by one
//     before comparing;
//   - the copy shares no memory that either could write through with s:
//     no pointee, no slice backing array (up to its capacity), no map, except
//     where the copy rules say so (see collect);
//   - a pointer to a type that holds a lock (*Tally) is the same pointer.
func checkCopy(s State) []string {
	cp := copyState(s)
	msgs := sharedStates(&s, "original State", &cp, "copy State")
	if cp.Tally != s.Tally {
		msgs = append(msgs, "State.Tally: a pointer to a lock-holding type must be shared, not copied")
	}
	bumpState(&cp, -1) // the copy is ours to write
	if !reflect.DeepEqual(s, cp) {
		msgs = append(msgs, "the copy, with its Clone counters taken back by one, is not reflect.DeepEqual to the original:")
		msgs = append(msgs, diff(s, copyState(s), 1)...) // where
	}
	runtime.KeepAlive(&s) // the spans compared addresses in s and cp
	runtime.KeepAlive(&cp)
	return msgs
}

// FuzzCopy builds a State from the fuzz input (see bytesSource and
// builder) and checks the generated copy on it.
func FuzzCopy(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xfe}, 64)) // every pointer set, every slice and map of 4 elements, until the bytes run out
	f.Add(bytes.Repeat([]byte{0xff, 0x07, 0x02}, 200))
	f.Add(bytes.Repeat([]byte{2, 6, 5, 1, 7, 4, 3, 250, 17, 9}, 300))
	seq := make([]byte, 1024)
	for i := range seq {
		seq[i] = byte(i * 37)
	}
	f.Add(seq)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := build(&bytesSource{b: data}, false)
		for _, m := range checkCopy(s) {
			t.Error(m)
		}
	})
}

// TestCopyRandom checks the generated copy on 2,000 pseudo-random states,
// so that go test covers without -fuzz what FuzzCopy does. It also checks
// that the builder reaches the shapes it should: every pointer of State nil
// and not, every slice and map of State nil, empty and not, linked lists
// of several lengths.
func TestCopyRandom(t *testing.T) {
	t.Parallel()
	const n = 2000
	seen := map[string]map[string]bool{} // State field -> shapes seen
	lists := map[int]bool{}              // lengths of State.List
	failed := 0
	for i := range n {
		s := build(newRand(2026, uint64(i)), false)
		if msgs := checkCopy(s); len(msgs) > 0 {
			t.Errorf("state %d (build(newRand(2026, %d), false)):\n\t%s", i, i, strings.Join(msgs, "\n\t"))
			if failed++; failed == 5 {
				t.Fatal("stopping after 5 failing states")
			}
		}
		shapes(s, seen)
		k := 0
		for p := s.List; p != nil; p = p.Next {
			k++
		}
		lists[k] = true
	}
	for name, shapes := range seen {
		want := []string{"nil", "non-nil"}
		if shapes["container"] {
			want = append(want, "empty", "non-empty")
		}
		for _, w := range want {
			if !shapes[w] {
				t.Errorf("State.%s was never %s in %d states", name, w, n)
			}
		}
	}
	for k := range 6 {
		if !lists[k] {
			t.Errorf("no State.List of length %d in %d states", k, n)
		}
	}
}

// shapes records, in seen, whether each pointer, slice and map field of s is
// nil, empty or has elements.
func shapes(s State, seen map[string]map[string]bool) {
	v := reflect.ValueOf(&s).Elem()
	for _, fi := range info(v.Type()).fields {
		f, name := field(v, fi), fi.name
		switch f.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
		default:
			continue
		}
		if seen[name] == nil {
			seen[name] = map[string]bool{}
		}
		if f.IsNil() {
			seen[name]["nil"] = true
			continue
		}
		seen[name]["non-nil"] = true
		if f.Kind() != reflect.Pointer {
			seen[name]["container"] = true
			if f.Len() == 0 {
				seen[name]["empty"] = true
			} else {
				seen[name]["non-empty"] = true
			}
		}
	}
}

// TestBranchesMutateEverything runs the graph 50 times on random states,
// every other one full (no nil, no empty). Each branch (left, right, deep)
// mutates every part of its copy of the state (see mutate) at the same time
// as the others: under -race, any memory the copies share with each other
// or with the fork-time state is a race. The join (see mutators.Join) checks that the fork-time state it is
// given equals a snapshot taken with the generated copy when start
// returned, and that each branch delivered exactly its own mutations, none
// of its siblings'.
func TestBranchesMutateEverything(t *testing.T) {
	t.Parallel()
	h := &mutators{}
	g := NewCopyZoo(h)
	for i := range 50 {
		full := i%2 == 0 // odd runs start with nil and empty parts too
		s := build(newRand(7, uint64(i)), full)
		s.Tally = &Tally{}
		if _, err := g.Invoke(t.Context(), s); err != nil {
			t.Fatalf("run %d (build(newRand(7, %d), %v)): %v", i, i, full, err)
		}
		if n := s.Tally.N(); n != 3 {
			t.Errorf("run %d: the shared Tally is %d, want 3 (one per branch)", i, n)
		}
	}
	if n := h.joins.Load(); n != 50 {
		t.Errorf("join ran %d times, want 50", n)
	}
}

// TestBranchesMutateEverythingStress runs the same graph through the stress
// harness: runs in parallel, jitter around every node.
func TestBranchesMutateEverythingStress(t *testing.T) {
	t.Parallel()
	var i atomic.Uint64
	h := &mutators{}
	StressCopyZoo(t, h, func() State {
		return build(newRand(8, i.Add(1)), true)
	}, stress.Runs(40))
}

// mutators implements CopyZooHandlers: start snapshots the state, each
// branch mutates all of its copy with its own tag, join checks.
type mutators struct {
	next  atomic.Uint64
	snaps sync.Map // run id (State.Name, set by Start) -> snapshot
	joins atomic.Int64
}

// snapshot is what start saw when it returned.
type snapshot struct {
	s     State // copyZooCopyState of the state start returned
	tally int   // s.Tally.N() then
}

var _ CopyZooHandlers = (*mutators)(nil)

func (h *mutators) Start(ctx context.Context, s State) (State, error) {
	s.Name = fmt.Sprintf("run%d", h.next.Add(1))
	snap := snapshot{s: copyState(s)}
	if s.Tally != nil {
		snap.tally = s.Tally.N()
	}
	h.snaps.Store(s.Name, snap)
	return s, nil
}

func (h *mutators) Left(ctx context.Context, s State) (State, error)  { return branch(s, "left"), nil }
func (h *mutators) Right(ctx context.Context, s State) (State, error) { return branch(s, "right"), nil }
func (h *mutators) Deep(ctx context.Context, s State) (State, error)  { return branch(s, "deep"), nil }

// branch mutates all of s, tagged, and adds one to the tally all branches
// share.
func branch(s State, tag string) State {
	mutateState(&s, tag)
	if s.Tally != nil {
		s.Tally.Add(1)
	}
	return s
}

// Join checks what it is given against the snapshot that Start took, and
// fails the run if anything differs.
func (h *mutators) Join(ctx context.Context, s State, in JoinBranches) (State, error) {
	h.joins.Add(1)
	v, ok := h.snaps.LoadAndDelete(s.Name)
	if !ok {
		return s, fmt.Errorf("no snapshot for run %q: the fork-time state's Name changed", s.Name)
	}
	snap := v.(snapshot)
	var errs []error
	report := func(what string, msgs []string) {
		if len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("%s:\n\t%s", what, strings.Join(msgs, "\n\t")))
		}
	}
	// The fork-time state must be what start returned: the snapshot, which
	// went through the Clone methods once more.
	report("the fork-time state the join got differs from the snapshot taken when start returned", diff(snap.s, s, -1))
	bumpState(&snap.s, -1) // the snapshot is ours to write
	if !reflect.DeepEqual(s, snap.s) {
		errs = append(errs, errors.New("the fork-time state the join got is not reflect.DeepEqual to the snapshot taken when start returned"))
	}
	branches := []struct {
		tag string
		s   *State
	}{{"left", &in.Left}, {"right", &in.Right}, {"deep", &in.Deep}}
	for i, b := range branches {
		// What the branch should have ended with: its own copy of the
		// fork-time state (through Clone once), with its own mutations and
		// no other.
		want := copyState(snap.s)
		mutateState(&want, b.tag)
		if !reflect.DeepEqual(*b.s, want) {
			errs = append(errs, fmt.Errorf("branch %s delivered something else than its own mutations of the fork-time state (not reflect.DeepEqual):\n\t%s",
				b.tag, strings.Join(diff(want, *b.s, 0), "\n\t")))
		}
		report("branch "+b.tag+" shares memory with the fork-time state", sharedStates(&s, "fork-time State", b.s, b.tag+" State"))
		for _, c := range branches[:i] {
			report("branches "+c.tag+" and "+b.tag+" share memory", sharedStates(c.s, c.tag+" State", b.s, b.tag+" State"))
		}
	}
	if s.Tally != nil {
		if n := s.Tally.N(); n != snap.tally+3 {
			errs = append(errs, fmt.Errorf("the shared Tally went from %d to %d, want +3 (one per branch)", snap.tally, n))
		}
	}
	return s, errors.Join(errs...)
}

// TestCopySharing checks the rules for pointers that the builder never
// exercises, since it builds trees. Pointers to a type that can reach
// itself (Item, through Child) are copied through a memo: two pointers to
// one value share one copy, as in the original. Pointers to other types
// (Point) get one copy each.
func TestCopySharing(t *testing.T) {
	t.Parallel()
	it := &Item{ID: 1, Tags: []string{"a"}}
	pt := &Point{X: 1}
	s := State{Ptrs: []*Item{it, it}, Boxes: [2]*Item{it, it}, Trio: Trio{pt, pt}}
	cp := copyState(s)
	if cp.Ptrs[0] != cp.Ptrs[1] || cp.Boxes[0] != cp.Boxes[1] || cp.Ptrs[0] != cp.Boxes[0] {
		t.Error("two pointers to one Item got two copies")
	}
	if cp.Ptrs[0] == it || !reflect.DeepEqual(*cp.Ptrs[0], *it) {
		t.Errorf("copy %+v of %+v: not a copy", *cp.Ptrs[0], *it)
	}
	if cp.Trio[0] == cp.Trio[1] || cp.Trio[0] == pt || *cp.Trio[0] != *pt {
		t.Errorf("two pointers to one Point: copies %p %p of %p", cp.Trio[0], cp.Trio[1], pt)
	}
	for _, m := range checkCopy(s) {
		t.Error(m)
	}
}

// TestCopyCycles copies values whose pointers form cycles: the copy ends,
// and has the same cycles, among its own values.
func TestCopyCycles(t *testing.T) {
	t.Parallel()
	root := &Node{Val: 1}
	kid := &Node{Val: 2, Next: root}
	root.Kids = []*Node{kid, root}
	root.Next = root
	meta := Meta{Parent: &Meta{Tags: map[string][]string{"t": {"x"}}}}
	meta.Parent.Parent = meta.Parent
	owner := &Owner{Name: "o"}
	owner.Backup = owner
	owner.Pets = map[string]*Item{"a": {ID: 1}}
	owner.Pets["a"].Child = owner.Pets["a"]
	s := State{List: root, Meta: meta, Owner: owner}
	cp := copyState(s)
	r := cp.List
	if r == root || r.Next != r || r.Kids[1] != r || r.Kids[0] == kid || r.Kids[0].Next != r || r.Kids[0].Val != 2 {
		t.Errorf("node cycle not reproduced: %+v", r)
	}
	if p := cp.Meta.Parent; p == meta.Parent || p.Parent != p || p.Tags["t"][0] != "x" {
		t.Errorf("meta cycle not reproduced: %+v", p)
	}
	if o := cp.Owner; o == owner || o.Backup != o || o.Pets["a"] == owner.Pets["a"] || o.Pets["a"].Child != o.Pets["a"] {
		t.Errorf("owner cycles not reproduced: %+v", o)
	}
	// The original is untouched by changes to the copy.
	r.Kids[0].Val = 20
	cp.Meta.Parent.Tags["t"][0] = "y"
	if kid.Val != 2 || meta.Parent.Tags["t"][0] != "x" {
		t.Error("the copy shares memory with the original")
	}
}

// copyState is the generated deep copy of the state, with the memo of one
// copy (State holds pointer types that can form cycles).
func copyState(s State) State { return copyZooCopyState(s, &copyZooMemo{}) }
