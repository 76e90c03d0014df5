package runtime

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Graph is the static description of a generated graph that durable runs
// need: generated code declares one per graph.
type Graph struct {
	Name        string      // the graph's Go name, e.g. Research
	Fingerprint string      // hash of nodes, edges, forks, interrupts and the state's shape
	Names       []string    // node names, indexed by the generated node constants
	Forks       []*ForkSpec // every parallel edge
	// Interrupts: the graph pauses (interrupt_before/after), so a run
	// needs a store to resume from.
	Interrupts bool
	// NoCheckpoints: the spec says checkpoints: false (its state need not
	// survive the codec), so a store is refused.
	NoCheckpoints bool
}

func (g *Graph) fork(node int) *ForkSpec {
	for _, f := range g.Forks {
		if f.Node == node {
			return f
		}
	}
	return nil
}

// nodeIDs maps each node's name to its index: plan builds it once per
// thread instead of searching Names for every record.
func (g *Graph) nodeIDs() map[string]int {
	ids := make(map[string]int, len(g.Names))
	for i, n := range g.Names {
		ids[n] = i
	}
	return ids
}

// EndNode stands for __end__ where generated code expects a node.
const EndNode = -1

// NotRouted is the next node Leave is given when the node's edge is taken
// later: a fork node (its fork follows), or a node that interrupts after
// itself (its route is asked after the resume).
const NotRouted = -2

// Status is what a thread is doing, as its records tell.
type Status uint8

const (
	// ThreadRunning: the run is in progress, or its process died (Resume
	// continues it).
	ThreadRunning Status = iota + 1
	// ThreadPaused: the run stopped at an interrupt; Resume continues it.
	ThreadPaused
	// ThreadFailed: the run failed; Resume runs the failed node again.
	ThreadFailed
	// ThreadDone: the run reached __end__.
	ThreadDone
)

func (s Status) String() string {
	switch s {
	case ThreadRunning:
		return "running"
	case ThreadPaused:
		return "paused"
	case ThreadFailed:
		return "failed"
	case ThreadDone:
		return "done"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// pos is where a flow continues: node n (n < len(names)), after node
// n-len(names) (its edge not taken yet), or EndNode.
type pos = int

// flowPlan is where one flow stood in a thread's records.
type flowPlan struct {
	path  string
	at    pos
	state json.RawMessage // the flow's state as of at
	seq   uint64          // the record state came from
	acts  map[int]int     // fork activations started on the flow, by node
	fork  *forkPlan       // the fork activation the flow was waiting in
	steps int             // node records of this flow
	// retries counts the failed attempts of node retryNode's handler
	// recorded since the flow's last node record: the node in flight.
	retryNode, retries int
	// fresh: a branch that completed no node (only failed attempts).
	fresh bool
}

// forkPlan is one fork activation in flight.
type forkPlan struct {
	node, act int
	spec      *ForkSpec
	branches  []*flowPlan // nil: the branch had not started
	count     int         // branches: a map's items
	items     []byte      // a map's recorded items
	selected  uint64      // a select fork's recorded selection
	seq       uint64      // the fork record
}

// threadPlan is what a thread's records say about it.
type threadPlan struct {
	main      *flowPlan
	status    Status
	interrupt *Interrupted // Paused: where
	skipPause int          // the main flow paused before this node and has not moved since; else -1
	err       string       // Failed: the run's error
	steps     int          // node records in all flows
	last      uint64       // the last Seq
	start     Record
}

// corrupt is the error of a thread whose records do not make sense.
func corrupt(thread string, r *Record, format string, args ...any) error {
	if r == nil {
		return fmt.Errorf("graphc: thread %q: %s", thread, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("graphc: thread %q, record %d (%s): %s", thread, r.Seq, r.Kind, fmt.Sprintf(format, args...))
}

// GraphChangedError is the error of Resume (or Snapshot) on a thread that
// another version of the graph wrote: its nodes, edges, forks, interrupts
// or state shape differ from the graph's now, so its records cannot be
// trusted to mean the same. Finish such threads with the graph that wrote
// them (or start them again).
type GraphChangedError struct {
	Thread  string
	Graph   string // the graph that wrote the thread
	Stored  string // its fingerprint
	Current string // the fingerprint of the graph resuming it
}

func (e *GraphChangedError) Error() string {
	return fmt.Sprintf("graphc: thread %q was written by graph %s with fingerprint %s; this graph is %s: the graph or its state changed since (finish the thread with the version that wrote it)",
		e.Thread, e.Graph, e.Stored, e.Current)
}

// plan reads a thread's records.
func plan(g *Graph, thread string, recs []Record) (*threadPlan, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrNoThread, thread)
	}
	for i := range recs {
		if recs[i].Seq != uint64(i+1) {
			return nil, corrupt(thread, &recs[i], "expected record %d here: the thread has a gap or is out of order", i+1)
		}
	}
	st := recs[0]
	if st.Kind != StartRecord {
		return nil, corrupt(thread, &st, "the first record must be a start record")
	}
	if st.Format != FormatVersion || st.Codec != Codec {
		return nil, corrupt(thread, &st, "format %d with codec %q; this runtime reads format %d with codec %q", st.Format, st.Codec, FormatVersion, Codec)
	}
	if st.Graph != g.Name || st.Fingerprint != g.Fingerprint {
		return nil, &GraphChangedError{Thread: thread, Graph: st.Graph, Stored: st.Fingerprint, Current: g.Fingerprint}
	}
	tp := &threadPlan{status: ThreadRunning, skipPause: -1, last: recs[len(recs)-1].Seq, start: st}
	flows := map[string]*flowPlan{}
	get := func(path string) *flowPlan {
		f := flows[path]
		if f == nil {
			f = &flowPlan{path: path, at: EndNode}
			flows[path] = f
		}
		return f
	}
	n := len(g.Names)
	ids := g.nodeIDs()
	node := func(r *Record, name string) (int, error) {
		if i, ok := ids[name]; ok {
			return i, nil
		}
		return 0, corrupt(thread, r, "node %q is not in graph %s", name, g.Name)
	}
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case StartRecord, InterruptRecord, UpdateRecord, ResumeRecord, FailRecord, EndRecord:
			if r.Path != "" {
				return nil, corrupt(thread, r, "a %s record on flow %q: those belong to the main flow", r.Kind, r.Path)
			}
		case NodeRecord, ForkRecord:
			if len(r.State) == 0 {
				return nil, corrupt(thread, r, "a %s record without a state", r.Kind)
			}
		}
		f := get(r.Path)
		switch r.Kind {
		case StartRecord:
			if i != 0 {
				return nil, corrupt(thread, r, "a second start record")
			}
			at, err := node(r, r.Node)
			if err != nil {
				return nil, err
			}
			f.at, f.state, f.seq = at, r.State, r.Seq
		case NodeRecord, RouteRecord:
			at, err := node(r, r.Node)
			if err != nil {
				return nil, err
			}
			switch r.Next {
			case "":
				if r.Kind == RouteRecord {
					return nil, corrupt(thread, r, "a route record without its next node")
				}
				at += n
			case "__end__":
				at = EndNode
			default:
				if at, err = node(r, r.Next); err != nil {
					return nil, err
				}
			}
			if r.Kind == NodeRecord {
				f.state, f.seq = r.State, r.Seq
				f.steps++
				tp.steps++
			}
			f.at, f.fork = at, nil // a node record after a fork is its fan-in's: the fork is over
			f.retries = 0
			if r.Path == "" {
				tp.skipPause = -1 // the main flow moved on from its interrupt
			}
		case ForkRecord:
			at, err := node(r, r.Node)
			if err != nil {
				return nil, err
			}
			spec := g.fork(at)
			switch {
			case spec != nil && spec.Map:
				if r.Count < 0 || r.Act < 1 || len(r.Items) == 0 {
					return nil, corrupt(thread, r, "a map at %q over %d items without its item list", r.Node, r.Count)
				}
			case spec == nil || r.Count != len(spec.Entries) || r.Act < 1:
				return nil, corrupt(thread, r, "node %q does not fork into %d branches in graph %s", r.Node, r.Count, g.Name)
			}
			if f.acts == nil {
				f.acts = map[int]int{}
			}
			f.acts[at] = max(f.acts[at], r.Act)
			f.at, f.state, f.seq = at+n, r.State, r.Seq
			f.fork = &forkPlan{node: at, act: r.Act, spec: spec, count: r.Count, items: r.Items, selected: r.Selected, seq: r.Seq}
			if r.Path == "" {
				tp.skipPause = -1
			}
		case InterruptRecord:
			at, err := node(r, r.Node)
			if err != nil {
				return nil, err
			}
			tp.status, tp.err = ThreadPaused, ""
			tp.interrupt = &Interrupted{Thread: thread, Node: r.Node, Phase: r.Phase}
			switch r.Phase {
			case Before:
				f.at, tp.skipPause = at, at
			case After:
				f.at = at + n
			default:
				return nil, corrupt(thread, r, "an interrupt without a phase")
			}
		case UpdateRecord:
			f.state, f.seq = r.State, r.Seq
		case ResumeRecord:
			tp.status, tp.interrupt, tp.err = ThreadRunning, nil, ""
		case FailRecord:
			tp.status, tp.err = ThreadFailed, r.Err
		case RetryRecord:
			at, err := node(r, r.Node)
			if err != nil {
				return nil, err
			}
			if f.retryNode != at {
				f.retryNode, f.retries = at, 0
			}
			f.retries = max(f.retries, r.Attempt)
		case EndRecord:
			f.at, f.state, f.seq = EndNode, r.State, r.Seq
			tp.status = ThreadDone
		default:
			return nil, corrupt(thread, r, "unknown record kind")
		}
	}
	tp.main = flows[""]
	if tp.main == nil {
		return nil, corrupt(thread, nil, "no record of the main flow")
	}
	// Hang every branch under the fork activation it belongs to.
	used := map[string]bool{"": true}
	var attach func(f *flowPlan) error
	attach = func(f *flowPlan) error {
		if f.fork == nil {
			return nil
		}
		fp := f.fork
		fp.branches = make([]*flowPlan, fp.count)
		for i := range fp.branches {
			p := branchPath(f.path, g.Names[fp.node], fp.act, i)
			b := flows[p]
			if b == nil {
				continue
			}
			if b.state == nil {
				// Only failed attempts of the entry node were recorded: the
				// branch starts at its entry, on the fork-time state, with
				// its retry budget as recorded.
				entry := fp.spec.Entries[0] // a map's items all start there
				if !fp.spec.Map {
					entry = fp.spec.Entries[i]
				}
				b.at, b.state, b.seq, b.fresh = entry, f.state, f.seq, true
			}
			used[p] = true
			if err := attach(b); err != nil {
				return err
			}
			fp.branches[i] = b
		}
		return nil
	}
	if err := attach(tp.main); err != nil {
		return nil, err
	}
	// Records of branches whose fork had completed belong to no open
	// activation: that is fine. Records of a path that never forked are not.
	for p := range flows {
		if used[p] {
			continue
		}
		if !knownBranch(g, ids, p, flows) {
			return nil, corrupt(thread, nil, "records of flow %q, which no recorded fork started", p)
		}
	}
	return tp, nil
}

// knownBranch reports whether path p names a branch of a fork activation
// recorded on its parent flow.
func knownBranch(g *Graph, ids map[string]int, p string, flows map[string]*flowPlan) bool {
	parent, seg := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		parent, seg = p[:i], p[i+1:]
	}
	f := flows[parent]
	at := strings.LastIndexByte(seg, '@')
	colon := strings.LastIndexByte(seg, ':')
	if f == nil || at < 0 || colon < at {
		return false
	}
	node, ok := ids[seg[:at]]
	if !ok {
		return false
	}
	act, err1 := strconv.Atoi(seg[at+1 : colon])
	idx, err2 := strconv.Atoi(seg[colon+1:])
	spec := g.fork(node)
	return err1 == nil && err2 == nil && spec != nil && act >= 1 && act <= f.acts[node] && idx >= 0 && (spec.Map || idx < len(spec.Entries))
}
