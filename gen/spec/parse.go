package spec

import (
	"bytes"
	"errors"
	"io"
	"slices"

	"github.com/graphc/graphc/gen/diag"
	"go.yaml.in/yaml/v3"
)

// Parse reads the spec src; path names it in every position. It reports all
// the problems it finds, sorted by position. The File is nil only when src is
// not well-formed YAML; otherwise it holds every value that could be read, a
// value of the wrong type being left zero (as if absent).
//
// Parse checks the shape of the document only: one YAML document holding a
// mapping, known keys (each at most once), values of the right types, version
// 1. Anchors and aliases are followed, within a budget proportional to the
// size of src, so that no input makes Parse slow or hungry.
func Parse(path string, src []byte) (*File, diag.List) {
	p := &parser{path: path, budget: 100_000 + 4*len(src)}
	root, ok := p.decode(src)
	if !ok {
		return nil, p.diags.Sort()
	}
	f := &File{Path: path}
	if root == nil || isNull(root) && root.Value == "" {
		p.diags.Add(Pos{File: path, Line: 1, Col: 1}, "empty spec: expected a mapping with version, graph, state, nodes and edges")
		return f, p.diags.Sort()
	}
	if !p.walk(func() { p.file(root, f) }) {
		*f = File{Path: path, Pos: f.Pos} // let the expansion go
	}
	return f, p.diags.Sort()
}

// parser holds the state of one Parse.
type parser struct {
	path   string
	diags  diag.List
	budget int        // nodes that may still be visited before aliases count as a bomb
	alias  *yaml.Node // the alias followed last: where a bomb goes off
}

// overBudget is the panic value that stops a walk whose aliases expand past
// the budget; walk recovers it. at is the last alias followed.
type overBudget struct{ at *yaml.Node }

// walk runs fn, which reads the document. If fn runs out of budget, walk
// replaces every diagnostic with one that says so (the others would be
// noise) and reports false.
func (p *parser) walk(fn func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			b, isBudget := r.(overBudget)
			if !isBudget {
				panic(r)
			}
			p.diags = nil
			p.errorf(b.at, "the spec's aliases expand to too many values (alias bomb?)")
			ok = false
		}
	}()
	fn()
	return true
}

// decode parses src as YAML and returns the content of its first document, or
// nil when src holds no document. It reports false, with a diagnostic, when
// src is not well-formed YAML.
func (p *parser) decode(src []byte) (root *yaml.Node, ok bool) {
	defer func() {
		// yaml.v3 turns its own failures into errors; any other panic is a
		// bug in it, which must not take the caller down.
		if r := recover(); r != nil {
			p.diags = nil
			p.diags.Add(Pos{File: p.path, Line: 1, Col: 1}, "cannot parse the YAML: %v", r)
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, true
	} else if err != nil {
		p.syntaxError(err, src)
		return nil, false
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		p.errorf(&next, "a spec is a single YAML document: remove this second one (or the --- that starts it)")
	} else if !errors.Is(err, io.EOF) {
		p.syntaxError(err, src)
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	return doc.Content[0], true
}

// pos is where n stands in the spec.
func (p *parser) pos(n *yaml.Node) Pos {
	return Pos{File: p.path, Line: n.Line, Col: n.Column}
}

// errorf reports a problem at n.
func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.diags.Add(p.pos(n), format, args...)
}

// The mappings of a spec: each known key with what to do with its value.

func (p *parser) file(n *yaml.Node, f *File) {
	f.Pos = p.pos(n)
	m := p.mapping(n, "the spec", "a mapping with version, graph, state, nodes and edges", false)
	if m == nil {
		return
	}
	object(p, m, "spec", fileKeys, f)
	if !f.Version.Pos.IsValid() && !hasKey(m, "version") {
		p.errorf(n, "missing version: add `version: 1` at the top of the spec")
	}
}

// hasKey reports whether the mapping m has the key name.
func hasKey(m *yaml.Node, name string) bool {
	for i := 0; i < len(m.Content); i += 2 {
		if k := deref(m.Content[i]); isString(k) && k.Value == name {
			return true
		}
	}
	return false
}

var fileKeys = []key[File]{
	{"version", func(p *parser, f *File, e entry) {
		if f.Version = p.int(e.val, e.name, true); f.Version.Pos.IsValid() && f.Version.Value != 1 {
			p.errorf(e.val, "unsupported version %d: this graphc reads version 1", f.Version.Value)
		}
	}},
	{"graph", func(p *parser, f *File, e entry) { f.Graph = p.str(e.val, e.name, false) }},
	{"package", func(p *parser, f *File, e entry) { f.Package = p.str(e.val, e.name, false) }},
	{"doc", func(p *parser, f *File, e entry) { f.Doc = p.str(e.val, e.name, false) }},
	{"state", func(p *parser, f *File, e entry) { p.state(e.val, &f.State) }},
	{"config", func(p *parser, f *File, e entry) {
		if m := p.mapping(e.val, e.name, "a mapping", true); m != nil {
			f.Config.Pos = p.pos(e.val)
			object(p, m, "config", configKeys, &f.Config)
		}
	}},
	{"nodes", func(p *parser, f *File, e entry) { f.Nodes = list(p, e.val, e.name, p.node) }},
	{"edges", func(p *parser, f *File, e entry) { f.Edges = list(p, e.val, e.name, p.edge) }},
}

// state reads the value of the state key: a type name, or a mapping that
// declares the type inline.
func (p *parser) state(v *yaml.Node, s *State) {
	switch r := p.resolve(v); {
	case r.Kind == yaml.MappingNode:
		*s = State{Pos: p.pos(v), Inline: true}
		object(p, r, "state", stateKeys, s)
	case isString(r):
		*s = State{Pos: p.pos(v), Type: String{Value: r.Value, Pos: p.pos(v)}}
	case !isNull(r):
		p.errorf(v, "state must be a type name or a mapping with type and fields, got %s", describe(r))
	}
}

var stateKeys = []key[State]{
	{"type", func(p *parser, s *State, e entry) { s.Type = p.str(e.val, e.name, true) }},
	{"fields", func(p *parser, s *State, e entry) { s.Fields = list(p, e.val, e.name, p.field) }},
}

// field reads one entry of the fields list of an inline state.
func (p *parser) field(v *yaml.Node) (Field, bool) {
	fd := Field{Pos: p.pos(v)}
	m := p.mapping(v, "each state field", "a mapping with name and type", false)
	if m != nil {
		object(p, m, "state field", fieldKeys, &fd)
	}
	return fd, m != nil
}

var fieldKeys = []key[Field]{
	{"name", func(p *parser, f *Field, e entry) { f.Name = p.str(e.val, e.name, true) }},
	{"type", func(p *parser, f *Field, e entry) { f.Type = p.str(e.val, e.name, true) }},
	{"doc", func(p *parser, f *Field, e entry) { f.Doc = p.str(e.val, e.name, false) }},
}

var configKeys = []key[Config]{
	{"max_workers", func(p *parser, c *Config, e entry) { c.MaxWorkers = p.count(e) }},
	{"max_steps", func(p *parser, c *Config, e entry) { c.MaxSteps = p.count(e) }},
	{"on_branch_error", func(p *parser, c *Config, e entry) { c.OnBranchError = p.str(e.val, e.name, false) }},
	{"interrupt_before", func(p *parser, c *Config, e entry) { c.InterruptBefore = p.strs(e.val, e.name) }},
	{"interrupt_after", func(p *parser, c *Config, e entry) { c.InterruptAfter = p.strs(e.val, e.name) }},
	{"retry", func(p *parser, c *Config, e entry) { c.Retry = p.retry(e) }},
	{"checkpoints", func(p *parser, c *Config, e entry) { c.Checkpoints = p.bool(e.val, e.name) }},
}

// node reads one entry of the nodes list: a mapping, or a bare name.
func (p *parser) node(v *yaml.Node) (Node, bool) {
	n := Node{Pos: p.pos(v)}
	switch r := p.resolve(v); {
	case r.Kind == yaml.MappingNode:
		object(p, r, "node", nodeKeys, &n)
	case isString(r):
		n.Name = String{Value: r.Value, Pos: n.Pos}
	default:
		p.errorf(v, "each node must be a name or a mapping with a name, got %s", describe(r))
		return n, false
	}
	return n, true
}

var nodeKeys = []key[Node]{
	{"name", func(p *parser, n *Node, e entry) { n.Name = p.str(e.val, e.name, true) }},
	{"doc", func(p *parser, n *Node, e entry) { n.Doc = p.str(e.val, e.name, false) }},
	{"fan_in", func(p *parser, n *Node, e entry) { n.FanIn = p.bool(e.val, e.name) }},
	{"retry", func(p *parser, n *Node, e entry) { n.Retry = p.retry(e) }},
	{"timeout", func(p *parser, n *Node, e entry) { n.Timeout = p.str(e.val, e.name, false) }},
}

// retry reads a retry mapping; nil when it is absent or not a mapping.
// Durations stay strings here: package graph parses and checks them.
func (p *parser) retry(e entry) *Retry {
	m := p.mapping(e.val, e.name, "a mapping with attempts, initial, backoff, max, jitter and panics", true)
	if m == nil {
		return nil
	}
	r := &Retry{Pos: p.pos(e.val)}
	object(p, m, "retry", retryKeys, r)
	return r
}

var retryKeys = []key[Retry]{
	{"attempts", func(p *parser, r *Retry, e entry) { r.Attempts = p.int(e.val, e.name, false) }},
	{"initial", func(p *parser, r *Retry, e entry) { r.Initial = p.str(e.val, e.name, false) }},
	{"backoff", func(p *parser, r *Retry, e entry) { r.Backoff = p.number(e.val, e.name) }},
	{"max", func(p *parser, r *Retry, e entry) { r.Max = p.str(e.val, e.name, false) }},
	{"jitter", func(p *parser, r *Retry, e entry) { r.Jitter = p.bool(e.val, e.name) }},
	{"panics", func(p *parser, r *Retry, e entry) { r.Panics = p.bool(e.val, e.name) }},
}

// edge reads one entry of the edges list.
func (p *parser) edge(v *yaml.Node) (Edge, bool) {
	ed := Edge{Pos: p.pos(v)}
	m := p.mapping(v, "each edge", "a mapping with from and one of to, when or parallel", false)
	if m != nil {
		object(p, m, "edge", edgeKeys, &ed)
	}
	return ed, m != nil
}

var edgeKeys = []key[Edge]{
	{"from", func(p *parser, ed *Edge, e entry) { ed.From = p.str(e.val, e.name, true) }},
	{"to", func(p *parser, ed *Edge, e entry) { ed.To = p.str(e.val, e.name, true) }},
	{"when", func(p *parser, ed *Edge, e entry) {
		ed.WhenPos = p.pos(e.key)
		if m := p.mapping(e.val, e.name, "a mapping from label to target node", true); m != nil {
			ed.When = slices.Grow(ed.When, len(m.Content)/2)
			p.pairs(m, "when", func(c entry) {
				what := "a target" // spelled out only when needed: a spec may have many
				if !isString(deref(c.val)) {
					what = "the target of " + quote(c.name)
				}
				if t := p.str(c.val, what, true); t.Pos.IsValid() {
					ed.When = append(ed.When, Case{Label: String{Value: c.name, Pos: p.pos(c.key)}, Target: t})
				}
			})
		}
	}},
	{"parallel", func(p *parser, ed *Edge, e entry) {
		ed.ParallelPos = p.pos(e.key)
		ed.Parallel = p.strs(e.val, e.name)
	}},
	{"fan_in", func(p *parser, ed *Edge, e entry) { ed.FanIn = p.str(e.val, e.name, false) }},
	{"select", func(p *parser, ed *Edge, e entry) { ed.Select = p.bool(e.val, e.name) }},
	{"map", func(p *parser, ed *Edge, e entry) {
		m := p.mapping(e.val, e.name, "a mapping with over (or items), to, fan_in and max_items", false)
		if m == nil {
			return
		}
		ed.Map = &Map{Pos: p.pos(e.key)}
		object(p, m, "map", mapKeys, ed.Map)
	}},
}

var mapKeys = []key[Map]{
	{"over", func(p *parser, m *Map, e entry) { m.Over = p.str(e.val, e.name, true) }},
	{"items", func(p *parser, m *Map, e entry) { m.Items = p.str(e.val, e.name, true) }},
	{"to", func(p *parser, m *Map, e entry) { m.To = p.str(e.val, e.name, true) }},
	{"fan_in", func(p *parser, m *Map, e entry) { m.FanIn = p.str(e.val, e.name, true) }},
	{"max_items", func(p *parser, m *Map, e entry) { m.MaxItems = p.int(e.val, e.name, false) }},
}
