package runtime

import "fmt"

// EventKind says what an Event reports.
type EventKind uint8

const (
	// NodeStarted: a node is about to run (Node, In).
	NodeStarted EventKind = iota + 1
	// NodeFinished: a node returned its state (Node, In, State).
	NodeFinished
	// Forked: a fork activation began (Node is the forking node, Fork the
	// new activation, Branches how many branches it runs, In where it forked).
	Forked
	// BranchArrived: a branch delivered its state to its fan-in's join
	// (Node is the fan-in, In the branch, State what it delivered).
	BranchArrived
	// Joined: every branch of activation Fork arrived; the fan-in Node is
	// about to run in In.
	Joined
	// Done: the run ended (State is the final state, Err its error).
	Done
	// BranchStarted: a branch began, on the goroutine that runs it (Node is
	// its entry node, In the branch).
	BranchStarted
	// BranchFailed: a branch ended without delivering (Node is its entry
	// node, In the branch, Err why).
	BranchFailed
	// Paused: the run stopped at an interrupt (Node, Phase, State: the main
	// flow's state; Err is the *Interrupted the run returns).
	Paused
	// Resumed: Resume took a thread over (Node is the node the main flow
	// continues at, or after when Phase is After; State its state).
	Resumed
	// NodeRetrying: attempt Attempt of a node's handler (or of its route
	// handler) failed with Err and its retry policy calls it again after a
	// backoff (Node, In, Attempt, Err).
	NodeRetrying
)

var kindNames = [...]string{"", "NodeStarted", "NodeFinished", "Forked", "BranchArrived", "Joined", "Done", "BranchStarted", "BranchFailed", "Paused", "Resumed", "NodeRetrying"}

func (k EventKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Branch says where code runs: on the main flow (the zero Branch) or in
// branch Index of the fork activation Fork.
type Branch struct {
	Fork  uint64 // activation, unique within a run; 0 for the main flow
	Index int    // the branch's position in its parallel edge
	flow  *flow  // the flow's path and plan, when the run tracks paths
}

// Event is one step of a run, as seen by observers and Stream.
//
// State is the state as the node returned it, not a copy: it shares slices,
// maps and pointers with the run. Read it while handling the event; to keep
// it, or to read it while the run goes on, copy what you need.
type Event[S any] struct {
	Kind     EventKind
	Node     string // the node the event is about
	In       Branch // where it happened
	Fork     uint64 // Forked, Joined: the activation concerned
	Parent   uint64 // Forked: the activation the fork happened in (In.Fork)
	Branches int    // Forked: the number of branches (a map's: its items)
	Skipped  uint64 // Forked, for a select fork: the branches not selected, which never run (bit i: branch i)
	Next     string // NodeFinished: the node its edge leads to ("__end__"; "" when taken later: a fork, or an interrupt after the node)
	Phase    Phase  // Paused, Resumed: before or after Node
	State    S      // NodeFinished, BranchArrived, Paused, Resumed, Done (zero for a node of a map's per-item flow: see Item)
	// Item is, for NodeFinished and BranchArrived in a map's per-item
	// flow, the item as the node returned it (of the map's item type).
	Item    any
	Err     error // Done: the run's error, if any; BranchFailed: the branch's; Paused: the *Interrupted; NodeRetrying: the failed attempt's
	Attempt int   // NodeRetrying: the attempt that failed, from 1
}

func (e Event[S]) String() string {
	where := "main"
	switch {
	case e.In.Path() != "":
		where = e.In.Path()
	case e.In.Fork != 0:
		where = fmt.Sprintf("fork %d branch %d", e.In.Fork, e.In.Index)
	}
	switch e.Kind {
	case Forked:
		return fmt.Sprintf("%s %s -> fork %d (%d branches) [%s]", e.Kind, e.Node, e.Fork, e.Branches, where)
	case Joined:
		return fmt.Sprintf("%s fork %d at %s [%s]", e.Kind, e.Fork, e.Node, where)
	case NodeRetrying:
		return fmt.Sprintf("%s %s after attempt %d: %v [%s]", e.Kind, e.Node, e.Attempt, e.Err, where)
	case Done:
		if e.Err != nil {
			return fmt.Sprintf("%s: %v", e.Kind, e.Err)
		}
		return e.Kind.String()
	case BranchFailed:
		return fmt.Sprintf("%s %s [%s]: %v", e.Kind, e.Node, where, e.Err)
	case NodeFinished:
		if e.Next != "" {
			return fmt.Sprintf("%s %s -> %s [%s]", e.Kind, e.Node, e.Next, where)
		}
	case Paused, Resumed:
		return fmt.Sprintf("%s %s %s", e.Kind, e.Phase, e.Node)
	}
	return fmt.Sprintf("%s %s [%s]", e.Kind, e.Node, where)
}
