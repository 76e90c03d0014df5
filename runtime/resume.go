package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
)

// Resume readies x to continue thread, which a run of g recorded in the
// options' store, and returns where the main flow continues (a node, a
// node's "after" entry — the node plus len(g.Names) — or EndNode for a
// thread that had finished), with the main flow's state in *s.
//
// It loads and checks the records (ErrNoThread, *GraphChangedError, or an
// error naming the record that makes no sense), applies the options'
// update to the state, and takes the thread over by writing the resume
// record (and the update) synchronously: of two Resume calls racing on one
// thread one wins, and the other fails wrapping ErrConflict with nothing
// written. A finished thread is not written to: Resume returns EndNode and
// its final state.
func (x *Exec[S]) Resume(ctx context.Context, o Options, g *Graph, thread string, s *S) (int, error) {
	if thread == "" {
		return EndNode, errors.New("graphc: Resume needs a thread id")
	}
	if o.Store == nil {
		return EndNode, fmt.Errorf("graphc: Resume of thread %q needs the store it was recorded in: give runtime.WithStore", thread)
	}
	o.Thread = thread
	if err := x.setup(&o, g); err != nil {
		return EndNode, err
	}
	recs, err := o.Store.Load(ctx, thread)
	if err != nil {
		return EndNode, &StoreError{Thread: thread, Err: err}
	}
	tp, err := plan(g, thread, recs)
	if err != nil {
		return EndNode, err
	}
	m := tp.main
	if *s, err = decodeState[S](thread, m.seq, m.state); err != nil {
		return EndNode, err
	}
	if tp.status == ThreadDone {
		if o.Update != nil {
			return EndNode, fmt.Errorf("graphc: thread %q is done: there is no paused state for the update to edit", thread)
		}
		x.done(*s, nil)
		return EndNode, nil
	}
	if m.at == EndNode {
		// The main flow reached __end__, and the run stopped before its end
		// record: write it, and the thread is done.
		x.j = newJournal(ctx, o.Store, thread, o.Durability, tp.last)
		b, err := encodeState(*s)
		if err == nil {
			err = x.j.addSync(Record{Kind: EndRecord, State: b})
		}
		x.done(*s, err)
		return EndNode, err
	}
	var update *Record
	if o.Update != nil {
		fn, ok := o.Update.(func(*S) error)
		if !ok {
			return EndNode, fmt.Errorf("graphc: an update of %T was given to a graph whose state is %T", o.Update, *s)
		}
		if f := m.fork; f != nil && !allDelivered(f) {
			return EndNode, fmt.Errorf("graphc: thread %q is inside the fork at %q, whose branches have not all delivered: an update of the main flow's state would not reach them; resume without one", thread, g.Names[f.node])
		}
		if err := fn(s); err != nil {
			return EndNode, fmt.Errorf("graphc: the update of thread %q failed: %w", thread, err)
		}
		b, err := encodeState(*s)
		if err != nil {
			return EndNode, err
		}
		update = &Record{Kind: UpdateRecord, State: b}
	}

	x.j = newJournal(ctx, o.Store, thread, o.Durability, tp.last)
	x.mainSteps = int64(tp.steps)
	x.skipPause = tp.skipPause
	x.root.plan = m
	x.root.acts = maps.Clone(m.acts)
	node, phase := m.at, Before
	if node >= len(g.Names) {
		node, phase = node-len(g.Names), After
	}
	claim := []Record{{Kind: ResumeRecord, Node: g.Names[node], Phase: phase}}
	if update != nil {
		claim = append(claim, *update)
	}
	if err := x.j.addAll(Sync, claim...); err != nil { // one write: the claim and the edit, or nothing
		return EndNode, err
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: Resumed, Node: g.Names[node], Phase: phase, State: *s})
	}
	return m.at, nil
}

// done reports the end of a resumed run that had nothing left to run.
func (x *Exec[S]) done(s S, err error) {
	if x.observe != nil {
		x.observe(Event[S]{Kind: Done, State: s, Err: err})
	}
}

func allDelivered(f *forkPlan) bool {
	for i, b := range f.branches {
		if f.spec.Select && i < 64 && f.selected&(1<<i) == 0 {
			continue // not selected: never runs
		}
		if b == nil || b.at != f.spec.FanIn {
			return false
		}
	}
	return true
}

// BranchStatus is where a branch of a fork in flight stands.
type BranchStatus uint8

const (
	// BranchNotStarted: no node of the branch completed; it starts at its
	// entry on a copy of the fork-time state.
	BranchNotStarted BranchStatus = iota + 1
	// BranchAt: the branch continues at Node.
	BranchAt
	// BranchDelivered: the branch reached its fan-in; it will not run again.
	BranchDelivered
	// BranchNotSelected: the select handler did not pick the branch; it
	// never runs.
	BranchNotSelected
)

func (s BranchStatus) String() string {
	switch s {
	case BranchNotStarted:
		return "not started"
	case BranchAt:
		return "at"
	case BranchDelivered:
		return "delivered"
	case BranchNotSelected:
		return "not selected"
	}
	return fmt.Sprintf("BranchStatus(%d)", uint8(s))
}

// Snapshot is what a thread's records say about it: see the generated
// Snapshot method.
type Snapshot[S any] struct {
	Thread string
	Status Status
	// Next is the main-flow node that runs next; "" when the thread is done
	// or paused after a node (whose edge is taken at resume: see Interrupt).
	Next string
	// Interrupt, when Status is ThreadPaused, is where the run paused.
	Interrupt *Interrupted
	// Err is the run's error as recorded, when Status is ThreadFailed.
	Err string
	// State is the main flow's state: the input, as the last main-flow
	// node returned it, as updated, or the final state.
	State S
	// Steps is the number of node executions recorded, all flows counted
	// (max_steps counts across resumes).
	Steps int
	// Fork is the fork the main flow waits in, if any.
	Fork *ForkSnapshot[S]
	// Records is the number of records of the thread.
	Records int
}

// ForkSnapshot is a fork activation in flight.
type ForkSnapshot[S any] struct {
	Node     string // the forking node
	Path     string // the flow it forked on
	Act      int    // its activation number on that flow, from 1
	State    S      // the fork-time state
	Branches []BranchSnapshot[S]
}

// BranchSnapshot is one branch of a fork in flight.
type BranchSnapshot[S any] struct {
	Path   string // the branch's flow path
	Entry  string // its entry node
	Status BranchStatus
	// Node, for BranchAt, is the node the branch runs next, or the node
	// whose edge it takes next when After is set (a fork node: see Fork).
	Node  string
	After bool
	State S                // BranchAt: its state; BranchDelivered: what it delivered
	Fork  *ForkSnapshot[S] // the nested fork the branch waits in, if any
	// Item is, for an item of a map, its state (the item) encoded with the
	// codec, in place of State: the item type is not S.
	Item json.RawMessage
}

// LoadSnapshot reads thread from the options' store as a run of g recorded
// it. Errors: ErrNoThread, *GraphChangedError, a record that makes no sense
// or a state that no longer decodes, each naming the thread.
func LoadSnapshot[S any](ctx context.Context, o Options, g *Graph, thread string) (Snapshot[S], error) {
	var snap Snapshot[S]
	if o.Store == nil {
		return snap, fmt.Errorf("graphc: Snapshot of thread %q needs the store it was recorded in: give runtime.WithStore", thread)
	}
	recs, err := o.Store.Load(ctx, thread)
	if err != nil {
		return snap, &StoreError{Thread: thread, Err: err}
	}
	tp, err := plan(g, thread, recs)
	if err != nil {
		return snap, err
	}
	snap = Snapshot[S]{Thread: thread, Status: tp.status, Interrupt: tp.interrupt, Err: tp.err, Steps: tp.steps, Records: len(recs)}
	if snap.State, err = decodeState[S](thread, tp.main.seq, tp.main.state); err != nil {
		return snap, err
	}
	if at := tp.main.at; at >= 0 && at < len(g.Names) {
		snap.Next = g.Names[at]
	}
	snap.Fork, err = forkSnapshot[S](g, thread, tp.main)
	return snap, err
}

func forkSnapshot[S any](g *Graph, thread string, f *flowPlan) (*ForkSnapshot[S], error) {
	fp := f.fork
	if fp == nil {
		return nil, nil
	}
	fs := &ForkSnapshot[S]{Node: g.Names[fp.node], Path: f.path, Act: fp.act}
	var err error
	if fs.State, err = decodeState[S](thread, f.seq, f.state); err != nil {
		return nil, err
	}
	for i, b := range fp.branches {
		entry := fp.spec.Entries[0]
		if !fp.spec.Map {
			entry = fp.spec.Entries[i]
		}
		bs := BranchSnapshot[S]{Path: branchPath(f.path, g.Names[fp.node], fp.act, i), Entry: g.Names[entry], Status: BranchNotStarted}
		if fp.spec.Select && i < 64 && fp.selected&(1<<i) == 0 {
			bs.Status = BranchNotSelected
		}
		if b != nil && !b.fresh {
			if fp.spec.Map {
				bs.Item = b.state // the item's own type is not S
			} else if bs.State, err = decodeState[S](thread, b.seq, b.state); err != nil {
				return nil, err
			}
			switch at := b.at; {
			case at == fp.spec.FanIn:
				bs.Status = BranchDelivered
			case at >= len(g.Names):
				bs.Status, bs.Node, bs.After = BranchAt, g.Names[at-len(g.Names)], true
			case at >= 0:
				bs.Status, bs.Node = BranchAt, g.Names[at]
			}
			if bs.Fork, err = forkSnapshot[S](g, thread, b); err != nil {
				return nil, err
			}
		}
		fs.Branches = append(fs.Branches, bs)
	}
	return fs, nil
}
