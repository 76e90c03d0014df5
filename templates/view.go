package templates

import (
	"fmt"
	"strings"

	"github.com/graphc/graphc/gen/graph"
	"github.com/graphc/graphc/gen/spec"
)

// view is what both diagram templates render: a tree of regions (the main
// flow, then one region per fork, nested as the forks nest) that declare
// their nodes, and one flat list of edges. Everything a template needs is
// precomputed here, so the two templates differ only in syntax.
type view struct {
	Name  string // the graph's Go name
	Doc   string // the graph's doc on one line; "" if none
	Root  *region
	Edges []*edge
	// HasItems: some node runs in a map's per-item flow (the item class is declared).
	HasItems bool
}

// region is the main flow (From is nil, Depth 0) or the region of one fork:
// the nodes its branches run. A nested fork's region is a child of the
// region that holds its fork node.
type region struct {
	ID      string // fork_<fork node>; "" for the main flow
	Title   string // fork at <fork node> → <fan-in>: DOT's cluster title (Mermaid's subgraphs are untitled)
	Depth   int    // 0 for the main flow, 1 for a fork on the main flow, ...
	From    *node  // the fork node, which Nodes of the enclosing region holds; nil for the main flow
	Nodes   []*node
	Entries []*node // the fork's branch entries, in spec order
	Regions []*region
}

// Node roles, as the templates test them.
const (
	roleStart = "start"
	roleEnd   = "end"
	roleNode  = "node"
	roleFanIn = "fanin"
)

// node is one box of the diagram.
type node struct {
	ID    string // safe in every format: n_<name>, s_start, s_end
	Name  string // as in the spec (__start__ and __end__ included)
	Label string
	Doc   string // on one line; "" if none
	Role  string // start, end, node or fanin
	// Fork is set on a fork node: "fork → <fan-in>". DOT declares a fork
	// node in the region it runs in and titles the fork's cluster. Mermaid
	// draws a subgraph's title at its top, where arrows entering the box
	// would strike through it, so it declares the fork node first inside its
	// own fork's subgraph, leaves the subgraph untitled and shows Fork as a
	// second line of the fork node's label.
	Fork string
	Item bool // runs once per item of a map: drawn stacked
}

// edge is one arrow. Label is set on the cases of a conditional edge; Fork
// marks the edges from a fork node to its branch entries; Back marks the
// edges that close a loop (to a node that a depth-first walk from
// __start__, in spec order, is still inside), which layouts must not rank
// by, or loops are drawn upside down.
type edge struct {
	From, To *node
	Label    string
	Fork     bool
	Back     bool
	Map      string // a map edge's label: "for each Docs"
	Select   bool   // a select fork's edge: the branch runs when picked
}

// newView builds the view of g. It fails only on an IR whose pointers lead
// outside g.Nodes, which graph.Build never produces.
func newView(g *graph.Graph) (*view, error) {
	v := &view{Name: g.Name, Doc: oneLine(g.Doc), Root: &region{}}
	start := &node{ID: "s_start", Name: spec.Start, Label: spec.Start, Role: roleStart}
	end := &node{ID: "s_end", Name: spec.End, Label: spec.End, Role: roleEnd}

	byNode := make(map[*graph.Node]*node, len(g.Nodes))
	for _, n := range g.Nodes {
		vn := &node{ID: "n_" + n.Name, Name: n.Name, Label: n.Name + policyMarks(n.Policy), Doc: oneLine(n.Doc), Role: roleNode}
		if n.FanIn {
			vn.Role = roleFanIn
		}
		byNode[n] = vn
	}
	lookup := func(n *graph.Node) (*node, error) {
		if vn, ok := byNode[n]; ok {
			return vn, nil
		}
		return nil, fmt.Errorf("templates: graph %s: node %q is not in the graph's node list", g.Name, n.Name)
	}

	// Regions: each fork's region declares the nodes of Fork.Nodes; a node
	// claimed by no fork belongs to the main flow.
	claimed := make(map[*graph.Node]bool)
	regions := make(map[*graph.Fork]*region, len(g.Forks))
	for _, f := range g.Forks {
		if f.From == nil {
			return nil, fmt.Errorf("templates: graph %s: fork %d has no fork node", g.Name, f.ID)
		}
		from, err := lookup(f.From)
		if err != nil {
			return nil, err
		}
		r := &region{ID: "fork_" + f.From.Name, Title: "fork at " + f.From.Name, From: from}
		from.Fork = "fork"
		switch {
		case f.Map != nil:
			r.Title = mapLabel(f) + " at " + f.From.Name
			from.Fork = mapLabel(f)
		case f.Select:
			r.Title = "select at " + f.From.Name
			from.Fork = "select"
		}
		if f.FanIn != nil {
			from.Fork += " → " + f.FanIn.Name
		}
		if f.FanIn != nil {
			r.Title += " → " + f.FanIn.Name
		}
		for _, b := range f.Branches {
			vn, err := lookup(b)
			if err != nil {
				return nil, err
			}
			r.Entries = append(r.Entries, vn)
		}
		for _, n := range f.Nodes {
			if claimed[n] {
				continue
			}
			vn, err := lookup(n)
			if err != nil {
				return nil, err
			}
			claimed[n] = true
			vn.Item = f.Map != nil
			v.HasItems = v.HasItems || vn.Item
			r.Nodes = append(r.Nodes, vn)
		}
		regions[f] = r
	}
	v.Root.Nodes = append(v.Root.Nodes, start)
	for _, n := range g.Nodes {
		if !claimed[n] {
			v.Root.Nodes = append(v.Root.Nodes, byNode[n])
		}
	}
	v.Root.Nodes = append(v.Root.Nodes, end)
	var nest func(parent *graph.Fork, into *region)
	nest = func(parent *graph.Fork, into *region) {
		for _, f := range g.Forks {
			if f.Parent == parent {
				r := regions[f]
				r.Depth = into.Depth + 1
				into.Regions = append(into.Regions, r)
				nest(f, r)
			}
		}
	}
	nest(nil, v.Root)

	// Edges, in spec order of their source nodes.
	add := func(from, to *node, label string, fork bool) {
		v.Edges = append(v.Edges, &edge{From: from, To: to, Label: label, Fork: fork})
	}
	// target resolves an edge target; nil is __end__ on the main flow and
	// the region's fan-in inside a branch.
	target := func(from, to *graph.Node) (*node, error) {
		switch {
		case to != nil:
			return lookup(to)
		case from.Region != nil && from.Region.FanIn != nil:
			return lookup(from.Region.FanIn)
		}
		return end, nil
	}
	if g.Entry != nil {
		to, err := lookup(g.Entry)
		if err != nil {
			return nil, err
		}
		add(start, to, "", false)
	}
	for _, n := range g.Nodes {
		from := byNode[n]
		switch n.Kind {
		case graph.Plain:
			to, err := target(n, n.Next)
			if err != nil {
				return nil, err
			}
			add(from, to, "", false)
		case graph.Cond:
			for _, c := range n.Cases {
				to, err := target(n, c.Target)
				if err != nil {
					return nil, err
				}
				add(from, to, c.Label, false)
			}
		case graph.Parallel:
			if n.Fork == nil {
				return nil, fmt.Errorf("templates: graph %s: parallel node %q has no fork", g.Name, n.Name)
			}
			for _, b := range n.Fork.Branches {
				to, err := lookup(b)
				if err != nil {
					return nil, err
				}
				add(from, to, "", true)
				last := v.Edges[len(v.Edges)-1]
				if n.Fork.Map != nil {
					last.Map = mapLabel(n.Fork)
				}
				last.Select = n.Fork.Select
			}
		}
	}
	markBack(v.Edges, start)
	return v, nil
}

// mapLabel says what map f runs over: "for each Docs", "for each Task".
func mapLabel(f *graph.Fork) string {
	if f.Map.Over != "" {
		return "for each " + f.Map.Over
	}
	return "for each " + f.Map.Items
}

// markBack sets Back on the edges that a depth-first walk from start,
// taking each node's edges in spec order, finds leading to a node still on
// its path.
func markBack(edges []*edge, start *node) {
	out := make(map[*node][]*edge)
	for _, e := range edges {
		out[e.From] = append(out[e.From], e)
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[*node]int)
	var walk func(n *node)
	walk = func(n *node) {
		state[n] = onPath
		for _, e := range out[n] {
			switch state[e.To] {
			case onPath:
				e.Back = true
			case unseen:
				walk(e.To)
			}
		}
		state[n] = done
	}
	walk(start)
}

// oneLine folds runs of white space, newlines included, into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// policyMarks is what a node's label shows of its policy: " ↻3" for three
// attempts, " ⏱20s" for a 20s timeout per attempt; "" without a policy.
func policyMarks(p *graph.NodePolicy) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	if p.Attempts > 1 {
		fmt.Fprintf(&b, " ↻%d", p.Attempts)
	}
	if p.Timeout > 0 {
		fmt.Fprintf(&b, " ⏱%v", p.Timeout)
	}
	return b.String()
}
