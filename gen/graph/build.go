package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graphc/graphc/gen/diag"
	"github.com/graphc/graphc/gen/spec"
)

// Build validates a parsed spec and returns its graph IR. It reports every
// problem it finds, not only the first; the graph is nil when there are any.
func Build(f *spec.File) (*Graph, diag.List) {
	b := &builder{
		f:       f,
		g:       &Graph{File: f.Path, Pos: f.Pos},
		byName:  map[string]*Node{},
		out:     map[*Node][]outEdge{},
		hasEdge: map[*Node]bool{},
		whenPos: map[*Node]diag.Pos{},
	}
	b.header()
	b.nodes()
	b.policies()
	b.edges()
	b.config() // after edges: interrupts need node regions
	b.identifiers()
	if len(b.errs) > 0 {
		return nil, b.errs.Sort()
	}
	return b.g, nil
}

// outEdge is one way out of a node, kept with its spec position for messages.
type outEdge struct {
	to    *Node // nil: __end__
	pos   diag.Pos
	label string // conditional label, "" otherwise
}

type builder struct {
	f      *spec.File
	g      *Graph
	errs   diag.List
	byName map[string]*Node
	out    map[*Node][]outEdge // resolved targets of plain and conditional edges
	// startTypo is set when an edge's source is a misspelt __start__.
	startTypo bool
	// whenPos is where each conditional node's `when:` is, for messages.
	whenPos map[*Node]diag.Pos
	// edgeErrs is set when an edge could not be resolved; the flow analysis
	// then skips checks that a broken edge would only echo.
	edgeErrs bool
	// hasEdge marks nodes that are the source of some edge, even a broken one.
	hasEdge map[*Node]bool
	// brokenFork is set when a parallel edge has no usable fan_in; unused
	// fan-in nodes are then not reported, the edge is.
	brokenFork bool
}

func (b *builder) errorf(p diag.Pos, format string, args ...any) {
	b.errs.Add(p, format, args...)
}

// at returns p, or the top of the file when the value was absent.
func (b *builder) at(p diag.Pos) diag.Pos {
	if p.IsValid() {
		return p
	}
	if b.f.Pos.IsValid() {
		return b.f.Pos
	}
	return diag.Pos{File: b.f.Path, Line: 1, Col: 1}
}

func (b *builder) header() {
	f, g := b.f, b.g
	switch name := f.Graph.Value; {
	case !f.Graph.Pos.IsValid():
		b.errorf(b.at(f.Pos), "missing graph: add `graph: Name`, the exported Go name of the executor type")
	case !exportedRE.MatchString(name):
		b.errorf(f.Graph.Pos, "graph name %q is not allowed: %s", name, asciiRule(name, true))
	default:
		g.Name, g.NamePos = name, f.Graph.Pos
	}
	if p := f.Package; p.Pos.IsValid() {
		switch {
		case !identRE.MatchString(p.Value) || goKeywords[p.Value] || p.Value == "_":
			b.errorf(p.Pos, "package %q is not a valid package name: use ASCII letters, digits and _, not starting with a digit, and not a Go keyword (e.g. %q)", p.Value, suggestName(p.Value))
		default:
			g.Package = p.Value
		}
	}
	g.Doc = f.Doc.Value

	st := f.State
	g.State = State{Type: st.Type.Value, Inline: st.Inline, Pos: st.Pos}
	switch {
	case !st.Pos.IsValid():
		b.errorf(b.at(f.Pos), "missing state: add `state: State` naming a struct type of the package, or declare it inline with `type:` and `fields:`")
		return
	case !st.Type.Pos.IsValid() || st.Type.Value == "":
		b.errorf(st.Pos, "state needs a type name: `type: State`")
	case st.Inline && !identRE.MatchString(st.Type.Value):
		b.errorf(st.Type.Pos, "inline state type %q is not allowed: %s", st.Type.Value, asciiRule(st.Type.Value, false))
	case !st.Inline && !qualifiedRE.MatchString(st.Type.Value):
		b.errorf(st.Type.Pos, "state type %q is not a Go type name: write Name for a type of this package, or pkg.Name for one of another package (pkg is the name a file of this package imports it under, e.g. `import \"example.com/app/model\"` then `state: model.State`)", st.Type.Value)
	}
	for _, part := range ShadowedParts(st.Type.Value) {
		b.errorf(st.Type.Pos, "state type %q uses the name %s, which the generated code gives to a parameter or variable: rename the type (or the import)", st.Type.Value, part)
	}
	if !st.Inline {
		return
	}
	if len(st.Fields) == 0 {
		b.errorf(st.Pos, "inline state %q has no fields: list them under `fields:`, or name a Go type with `state: %s`", st.Type.Value, st.Type.Value)
	}
	seen := map[string]diag.Pos{}
	for _, fd := range st.Fields {
		name := fd.Name.Value
		switch {
		case !fd.Name.Pos.IsValid():
			b.errorf(fd.Pos, "state field needs a name")
			continue
		case !exportedRE.MatchString(name):
			b.errorf(fd.Name.Pos, "state field %q is not allowed: %s", name, asciiRule(name, true))
		}
		if first, dup := seen[name]; dup {
			b.errorf(fd.Name.Pos, "state field %q declared twice (first at %s)", name, lineCol(first))
		}
		seen[name] = fd.Name.Pos
		if strings.TrimSpace(fd.Type.Value) == "" {
			b.errorf(b.orPos(fd.Type.Pos, fd.Pos), "state field %q needs a Go type: `type: string`", name)
		}
		g.State.Fields = append(g.State.Fields, Field{Name: name, Type: fd.Type.Value, Doc: fd.Doc.Value, Pos: fd.Pos})
	}
}

func (b *builder) orPos(p, fallback diag.Pos) diag.Pos {
	if p.IsValid() {
		return p
	}
	return fallback
}

func lineCol(p diag.Pos) string { return fmt.Sprintf("line %d:%d", p.Line, p.Col) }

func (b *builder) nodes() {
	goNames := map[string]*Node{}
	for _, sn := range b.f.Nodes {
		name := sn.Name.Value
		switch {
		case !sn.Name.Pos.IsValid() || name == "":
			b.errorf(sn.Pos, "node needs a name: `- name: plan`")
			continue
		case name == spec.Start || name == spec.End:
			b.errorf(sn.Name.Pos, "%s is built in and cannot be declared as a node", name)
			continue
		case !nodeNameRE.MatchString(name):
			// Reported, and still declared: the edges that name it
			// resolve, so the rest of the graph is checked as well.
			b.errorf(sn.Name.Pos, "node name %q is invalid: use lower case letters, digits and _, starting with a letter (e.g. %q)", name, suggestName(name))
		}
		if first, dup := b.byName[name]; dup {
			b.errorf(sn.Name.Pos, "node %q declared twice (first at %s)", name, lineCol(first.Pos))
			continue
		}
		n := &Node{ID: len(b.g.Nodes), Name: name, GoName: CamelCase(name), Doc: sn.Doc.Value, Pos: sn.Name.Pos, FanIn: sn.FanIn.Value}
		if other, clash := goNames[n.GoName]; clash {
			b.errorf(n.Pos, "nodes %q and %q both become the Go name %s: rename one", other.Name, name, n.GoName)
		}
		goNames[n.GoName] = n
		b.byName[name] = n
		b.g.Nodes = append(b.g.Nodes, n)
	}
	if len(b.f.Nodes) == 0 {
		b.errorf(b.at(b.f.Pos), "the graph has no nodes: list them under `nodes:`")
	}
}

// suggestName turns an invalid node name into a valid one for messages.
func suggestName(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9' && b.Len() > 0:
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if out == "" {
		return "node"
	}
	return out
}

// target resolves the target of an edge: a node, or __end__ (nil, true).
func (b *builder) target(s spec.String, what string) (*Node, bool) {
	switch s.Value {
	case spec.End:
		return nil, true
	case spec.Start:
		b.errorf(s.Pos, "__start__ cannot be the target of %s: it only begins the run", what)
		return nil, false
	case "":
		return nil, false
	}
	if n, ok := b.byName[s.Value]; ok {
		return n, true
	}
	b.errorf(s.Pos, "%s goes to unknown node %q%s", what, s.Value, b.didYouMean(s.Value, spec.End))
	return nil, false
}

// didYouMean suggests the node, or the keyword (__end__ where a target is
// expected, __start__ where a source is), that name is a likely typo of.
func (b *builder) didYouMean(name string, keyword string) string {
	if keyword != "" {
		// __END__, end, __end; and a typo like __strat__ when it has
		// the underscores of a keyword.
		word, kw := strings.Trim(strings.ToLower(name), "_"), strings.Trim(keyword, "_")
		if word == kw || strings.HasPrefix(name, "_") && diag.Closest(word, []string{kw}) != "" {
			return fmt.Sprintf("; did you mean %s?", keyword)
		}
	}
	names := make([]string, len(b.g.Nodes))
	for i, n := range b.g.Nodes {
		names[i] = n.Name
	}
	if best := diag.Closest(name, names); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ": declare it under `nodes:`"
}

// targetsOnly reports the unknown targets of an edge set aside for another
// problem (its source is wrong), so that one run shows every problem.
func (b *builder) targetsOnly(e *spec.Edge) {
	check := func(s spec.String, keyword string) {
		if _, ok := b.byName[s.Value]; !ok && s.Value != "" && s.Value != spec.End && s.Value != spec.Start {
			b.errorf(s.Pos, "edge goes to unknown node %q%s", s.Value, b.didYouMean(s.Value, keyword))
		}
	}
	check(e.To, spec.End)
	for _, c := range e.When {
		check(c.Target, spec.End)
	}
	for _, s := range e.Parallel {
		check(s, "")
	}
	check(e.FanIn, "")
	if e.Map != nil {
		check(e.Map.To, "")
		check(e.Map.FanIn, "")
	}
}

// firstEdge remembers where a node's outgoing edge was declared.
type firstEdge struct {
	kind Kind
	pos  diag.Pos
}

func (b *builder) edges() {
	first := map[*Node]firstEdge{}
	var startEdge *spec.Edge
	for i := range b.f.Edges {
		e := &b.f.Edges[i]
		// The source first, so that a broken edge still counts as the
		// node's way out and does not echo as "no outgoing edge".
		var from *Node
		switch e.From.Value {
		case "":
			b.errorf(e.Pos, "edge needs a source: `from: node` (or __start__)")
			b.edgeErrs = true
			continue
		case spec.End:
			b.errorf(e.From.Pos, "__end__ cannot be the source of an edge: reaching it ends the run")
			b.edgeErrs = true
			b.targetsOnly(e)
			continue
		case spec.Start:
		default:
			n, ok := b.byName[e.From.Value]
			if !ok {
				hint := b.didYouMean(e.From.Value, spec.Start)
				b.errorf(e.From.Pos, "edge from unknown node %q%s", e.From.Value, hint)
				b.startTypo = b.startTypo || strings.Contains(hint, spec.Start)
				b.edgeErrs = true
				b.targetsOnly(e) // its targets may be wrong too: every problem at once
				continue
			}
			from = n
			b.hasEdge[n] = true
		}

		kinds := 0
		for _, set := range []bool{e.To.Pos.IsValid(), e.WhenPos.IsValid(), e.ParallelPos.IsValid(), e.Map != nil} {
			if set {
				kinds++
			}
		}
		if e.FanIn.Pos.IsValid() && !e.ParallelPos.IsValid() && e.Map == nil {
			b.errorf(e.FanIn.Pos, "fan_in belongs to a parallel edge: add `parallel: [...]` or remove fan_in")
		}
		if e.Select.Pos.IsValid() && !e.ParallelPos.IsValid() {
			b.errorf(e.Select.Pos, "select belongs to a parallel edge (it picks which of its branches run): add `parallel: [...]` or remove select")
		}
		switch kinds {
		case 0:
			b.errorf(e.Pos, "edge has no target: add `to: node`, `when: {label: node}`, `parallel: [nodes]` with `fan_in`, or `map: {over: Field, to: node, fan_in: node}`")
			b.edgeErrs = true
			continue
		case 2, 3, 4:
			b.errorf(e.Pos, "edge has more than one of `to`, `when`, `parallel` and `map`: a node has exactly one kind of outgoing edge")
			b.edgeErrs = true
			continue
		}

		if from == nil { // __start__
			if startEdge != nil {
				b.errorf(e.From.Pos, "__start__ has a second edge (first at %s): a run has exactly one entry", lineCol(startEdge.From.Pos))
				b.targetsOnly(e)
				continue
			}
			startEdge = e
			if !e.To.Pos.IsValid() {
				b.errorf(e.Pos, "__start__ takes a plain edge to the first node: `{from: __start__, to: node}`")
				b.edgeErrs = true
				continue
			}
			if n, ok := b.target(e.To, "the entry edge"); ok {
				switch {
				case n == nil:
					b.errorf(e.To.Pos, "the entry edge goes straight to __end__: point it at the first node")
				case n.FanIn:
					b.errorf(e.To.Pos, "the entry edge goes to fan-in %q: a fan-in is reached only by the branches of its parallel edge", n.Name)
				}
				b.g.Entry = n
			} else {
				b.edgeErrs = true
			}
			continue
		}

		kind := Plain
		if e.WhenPos.IsValid() {
			kind = Cond
		} else if e.ParallelPos.IsValid() || e.Map != nil {
			kind = Parallel
		}
		if prev, dup := first[from]; dup {
			if prev.kind == kind && kind == Plain {
				b.errorf(e.Pos, "node %q has a second plain edge (first at %s): use `when:` to choose between targets, or `parallel:` to run both", from.Name, lineCol(prev.pos))
			} else if prev.kind == kind {
				b.errorf(e.Pos, "node %q has a second %s edge (first at %s): merge them into one", from.Name, kind, lineCol(prev.pos))
			} else {
				b.errorf(e.Pos, "node %q already has a %s edge (at %s): a node has exactly one kind of outgoing edge, plain, conditional or parallel", from.Name, prev.kind, lineCol(prev.pos))
			}
			b.edgeErrs = true
			b.targetsOnly(e)
			continue
		}
		first[from] = firstEdge{kind, e.Pos}
		from.Kind = kind

		switch kind {
		case Plain:
			what := fmt.Sprintf("the edge from %q", from.Name)
			if n, ok := b.target(e.To, what); ok {
				from.Next = n
				b.out[from] = []outEdge{{to: n, pos: e.To.Pos}}
			} else {
				b.edgeErrs = true
			}
		case Cond:
			b.cond(from, e)
		case Parallel:
			if e.Map != nil {
				b.mapEdge(from, e)
			} else {
				b.parallel(from, e)
			}
		}
	}
	if startEdge == nil && !b.startTypo { // a misspelt __start__ is reported where it is
		b.errorf(b.at(b.f.Pos), "no entry: add an edge `{from: __start__, to: <first node>}`")
	}
	flowed := !b.edgeErrs && b.g.Entry != nil
	if flowed {
		b.flow() // assigns regions, which the advice below needs
	}
	for _, n := range b.g.Nodes {
		if n.Kind != 0 || b.hasEdge[n] {
			continue
		}
		switch {
		case flowed && n.Region != nil:
			b.errorf(n.Pos, "node %q has no outgoing edge: it runs in %s, so add `{from: %s, to: %s}` to end its branch at the fan-in", n.Name, regionName(n.Region), n.Name, n.Region.FanIn.Name)
		case flowed:
			b.errorf(n.Pos, "node %q has no outgoing edge: add one (`{from: %s, to: __end__}` ends the run there)", n.Name, n.Name)
		default: // the regions are unknown while edges are broken
			b.errorf(n.Pos, "node %q has no outgoing edge: add one (`{from: %s, to: __end__}` ends the run there; inside a fork's branches, go to its fan-in instead)", n.Name, n.Name)
		}
	}
	var reachedBy map[*Node]*Node // node -> a node with a plain or conditional edge to it
	for _, n := range b.g.Nodes {
		if !n.FanIn || n.JoinOf != nil || b.brokenFork {
			continue
		}
		if reachedBy == nil {
			reachedBy = map[*Node]*Node{}
			for _, m := range b.g.Nodes {
				for _, o := range b.out[m] {
					if o.to != nil && reachedBy[o.to] == nil {
						reachedBy[o.to] = m
					}
				}
			}
		}
		if from := reachedBy[n]; from != nil {
			b.errorf(n.Pos, "node %q is marked fan_in but no parallel edge fans in at it: it is reached by ordinary edges (from %q), so drop `fan_in: true`; any node may have several incoming edges, and only the meeting point of a parallel edge's branches is a fan-in", n.Name, from.Name)
			continue
		}
		b.errorf(n.Pos, "node %q is marked fan_in but no parallel edge fans in at it: add `fan_in: %s` to the parallel edge whose branches meet here, or drop `fan_in: true`", n.Name, n.Name)
	}
}

func (b *builder) cond(from *Node, e *spec.Edge) {
	from.RouteType = from.GoName + "Route"
	from.RouteMethod = "Route" + from.GoName
	b.whenPos[from] = e.WhenPos
	if len(e.When) == 0 {
		b.errorf(e.WhenPos, "conditional edge from %q has no labels: add `label: node` pairs under `when:`", from.Name)
		b.edgeErrs = true
		return
	}
	goLabels := map[string]string{}
	for _, c := range e.When {
		label := c.Label.Value
		if !nodeNameRE.MatchString(label) {
			b.errorf(c.Label.Pos, "label %q is invalid: use lower case letters, digits and _, starting with a letter", label)
			b.edgeErrs = true
			continue
		}
		gl := CamelCase(label)
		if other, clash := goLabels[gl]; clash {
			b.errorf(c.Label.Pos, "labels %q and %q both become the Go name %s: rename one", other, label, gl)
		}
		goLabels[gl] = label
		n, ok := b.target(c.Target, fmt.Sprintf("label %q of %q", label, from.Name))
		if !ok {
			b.edgeErrs = true
			continue
		}
		from.Cases = append(from.Cases, Case{Label: label, GoName: gl, Const: from.GoName + gl, Target: n, Pos: c.Label.Pos})
		b.out[from] = append(b.out[from], outEdge{to: n, pos: c.Target.Pos, label: label})
	}
}

func (b *builder) parallel(from *Node, e *spec.Edge) {
	fk := &Fork{ID: len(b.g.Forks), From: from, Pos: e.ParallelPos, Select: e.Select.Value}
	from.Fork = fk
	b.g.Forks = append(b.g.Forks, fk)
	fanIn, ok := b.fanIn(fk, from, e.FanIn, e.ParallelPos, "parallel edge")
	if len(e.Parallel) < 2 {
		b.errorf(e.ParallelPos, "parallel edge from %q lists %d branch(es): a fork needs at least two; use `to:` for one successor", from.Name, len(e.Parallel))
		ok = false
	}
	seen := map[*Node]bool{}
	for _, s := range e.Parallel {
		switch s.Value {
		case spec.End, spec.Start:
			b.errorf(s.Pos, "a branch must start at a node, not %s", s.Value)
			ok = false
			continue
		}
		n, found := b.byName[s.Value]
		switch {
		case !found:
			b.errorf(s.Pos, "parallel edge from %q forks to unknown node %q%s", from.Name, s.Value, b.didYouMean(s.Value, ""))
			ok = false
			continue
		case seen[n]:
			b.errorf(s.Pos, "node %q is listed twice in the parallel edge from %q: each branch needs its own entry node", n.Name, from.Name)
			ok = false
			continue
		case fanIn != nil && n == fanIn:
			b.errorf(s.Pos, "branch %q is the fork's own fan_in: a branch must run at least one node before it meets the others", n.Name)
			ok = false
			continue
		}
		seen[n] = true
		fk.Branches = append(fk.Branches, n)
	}
	if !ok {
		b.edgeErrs = true
		return
	}
	if fk.Select && len(fk.Branches) > 64 {
		b.errorf(e.Select.Pos, "parallel edge from %q selects among %d branches: a select fork has at most 64; split it into nested forks", from.Name, len(fk.Branches))
		b.edgeErrs = true
		return
	}
	fk.FanIn = fanIn
	fk.BranchesType = fanIn.GoName + "Branches"
	if fk.Select {
		fk.SetType = from.GoName + "Set"
	}
}

// fanIn resolves the fan_in of fork fk (a parallel or a map edge, as what
// says, whose key is at key) and marks the node as fk's join.
func (b *builder) fanIn(fk *Fork, from *Node, name spec.String, key diag.Pos, what string) (*Node, bool) {
	switch {
	case !name.Pos.IsValid():
		b.errorf(key, "%s from %q needs `fan_in: node`, the node where its branches meet", what, from.Name)
		b.brokenFork = true
		return nil, false
	case name.Value == spec.End || name.Value == spec.Start:
		b.errorf(name.Pos, "fan_in must be a node marked `fan_in: true`, not %s: add a join node under nodes: (`- {name: join, fan_in: true}`), end each branch with an edge to it, set `fan_in: join`, and go on from join (`{from: join, to: __end__}`)", name.Value)
		return nil, false
	}
	n, found := b.byName[name.Value]
	switch {
	case !found:
		b.errorf(name.Pos, "fan_in names unknown node %q%s", name.Value, b.didYouMean(name.Value, ""))
		b.brokenFork = true
		return nil, false
	case n.JoinOf != nil:
		b.errorf(name.Pos, "node %q is already the fan_in of the %s from %q (at %s): each fork and each map needs its own fan-in node; add an inner join for this one (`- {name: %s_join, fan_in: true}` under nodes:), end its branches there, set `fan_in: %s_join`, and go on from it (`{from: %s_join, to: ...}`)", n.Name, edgeKind(n.JoinOf), n.JoinOf.From.Name, lineCol(n.JoinOf.Pos), from.Name, from.Name, from.Name)
		return nil, false
	case !n.FanIn:
		b.errorf(name.Pos, "node %q is the fan_in of the %s from %q but is not marked as one: add `fan_in: true` to node %q", n.Name, what, from.Name, n.Name)
		n.JoinOf = fk // avoid a second, echoing message about it
		return nil, false
	}
	n.JoinOf = fk
	return n, true
}

// edgeKind names the kind of fork's edge for messages.
func edgeKind(f *Fork) string {
	if f.Map != nil {
		return "map edge"
	}
	return "parallel edge"
}

// mapEdge builds the fork of a map edge: one per-item flow from map.to,
// run once per item, meeting at map.fan_in.
func (b *builder) mapEdge(from *Node, e *spec.Edge) {
	m := e.Map
	fk := &Fork{ID: len(b.g.Forks), From: from, Pos: m.Pos, Map: &Map{Pos: m.Pos, MaxItems: DefaultMaxItems}}
	from.Fork = fk
	b.g.Forks = append(b.g.Forks, fk)
	if e.FanIn.Pos.IsValid() {
		b.errorf(e.FanIn.Pos, "a map edge takes its fan_in inside map: (`map: {over: ..., to: ..., fan_in: %s}`): move it there", e.FanIn.Value)
	}
	fanIn, ok := b.fanIn(fk, from, m.FanIn, m.Pos, "map edge")
	switch {
	case m.Over.Pos.IsValid() && m.Items.Pos.IsValid():
		b.errorf(m.Items.Pos, "map from %q has both over and items: use over: Field to map over a slice field of the state, or items: Type to have the Items%s handler build the list", from.Name, from.GoName)
		ok = false
	case m.Over.Pos.IsValid():
		if !exportedRE.MatchString(m.Over.Value) {
			b.errorf(m.Over.Pos, "map over %q: over names an exported slice field of the state, e.g. `over: Docs`", m.Over.Value)
			ok = false
		}
		fk.Map.Over, fk.Map.Field, fk.Map.OverPos = m.Over.Value, m.Over.Value, m.Over.Pos
	case m.Items.Pos.IsValid():
		if !qualifiedRE.MatchString(m.Items.Value) {
			b.errorf(m.Items.Pos, "map items %q is not a Go type name: write Name for a type of this package, or pkg.Name for one of another package", m.Items.Value)
			ok = false
		}
		fk.Map.Items, fk.Map.Field, fk.Map.OverPos = m.Items.Value, "Items", m.Items.Pos
		fk.Map.ItemsMethod = "Items" + from.GoName
	default:
		b.errorf(m.Pos, "map from %q says nothing to map over: add `over: Field` (an exported slice field of the state) or `items: Type` (and implement Items%s, which builds the list)", from.Name, from.GoName)
		ok = false
	}
	if m.MaxItems.Pos.IsValid() {
		if m.MaxItems.Value < 1 {
			b.errorf(m.MaxItems.Pos, "max_items must be positive, got %d: it is the most items a run may map over (the default is %d)", m.MaxItems.Value, DefaultMaxItems)
			ok = false
		}
		fk.Map.MaxItems = m.MaxItems.Value
	}
	switch to := m.To; {
	case !to.Pos.IsValid():
		b.errorf(m.Pos, "map from %q needs `to: node`, the entry of the flow each item runs through", from.Name)
		ok = false
	case to.Value == spec.End || to.Value == spec.Start:
		b.errorf(to.Pos, "a map's items must start at a node, not %s", to.Value)
		ok = false
	default:
		n, found := b.byName[to.Value]
		switch {
		case !found:
			b.errorf(to.Pos, "map from %q goes to unknown node %q%s", from.Name, to.Value, b.didYouMean(to.Value, ""))
			ok = false
		case fanIn != nil && n == fanIn:
			b.errorf(to.Pos, "map to %q is the map's own fan_in: each item must run at least one node before the items meet", n.Name)
			ok = false
		default:
			fk.Branches = []*Node{n}
		}
	}
	if !ok {
		b.edgeErrs = true
		return
	}
	fk.FanIn = fanIn
	fk.BranchesType = fanIn.GoName + "Items"
}

// regionName describes a region for messages.
func regionName(f *Fork) string {
	if f == nil {
		return "the main flow"
	}
	if f.Map != nil {
		return fmt.Sprintf("the per-item flow of the map at %q", f.From.Name)
	}
	return fmt.Sprintf("the branches of the fork at %q", f.From.Name)
}

// branchOf names one run of region f (not the main flow) for messages.
func branchOf(f *Fork) string {
	if f.Map != nil {
		return fmt.Sprintf("the per-item flow of the map at %q", f.From.Name)
	}
	return fmt.Sprintf("a branch of the fork at %q", f.From.Name)
}

// sinkName names what ends a region.
func sinkName(f *Fork) string {
	if f == nil {
		return "__end__"
	}
	return fmt.Sprintf("its fan-in %q", f.FanIn.Name)
}

// flow assigns every reachable node to its region (the main flow or one
// fork's branches), checks that forks nest and branches do not escape, then
// that every node is reachable and every region can finish.
func (b *builder) flow() {
	assigned := map[*Node]bool{}
	b.walk(nil, []*Node{b.g.Entry}, b.g.Entry.Pos, assigned)
	for _, n := range b.g.Nodes {
		if !assigned[n] {
			b.errorf(n.Pos, "node %q is unreachable from __start__: no path leads to it; remove it or add an edge to it", n.Name)
		}
	}
	// One pass files every node under its region, in spec order.
	var mainFlow []*Node
	for _, n := range b.g.Nodes {
		switch {
		case !assigned[n]:
		case n.Region == nil:
			mainFlow = append(mainFlow, n)
		default:
			n.Region.Nodes = append(n.Region.Nodes, n)
		}
	}
	b.termination(nil, mainFlow)
	for _, fk := range b.g.Forks {
		if p := fk.Parent; assigned[fk.From] && p != nil && p.Map != nil {
			// An item flow's state is the item: a fork in it would need
			// joins typed on the item, which are not generated yet.
			b.errorf(fk.Pos, "node %q forks inside %s: forks and maps inside a per-item flow are not supported; fork in the main flow (or in a branch) before the map, or after its fan-in %q", fk.From.Name, regionName(p), p.FanIn.Name)
		}
	}
	for _, fk := range b.g.Forks {
		if assigned[fk.From] {
			b.termination(fk, fk.Nodes)
		}
	}
	b.exits()
}

// exits picks, for each conditional node, the label whose target is
// closest to the end of the node's region (breadth first from the end over
// reversed edges, forks collapsed to their fan-in).
func (b *builder) exits() {
	const far = 1 << 30
	dist := map[*Node]int{}
	rev := map[*Node][]*Node{}
	var queue []*Node
	for _, n := range b.g.Nodes {
		if n.Kind == Parallel {
			rev[n.Fork.FanIn] = append(rev[n.Fork.FanIn], n)
			continue
		}
		for _, o := range b.out[n] {
			if o.to == nil || (n.Region != nil && o.to == n.Region.FanIn) {
				if _, seen := dist[n]; !seen {
					dist[n] = 1
					queue = append(queue, n)
				}
			} else {
				rev[o.to] = append(rev[o.to], n)
			}
		}
	}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		for _, n := range rev[m] {
			if _, seen := dist[n]; !seen {
				dist[n] = dist[m] + 1
				queue = append(queue, n)
			}
		}
	}
	for _, n := range b.g.Nodes {
		if n.Kind != Cond {
			continue
		}
		best := far
		for i, c := range n.Cases {
			d := 0 // the target ends the region
			if !(c.Target == nil || (n.Region != nil && c.Target == n.Region.FanIn)) {
				d = far
				if v, ok := dist[c.Target]; ok {
					d = v
				}
			}
			if d < best {
				best, n.Exit = d, i
			}
		}
	}
}

// walk visits region fk from its start nodes, breadth first, assigning
// regions and descending into nested forks.
func (b *builder) walk(fk *Fork, start []*Node, at diag.Pos, assigned map[*Node]bool) {
	var queue []*Node
	for _, n := range start {
		if b.claim(fk, n, assigned, at) {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.Kind == Parallel {
			sub := n.Fork
			sub.Parent = fk
			sub.Depth = depth(fk) + 1
			b.walk(sub, sub.Branches, sub.Pos, assigned)
			if b.claim(fk, sub.FanIn, assigned, sub.Pos) {
				queue = append(queue, sub.FanIn)
			}
			continue
		}
		for _, o := range b.out[n] {
			switch {
			case o.to == nil && fk != nil:
				b.errorf(o.pos, "%s reaches __end__ from %q: it must end at its fan-in %q", branchOf(fk), n.Name, fk.FanIn.Name)
			case o.to == nil:
			case fk != nil && o.to == fk.FanIn:
				// the branch arrives at its fan-in
			case o.to.JoinOf != nil:
				if fk == nil {
					b.errorf(o.pos, "%q leads to fan-in %q outside of its fork: a fan-in is reached only by the branches of the parallel edge from %q", n.Name, o.to.Name, o.to.JoinOf.From.Name)
				} else {
					b.errorf(o.pos, "%s reaches fan-in %q, which belongs to the %s from %q: it must end at its own fan-in %q", branchOf(fk), o.to.Name, edgeKind(o.to.JoinOf), o.to.JoinOf.From.Name, fk.FanIn.Name)
				}
			case b.claim(fk, o.to, assigned, o.pos):
				queue = append(queue, o.to)
			}
		}
	}
}

func depth(fk *Fork) int {
	if fk == nil {
		return 0
	}
	return fk.Depth
}

// claim assigns n to region fk. It reports whether n is new to the walk.
func (b *builder) claim(fk *Fork, n *Node, assigned map[*Node]bool, at diag.Pos) bool {
	if !assigned[n] {
		assigned[n] = true
		n.Region = fk
		return true
	}
	if n.Region != fk {
		b.errorf(at, "node %q runs in %s and also in %s: forks must nest, so a node belongs to one fork's branches (or to the main flow) only; give each its own node", n.Name, regionName(n.Region), regionName(fk))
	}
	return false
}

// termination reports the loops of region fk that can never reach the
// region's end (__end__, or the fork's fan-in). A node without an outgoing
// edge is already reported and counts as finishing here.
func (b *builder) termination(fk *Fork, nodes []*Node) {
	succ := func(n *Node) []*Node {
		if n.Kind == Parallel {
			return []*Node{n.Fork.FanIn}
		}
		var out []*Node
		for _, o := range b.out[n] {
			out = append(out, o.to)
		}
		return out
	}
	isSink := func(m *Node) bool { return m == nil || (fk != nil && m == fk.FanIn) }
	// finishes is the least fixed point: a node finishes when a successor is
	// the sink or finishes. Regions are small enough to iterate; reverse
	// edges keep it linear for long chains.
	finishes := map[*Node]bool{}
	rev := map[*Node][]*Node{}
	var work []*Node
	for _, n := range nodes {
		if n.Kind == 0 {
			finishes[n] = true
			work = append(work, n)
			continue
		}
		for _, m := range succ(n) {
			if isSink(m) {
				if !finishes[n] {
					finishes[n] = true
					work = append(work, n)
				}
			} else {
				rev[m] = append(rev[m], n)
			}
		}
	}
	for len(work) > 0 {
		m := work[len(work)-1]
		work = work[:len(work)-1]
		for _, n := range rev[m] {
			if !finishes[n] {
				finishes[n] = true
				work = append(work, n)
			}
		}
	}
	var stuck []*Node
	for _, n := range nodes {
		if !finishes[n] {
			stuck = append(stuck, n)
		}
	}
	if len(stuck) == 0 {
		return
	}
	// Every path from a stuck node stays among stuck nodes, so it ends in a
	// trap: a strongly connected component with no edge leaving it. Report
	// each trap once; the nodes leading into it are not the mistake.
	for _, scc := range sccs(stuck, func(n *Node) []*Node {
		var out []*Node
		for _, m := range succ(n) {
			if m != nil && !finishes[m] && !isSink(m) {
				out = append(out, m)
			}
		}
		return out
	}) {
		if !scc.trap {
			continue
		}
		head := scc.nodes[0]
		allPlain := true
		for _, n := range scc.nodes {
			if n.Kind == Cond {
				allPlain = false
			}
		}
		if allPlain {
			b.errorf(head.Pos, "cycle with no conditional exit in %s: %s; make one of these nodes a `when:` edge with a label that leaves the loop", regionName(fk), cyclePath(head, succ))
		} else {
			names := make([]string, len(scc.nodes))
			var choice *Node // the first conditional node: its when: gets the exit
			for i, n := range scc.nodes {
				names[i] = fmt.Sprintf("%q", n.Name)
				if choice == nil && n.Kind == Cond {
					choice = n
				}
			}
			sink := spec.End
			if fk != nil {
				sink = fk.FanIn.Name
			}
			b.errorf(b.orPos(b.whenPos[choice], head.Pos), "nodes %s loop forever: no label of their `when:` reaches %s; add one to this `when:` of %q, e.g. `done: %s`", strings.Join(names, ", "), sinkName(fk), choice.Name, sink)
		}
	}
}

// cyclePath renders a plain cycle starting at head: a -> b -> a.
func cyclePath(head *Node, succ func(*Node) []*Node) string {
	parts := []string{head.Name}
	for n := succ(head)[0]; n != head && len(parts) <= 1<<16; n = succ(n)[0] {
		parts = append(parts, n.Name)
	}
	return strings.Join(append(parts, head.Name), " -> ")
}

type component struct {
	nodes []*Node // in spec order
	trap  bool    // no edge leaves it
}

// sccs returns the strongly connected components of the subgraph on nodes
// (Tarjan's algorithm, iterative so long chains cannot exhaust the stack).
// A component is a trap when it has an internal cycle and no edge out.
func sccs(nodes []*Node, succ func(*Node) []*Node) []component {
	index := map[*Node]int{}
	low := map[*Node]int{}
	onStack := map[*Node]bool{}
	compOf := map[*Node]int{}
	var stack []*Node
	var comps []component
	type frame struct {
		n    *Node
		next []*Node
	}
	for _, root := range nodes {
		if _, seen := index[root]; seen {
			continue
		}
		call := []frame{{root, succ(root)}}
		index[root], low[root] = len(index), len(index)
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			top := &call[len(call)-1]
			if len(top.next) > 0 {
				m := top.next[0]
				top.next = top.next[1:]
				if _, seen := index[m]; !seen {
					index[m], low[m] = len(index), len(index)
					stack = append(stack, m)
					onStack[m] = true
					call = append(call, frame{m, succ(m)})
				} else if onStack[m] {
					low[top.n] = min(low[top.n], index[m])
				}
				continue
			}
			n := top.n
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].n
				low[p] = min(low[p], low[n])
			}
			if low[n] != index[n] {
				continue
			}
			var c component
			for {
				m := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[m] = false
				compOf[m] = len(comps)
				c.nodes = append(c.nodes, m)
				if m == n {
					break
				}
			}
			comps = append(comps, c)
		}
	}
	for i := range comps {
		c := &comps[i]
		slices.SortFunc(c.nodes, func(a, b *Node) int { return a.ID - b.ID })
		c.trap = true
		cyclic := len(c.nodes) > 1
		for _, n := range c.nodes {
			for _, m := range succ(n) {
				if compOf[m] != i {
					c.trap = false
				} else if m == n {
					cyclic = true
				}
			}
		}
		c.trap = c.trap && cyclic
	}
	return comps
}

func (b *builder) config() {
	c := b.f.Config
	g := b.g
	g.Config.Pos = c.Pos
	g.Config.MaxWorkers = c.MaxWorkers.Value
	g.Config.MaxSteps = c.MaxSteps.Value
	switch c.OnBranchError.Value {
	case "", "cancel":
		g.Config.OnBranchError = Cancel
	case "wait":
		g.Config.OnBranchError = Wait
	default:
		b.errorf(c.OnBranchError.Pos, "on_branch_error %q is not a policy: use cancel (the first branch error cancels its siblings) or wait (all branches finish)", c.OnBranchError.Value)
	}
	g.Config.InterruptBefore = b.interrupts(c.InterruptBefore, "interrupt_before")
	g.Config.InterruptAfter = b.interrupts(c.InterruptAfter, "interrupt_after")
	g.Config.NoCheckpoints = c.Checkpoints.Pos.IsValid() && !c.Checkpoints.Value
	if g.Config.NoCheckpoints {
		for _, list := range [][]spec.String{c.InterruptBefore, c.InterruptAfter} {
			if len(list) > 0 {
				b.errorf(list[0].Pos, "an interrupt needs a checkpoint to resume from, and the config says checkpoints: false: remove the interrupts, or checkpoints: false")
			}
		}
	}
}

func (b *builder) interrupts(names []spec.String, key string) []*Node {
	var out []*Node
	seen := map[*Node]bool{}
	for _, s := range names {
		n, ok := b.byName[s.Value]
		switch {
		case s.Value == spec.Start || s.Value == spec.End:
			b.errorf(s.Pos, "%s names %s: interrupts go on nodes", key, s.Value)
			continue
		case !ok:
			b.errorf(s.Pos, "%s names unknown node %q%s", key, s.Value, b.didYouMean(s.Value, ""))
			continue
		case seen[n]:
			b.errorf(s.Pos, "%s lists %q twice", key, n.Name)
			continue
		case n.Region != nil && key == "interrupt_before":
			b.errorf(s.Pos, "%s names %q, which runs inside %s: a run pauses on the main flow only; pause before the fork with interrupt_before: [%s], or after its fan-in with interrupt_after: [%s]", key, n.Name, regionName(n.Region), n.Region.From.Name, n.Region.FanIn.Name)
			continue
		case n.Region != nil:
			b.errorf(s.Pos, "%s names %q, which runs inside %s: a run pauses on the main flow only; pause after the fork's fan-in with interrupt_after: [%s], or before the fork with interrupt_before: [%s]", key, n.Name, regionName(n.Region), n.Region.FanIn.Name, n.Region.From.Name)
			continue
		case key == "interrupt_before" && n.FanIn && n.JoinOf != nil:
			b.errorf(s.Pos, "%s names fan-in %q: a run cannot pause between the join and its fan-in (the branches' results live in the join, not in the state); pause after it with interrupt_after: [%s], or before the fork with interrupt_before: [%s]", key, n.Name, n.Name, n.JoinOf.From.Name)
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// identifiers reports generated Go identifiers that collide with each other:
// package-level declarations, and methods of the handler interface.
func (b *builder) identifiers() {
	g := b.g
	if g.Name == "" {
		return
	}
	type origin struct {
		what string
		pos  diag.Pos
	}
	decls := map[string]origin{}
	declare := func(set map[string]origin, name, what string, pos diag.Pos) {
		if prev, clash := set[name]; clash {
			b.errorf(pos, "%s and %s both declare the Go identifier %s (first at %s): rename one", prev.what, what, name, lineCol(prev.pos))
			return
		}
		set[name] = origin{what, pos}
	}
	gp := b.orPos(b.f.Graph.Pos, b.at(b.f.Pos))
	declare(decls, g.Name, "the graph type", gp)
	declare(decls, g.Name+"Handlers", "the handler interface", gp)
	declare(decls, "New"+g.Name, "the constructor", gp)
	declare(decls, "With"+g.Name+"Observer", "the observer option", gp)
	if g.State.Inline && g.State.Type != "" {
		declare(decls, g.State.Type, "the inline state type", b.orPos(b.f.State.Type.Pos, g.State.Pos))
	}
	methods := map[string]origin{}
	for _, n := range g.Nodes {
		if _, reported := methods[n.GoName]; !reported { // nodes() reports two nodes with one Go name
			declare(methods, n.GoName, fmt.Sprintf("the handler of node %q", n.Name), n.Pos)
		}
	}
	for _, n := range g.Nodes {
		if n.Kind == Cond {
			declare(methods, n.RouteMethod, fmt.Sprintf("the route handler of node %q", n.Name), n.Pos)
			declare(decls, n.RouteType, fmt.Sprintf("the route type of node %q", n.Name), n.Pos)
			for _, c := range n.Cases {
				declare(decls, c.Const, fmt.Sprintf("label %q of node %q", c.Label, n.Name), c.Pos)
			}
		}
		if f := n.Fork; f != nil && f.Map != nil && f.Map.ItemsMethod != "" {
			declare(methods, f.Map.ItemsMethod, fmt.Sprintf("the items handler of node %q", n.Name), n.Pos)
		}
		if f := n.Fork; f != nil && f.SetType != "" {
			declare(methods, f.SelectMethod(), fmt.Sprintf("the select handler of node %q", n.Name), n.Pos)
			declare(decls, f.SetType, fmt.Sprintf("the branch set of node %q", n.Name), n.Pos)
			for _, br := range f.Branches {
				declare(decls, f.SetType+br.GoName, fmt.Sprintf("branch %q of the select at %q", br.Name, n.Name), n.Pos)
			}
		}
		if f := n.JoinOf; f != nil && f.BranchesType != "" {
			declare(decls, f.BranchesType, fmt.Sprintf("the results struct of fan-in %q", n.Name), n.Pos)
			for _, br := range f.Branches {
				if br.GoName == "All" {
					b.errorf(f.Pos, "branch %q would be the field All of %s, which has a method All: rename the node", br.Name, f.BranchesType)
				}
			}
		}
	}
}
