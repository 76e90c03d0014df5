package graph

import "github.com/graphc/graphc/gen/diag"

// Graph is a validated graph: every reference resolves, every node has
// exactly one kind of outgoing edge, every fork nests and fans in.
type Graph struct {
	File    string // the spec path, as given
	Name    string // exported Go identifier: type <Name>, <Name>Handlers, New<Name>
	Package string // Go package name from the spec; "" means the directory's package
	Doc     string
	State   State
	Config  Config
	Nodes   []*Node // in spec order; Node.ID indexes this slice
	Entry   *Node   // the target of __start__
	Forks   []*Fork // in spec order of their parallel edges; Fork.ID indexes this slice
	Pos     diag.Pos
	NamePos diag.Pos // the value of the graph: key, where a clash of names is reported
}

// State describes the state type.
type State struct {
	Type   string // Go type name (or pkg.Type)
	Inline bool   // fields declared in the spec; graphc generates the struct
	Fields []Field
	Pos    diag.Pos
}

// Field is one field of an inline state.
type Field struct {
	Name string // exported Go identifier
	Type string // Go type expression
	Doc  string
	Pos  diag.Pos
}

// Policy is what a fork does when one of its branches fails.
type Policy uint8

const (
	// Cancel cancels the siblings' context and returns the first error.
	Cancel Policy = iota
	// Wait lets every branch finish, then returns the first error joined with the others.
	Wait
)

func (p Policy) String() string {
	if p == Wait {
		return "wait"
	}
	return "cancel"
}

// Config holds the run-time defaults from the spec.
type Config struct {
	MaxWorkers      int // 0: one goroutine per branch
	MaxSteps        int // 0: the runtime default
	OnBranchError   Policy
	InterruptBefore []*Node
	InterruptAfter  []*Node
	// NoCheckpoints: the spec says checkpoints: false; the state's JSON
	// round trip is not checked, and the graph cannot be interrupted.
	NoCheckpoints bool
	Pos           diag.Pos // the config key; zero if absent
}

// Kind is the kind of a node's outgoing edge.
type Kind uint8

const (
	// Plain: one unconditional successor.
	Plain Kind = iota + 1
	// Cond: the node's route handler picks one of Cases.
	Cond
	// Parallel: the node forks (see Node.Fork).
	Parallel
)

func (k Kind) String() string {
	switch k {
	case Plain:
		return "plain"
	case Cond:
		return "conditional"
	case Parallel:
		return "parallel"
	}
	return "none"
}

// Node is one node of the graph.
type Node struct {
	ID     int
	Name   string // as in the spec: [a-z][a-z0-9_]*
	GoName string // CamelCase: the handler method
	Doc    string
	Pos    diag.Pos
	FanIn  bool        // marked fan_in: true; then JoinOf is set
	Policy *NodePolicy // timeout and retry; nil: one plain call

	Kind  Kind
	Next  *Node  // Plain: the successor; nil means __end__
	Cases []Case // Cond: in spec order
	Fork  *Fork  // Parallel: the fork this node starts

	JoinOf *Fork // for a fan-in: the fork whose branches meet here
	Region *Fork // the fork whose branches run this node; nil for the main flow

	RouteType   string // Cond: <GoName>Route
	RouteMethod string // Cond: Route<GoName>
	// Exit is, for Cond, the index in Cases of the label that leads most
	// directly out of the node's loops: the fewest steps to the end of its
	// region (__end__, or the fan-in for a branch). Probes take it to end runs.
	Exit int
}

// Case is one label of a conditional edge.
type Case struct {
	Label  string   // as in the spec
	GoName string   // CamelCase label
	Const  string   // <Node><Label>: the enum constant
	Target *Node    // nil means __end__
	Pos    diag.Pos // the label
}

// Fork is one parallel group: From forks into Branches, which meet at FanIn.
type Fork struct {
	ID       int
	From     *Node
	Branches []*Node // branch entry nodes, in spec order
	FanIn    *Node
	Parent   *Fork   // the fork whose region holds From (and FanIn); nil for the main flow
	Nodes    []*Node // the region: nodes run by this fork's branches (nested regions excluded), in spec order
	Depth    int     // 1 for a fork on the main flow
	Pos      diag.Pos

	BranchesType string // <FanIn.GoName>Branches; for a map, <FanIn.GoName>Items

	// Map is set for a map edge: Branches holds the one entry of the
	// per-item flow, which runs once per item, and the region's nodes are
	// typed on the item.
	Map *Map
	// Select: a parallel edge whose Select<From> handler picks the
	// branches that run; SetType is the bit set it returns.
	Select  bool
	SetType string // <From.GoName>Set
}

// Map is what a map edge fans out over.
type Map struct {
	// Over is the state's slice field holding the items; empty when Items
	// names a type whose list the fork node's ItemsMethod builds.
	Over  string
	Items string // Go type expression as written in the spec (items:); empty with over
	// Field is the field of <FanIn>Items holding the results: Over, or Items.
	Field       string
	ItemsMethod string // Items<From.GoName>: the handler that builds the list (items: only)
	MaxItems    int    // more items fail the run
	Pos         diag.Pos
	OverPos     diag.Pos // the value of over: (or items:)
}

// DefaultMaxItems is a map edge's max_items when the spec gives none.
const DefaultMaxItems = 10000

// IsItem reports whether n runs in the per-item flow of a map edge, so that
// its handler takes and returns the item rather than the state.
func (n *Node) IsItem() bool { return n.Region != nil && n.Region.Map != nil }

// SelectMethod is the handler of a select fork: Select<From.GoName>.
func (f *Fork) SelectMethod() string { return "Select" + f.From.GoName }

// Successors returns the nodes a node can hand over to next within its own
// region, with nested forks collapsed (a fork node leads to its fan-in). A
// nil entry stands for __end__ (or, inside a branch, for reaching the fan-in).
func (n *Node) Successors() []*Node {
	switch n.Kind {
	case Plain:
		return []*Node{n.Next}
	case Cond:
		out := make([]*Node, len(n.Cases))
		for i, c := range n.Cases {
			out[i] = c.Target
		}
		return out
	case Parallel:
		return []*Node{n.Fork.FanIn}
	}
	return nil
}
