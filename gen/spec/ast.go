package spec

import "github.com/graphc/graphc/gen/diag"

// Pos is where a value stands in the spec.
type Pos = diag.Pos

// String is a scalar string with its position. A zero Pos means the key was absent.
type String struct {
	Value string
	Pos   Pos
}

// Int is a scalar integer with its position.
type Int struct {
	Value int
	Pos   Pos
}

// Bool is a scalar boolean with its position.
type Bool struct {
	Value bool
	Pos   Pos
}

// Number is a scalar number (an integer or a float) with its position.
type Number struct {
	Value float64
	Pos   Pos
}

// Retry is a retry policy: config.retry (the graph's default) or a node's
// retry. Absent keys have a zero Pos.
type Retry struct {
	Pos      Pos // the mapping
	Attempts Int
	Initial  String // a Go duration, e.g. 200ms
	Backoff  Number
	Max      String // a Go duration
	Jitter   Bool
	Panics   Bool
}

// File is one parsed spec document.
type File struct {
	Path    string // as given to Parse; positions use it
	Pos     Pos    // the top-level mapping
	Version Int
	Graph   String
	Package String
	Doc     String
	State   State
	Config  Config
	Nodes   []Node
	Edges   []Edge
}

// State names the graph's state type, either a Go type declared in the
// package (`state: State`) or an inline declaration that graphc generates
// (`state: {type: State, fields: [...]}`).
type State struct {
	Pos    Pos // the value of the state key; zero if absent
	Type   String
	Inline bool // declared with fields
	Fields []Field
}

// Field is one field of an inline state.
type Field struct {
	Pos  Pos
	Name String
	Type String // a Go type expression, e.g. "[]string"
	Doc  String
}

// Config holds the graph's run-time defaults.
type Config struct {
	Pos             Pos
	MaxWorkers      Int
	MaxSteps        Int
	OnBranchError   String
	InterruptBefore []String
	InterruptAfter  []String
	Retry           *Retry // nil if absent
	// Checkpoints: false says the graph never runs with a store, so its
	// state need not survive encoding/json; absent means true.
	Checkpoints Bool
}

// Node is one entry of the nodes list.
type Node struct {
	Pos     Pos
	Name    String
	Doc     String
	FanIn   Bool
	Retry   *Retry // nil if absent
	Timeout String // a Go duration, per attempt
}

// Edge is one entry of the edges list. Exactly one of To, When and Parallel
// should be set; package graph reports the ones that are not.
type Edge struct {
	Pos         Pos
	From        String
	To          String   // plain edge
	When        []Case   // conditional edge, in source order
	WhenPos     Pos      // the when key; zero if absent
	Parallel    []String // fork: one branch per listed node
	ParallelPos Pos      // the parallel key; zero if absent
	FanIn       String   // the fork's fan-in node
	// Select: the parallel edge runs only the branches its Select<Node>
	// handler picks at run time.
	Select Bool
	Map    *Map // map edge: one run of a per-item flow per item; nil if absent
}

// Map is the value of an edge's map key: fan out over a list of items, each
// run through the flow that starts at To, meeting at FanIn. Exactly one of
// Over and Items should be set; package graph reports it otherwise.
type Map struct {
	Pos      Pos    // the map key
	Over     String // an exported slice field of the state
	Items    String // a Go type: the fork node gets an Items<Node> handler that builds the list
	To       String // the entry node of the per-item flow
	FanIn    String // where the items meet
	MaxItems Int    // a guard: more items fail the run; zero Pos if absent
}

// Case is one label -> target pair of a conditional edge.
type Case struct {
	Label  String
	Target String
}

// Special node names.
const (
	Start = "__start__"
	End   = "__end__"
)
