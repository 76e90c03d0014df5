package spec

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/graphc/graphc/gen/diag"
)

// This file holds the walker the schema in parse.go is written with. It never
// recurses on its own: it descends only where the schema says a mapping or a
// list belongs, so nesting in the YAML costs nothing, and a self-referential
// alias is just a value of the wrong type one level down.

// YAML tags the walker tells apart.
const (
	strTag   = "!!str"
	intTag   = "!!int"
	boolTag  = "!!bool"
	nullTag  = "!!null"
	floatTag = "!!float"
	mergeTag = "!!merge"
)

// A key is one known key of a mapping of type T, with the function that
// stores its value into a T.
type key[T any] struct {
	name string
	set  func(p *parser, dst *T, e entry)
}

// An entry is one key/value pair of a mapping.
type entry struct {
	name     string     // the key's text
	key, val *yaml.Node // as written (an alias stays an alias: it is where the value is used)
}

// object reads the mapping m into dst: each pair goes to the function of its
// key in keys; any other key is reported. what names the mapping in messages.
func object[T any](p *parser, m *yaml.Node, what string, keys []key[T], dst *T) {
	p.pairs(m, what, func(e entry) {
		for _, k := range keys {
			if k.name == e.name {
				k.set(p, dst, e)
				return
			}
		}
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.name
		}
		if s := diag.Closest(e.name, names); s != "" {
			p.errorf(e.key, "unknown key %s in %s; did you mean %q?", quote(e.name), what, s)
		} else {
			p.errorf(e.key, "unknown key %s in %s; the keys are %s", quote(e.name), what, strings.Join(names, ", "))
		}
	})
}

// pairs calls yield for each pair of the mapping m whose key is a string not
// seen before in m, and reports the other keys.
func (p *parser) pairs(m *yaml.Node, what string, yield func(entry)) {
	c := m.Content
	var seen map[string]*yaml.Node // for big mappings; small ones are scanned
	for i := 0; i+1 < len(c); i += 2 {
		k := p.resolve(c[i])
		switch {
		case k.Tag == mergeTag:
			p.errorf(c[i], "merge keys (<<) are not supported in a spec; write the keys out")
			continue
		case !isString(k):
			hint := ""
			if k.Kind == yaml.ScalarNode && !isNull(k) {
				hint = " (put it in quotes)"
			}
			p.errorf(c[i], "a key in %s must be a string, got %s%s", what, describe(k), hint)
			continue
		}
		var first *yaml.Node
		if len(c) <= 16 {
			for j := 0; j < i && first == nil; j += 2 {
				if kj := deref(c[j]); isString(kj) && kj.Value == k.Value {
					first = c[j]
				}
			}
		} else {
			if seen == nil {
				seen = make(map[string]*yaml.Node, len(c)/2)
			}
			if first = seen[k.Value]; first == nil {
				seen[k.Value] = c[i]
			}
		}
		if first != nil {
			p.errorf(c[i], "duplicate key %s (first at line %d)", quote(k.Value), first.Line)
			continue
		}
		yield(entry{name: k.Value, key: c[i], val: c[i+1]})
	}
}

// resolve returns the node that v stands for, following an alias, and
// charges the visit to the budget.
func (p *parser) resolve(v *yaml.Node) *yaml.Node {
	if v.Kind == yaml.AliasNode {
		p.alias = v
	}
	if p.budget--; p.budget < 0 {
		panic(overBudget{cmp.Or(p.alias, v)})
	}
	return deref(v)
}

// deref follows v if it is an alias. yaml.v3 anchors only scalars, lists and
// mappings, so one step is enough.
func deref(v *yaml.Node) *yaml.Node {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		return v.Alias
	}
	return v
}

// mapping returns the mapping v stands for, or reports that v is not one and
// returns nil. A null v is absent (nil, no report) when nullOK.
func (p *parser) mapping(v *yaml.Node, what, want string, nullOK bool) *yaml.Node {
	r := p.resolve(v)
	switch {
	case r.Kind == yaml.MappingNode:
		return r
	case !nullOK || !isNull(r):
		p.errorf(v, "%s must be %s, got %s", what, want, describe(r))
	}
	return nil
}

// list reads the list v stands for with read, which returns an entry and
// whether it is valid, or reports that v is not a list. A null v is an empty
// list.
func list[T any](p *parser, v *yaml.Node, what string, read func(*yaml.Node) (T, bool)) []T {
	switch r := p.resolve(v); {
	case r.Kind == yaml.SequenceNode:
		out := make([]T, 0, len(r.Content))
		for _, it := range r.Content {
			if x, ok := read(it); ok {
				out = append(out, x)
			}
		}
		return out
	case !isNull(r):
		p.errorf(v, "%s must be a list, got %s", what, describe(r))
	}
	return nil
}

// strs reads a list of strings, such as node names.
func (p *parser) strs(v *yaml.Node, what string) []String {
	each := "each " + what + " entry"
	return list(p, v, what, func(it *yaml.Node) (String, bool) {
		s := p.str(it, each, true)
		return s, s.Pos.IsValid()
	})
}

// scalar returns the scalar v stands for if it has the tag; otherwise it
// reports what v should be. A null v is absent, not reported, unless required.
func (p *parser) scalar(v *yaml.Node, what, tag, want string, required bool) *yaml.Node {
	r := p.resolve(v)
	switch {
	case r.Kind == yaml.ScalarNode && r.Tag == tag:
		return r
	case required || !isNull(r):
		p.errorf(v, "%s must be %s, got %s", what, want, describe(r))
	}
	return nil
}

// str reads a string; the result has a zero Pos when there is none.
func (p *parser) str(v *yaml.Node, what string, required bool) String {
	if r := p.scalar(v, what, strTag, "a string", required); r != nil {
		return String{Value: r.Value, Pos: p.pos(v)}
	}
	return String{}
}

// int reads an integer; the result has a zero Pos when there is none.
func (p *parser) int(v *yaml.Node, what string, required bool) Int {
	r := p.scalar(v, what, intTag, "an integer", required)
	if r == nil {
		return Int{}
	}
	var i int
	if err := r.Decode(&i); err != nil {
		p.errorf(v, "%s must be an integer that fits in 64 bits, got %s", what, quote(r.Value))
		return Int{}
	}
	return Int{Value: i, Pos: p.pos(v)}
}

// count reads the value of e as an integer that must not be negative.
func (p *parser) count(e entry) Int {
	n := p.int(e.val, e.name, false)
	if n.Value < 0 {
		p.errorf(e.val, "%s must be 0 or more, got %d", e.name, n.Value)
		return Int{}
	}
	return n
}

// number reads an integer or a float; the result has a zero Pos when there is none.
func (p *parser) number(v *yaml.Node, what string) Number {
	r := p.resolve(v)
	if r.Kind != yaml.ScalarNode || r.Tag != intTag && r.Tag != floatTag {
		if !isNull(r) {
			p.errorf(v, "%s must be a number, got %s", what, describe(r))
		}
		return Number{}
	}
	var f float64
	if err := r.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.errorf(v, "%s must be a finite number, got %s", what, quote(r.Value))
		return Number{}
	}
	return Number{Value: f, Pos: p.pos(v)}
}

// bool reads a boolean.
func (p *parser) bool(v *yaml.Node, what string) Bool {
	r := p.scalar(v, what, boolTag, "true or false", false)
	if r == nil {
		return Bool{}
	}
	b, err := strconv.ParseBool(r.Value)
	if err != nil { // an explicit !!bool on something else
		p.errorf(v, "%s must be true or false, got %s", what, quote(r.Value))
		return Bool{}
	}
	return Bool{Value: b, Pos: p.pos(v)}
}

func isString(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == strTag }
func isNull(n *yaml.Node) bool   { return n.Kind == yaml.ScalarNode && n.Tag == nullTag }

// describe says what n is, for messages of the form "must be X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
	default:
		return "an unresolved alias"
	}
	var kind string
	switch n.Tag {
	case strTag:
		return "string " + quote(n.Value)
	case nullTag:
		if n.Value == "" {
			return "nothing"
		}
		return "null"
	case intTag:
		kind = "integer"
	case boolTag:
		kind = "boolean"
	case "!!float":
		kind = "number"
	case "!!timestamp":
		kind = "timestamp"
	default:
		return n.Tag + " " + quote(n.Value)
	}
	if q := quote(n.Value); q[1:len(q)-1] == n.Value {
		return kind + " " + n.Value // plain enough to show unquoted
	}
	return kind + " " + quote(n.Value)
}

// quote quotes s for a message, cutting it short if it is long: messages stay
// one line and small whatever the spec holds.
func quote(s string) string {
	const limit = 40
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
