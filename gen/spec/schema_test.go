package spec

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// schemaWalker reads the decoded schema: it follows local $refs, the
// oneOf/anyOf/allOf alternatives and the then/else of conditions to the
// object schemas a value may match.
type schemaWalker struct {
	t    *testing.T
	root map[string]any
}

func newSchemaWalker(t *testing.T) *schemaWalker {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(Schema(), &root); err != nil {
		t.Fatalf("schema.json is not valid JSON: %v", err)
	}
	return &schemaWalker{t: t, root: root}
}

// resolve follows $ref chains ("#/$defs/name") from s.
func (w *schemaWalker) resolve(s map[string]any) map[string]any {
	w.t.Helper()
	for range 10 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			w.t.Fatalf("$ref %q is not local to $defs", ref)
		}
		defs, _ := w.root["$defs"].(map[string]any)
		next, ok := defs[name].(map[string]any)
		if !ok {
			w.t.Fatalf("$ref %q leads nowhere", ref)
		}
		s = next
	}
	w.t.Fatal("$ref chain too long")
	return nil
}

// alternatives returns s and, recursively, the schemas of its oneOf, anyOf
// and allOf and its then and else, all resolved.
func (w *schemaWalker) alternatives(s map[string]any) []map[string]any {
	w.t.Helper()
	s = w.resolve(s)
	out := []map[string]any{s}
	for _, key := range []string{"oneOf", "anyOf", "allOf"} {
		list, _ := s[key].([]any)
		for _, alt := range list {
			out = append(out, w.alternatives(alt.(map[string]any))...)
		}
	}
	for _, key := range []string{"then", "else"} {
		if sub, ok := s[key].(map[string]any); ok {
			out = append(out, w.alternatives(sub)...)
		}
	}
	return out
}

// objects returns the object schemas (those with properties) s stands for.
func (w *schemaWalker) objects(s map[string]any) []map[string]any {
	w.t.Helper()
	var out []map[string]any
	for _, alt := range w.alternatives(s) {
		if _, ok := alt["properties"]; ok {
			out = append(out, alt)
		}
	}
	return out
}

// props returns the properties of every object schema s stands for.
func (w *schemaWalker) props(s map[string]any) map[string]map[string]any {
	w.t.Helper()
	out := map[string]map[string]any{}
	for _, obj := range w.objects(s) {
		for k, v := range obj["properties"].(map[string]any) {
			// A kind's schema refines a key with true (any value) or
			// with a narrower schema; the edge schema describes it.
			m, _ := v.(map[string]any)
			if prev, seen := out[k]; !seen || prev["description"] == nil && m["description"] != nil {
				out[k] = m
			}
		}
	}
	return out
}

// items returns the item schema of the array schema s stands for.
func (w *schemaWalker) items(s map[string]any) map[string]any {
	w.t.Helper()
	for _, alt := range w.alternatives(s) {
		if it, ok := alt["items"].(map[string]any); ok {
			return it
		}
	}
	w.t.Fatalf("no array schema in %v", s)
	return nil
}

// prop returns the property key of the object s stands for.
func (w *schemaWalker) prop(s map[string]any, key string) map[string]any {
	w.t.Helper()
	p, ok := w.props(s)[key]
	if !ok {
		w.t.Fatalf("no property %q", key)
	}
	return p
}

// pattern returns the compiled pattern of the string schema s stands for.
func (w *schemaWalker) pattern(s map[string]any) *regexp.Regexp {
	w.t.Helper()
	for _, alt := range w.alternatives(s) {
		if p, ok := alt["pattern"].(string); ok {
			return regexp.MustCompile(p)
		}
	}
	w.t.Fatalf("no pattern in %v", s)
	return nil
}

// TestSchemaKeys checks that every key of the spec format, and no other,
// appears in the schema under the object it belongs to.
func TestSchemaKeys(t *testing.T) {
	w := newSchemaWalker(t)
	top := w.root
	state := w.prop(top, "state")
	nodes := w.prop(top, "nodes")
	edges := w.prop(top, "edges")
	for _, c := range []struct {
		what   string
		schema map[string]any
		keys   []string
	}{
		{"top level", top, []string{"version", "graph", "package", "doc", "state", "config", "nodes", "edges"}},
		{"state", state, []string{"type", "fields"}},
		{"state field", w.items(w.prop(state, "fields")), []string{"name", "type", "doc"}},
		{"config", w.prop(top, "config"), []string{"max_workers", "max_steps", "on_branch_error", "interrupt_before", "interrupt_after", "retry", "checkpoints"}},
		{"config retry", w.prop(w.prop(top, "config"), "retry"), []string{"attempts", "initial", "backoff", "max", "jitter", "panics"}},
		{"node", w.items(nodes), []string{"name", "doc", "fan_in", "retry", "timeout"}},
		{"node retry", w.prop(w.items(nodes), "retry"), []string{"attempts", "initial", "backoff", "max", "jitter", "panics"}},
		{"edge", w.items(edges), []string{"from", "to", "when", "parallel", "fan_in", "select", "map"}},
		{"map", w.prop(w.items(edges), "map"), []string{"over", "items", "to", "fan_in", "max_items"}},
	} {
		got := slices.Sorted(maps.Keys(w.props(c.schema)))
		want := slices.Sorted(slices.Values(c.keys))
		if !slices.Equal(got, want) {
			t.Errorf("%s: schema keys %v, want %v", c.what, got, want)
		}
		for key, p := range w.props(c.schema) {
			if d, _ := p["description"].(string); d == "" {
				if d, _ = w.resolve(p)["description"].(string); d == "" {
					t.Errorf("%s: key %q has no description", c.what, key)
				}
			}
		}
	}
}

// TestSchemaStrict checks the header and that every object schema refuses
// unknown keys, as graphc does. Conditions (if, contains) and the
// refinements of an if (then, else) are exempt: they apply alongside a
// schema that refuses them.
func TestSchemaStrict(t *testing.T) {
	w := newSchemaWalker(t)
	for key, want := range map[string]string{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://graphc.dev/schema/graph-v1.json",
	} {
		if got := w.root[key]; got != want {
			t.Errorf("%s = %v, want %q", key, got, want)
		}
	}
	if title, _ := w.root["title"].(string); title == "" {
		t.Error("no title")
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			last := path[strings.LastIndex(path, "/")+1:]
			exempt := last == "if" || last == "then" || last == "else" || last == "contains"
			if _, ok := v["properties"]; ok && v["additionalProperties"] != false && !exempt {
				t.Errorf("%s: object schema without additionalProperties: false", path)
			}
			for k, x := range v {
				walk(path+"/"+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"/[]", x)
			}
		}
	}
	walk("#", w.root)
}

// TestSchemaValues checks the constraints on values: the version, the
// enums, the name patterns and the three kinds of edge.
func TestSchemaValues(t *testing.T) {
	w := newSchemaWalker(t)
	if v := w.prop(w.root, "version")["const"]; v != float64(1) {
		t.Errorf("version const = %v, want 1", v)
	}
	config := w.prop(w.root, "config")
	if got := w.prop(config, "on_branch_error")["enum"]; !slices.Equal(toStrings(got), []string{"cancel", "wait"}) {
		t.Errorf("on_branch_error enum = %v", got)
	}

	// The edge kinds: each key of a kind picks, by if/then, the schema of
	// that kind, which allows only its own keys.
	defs := w.root["$defs"].(map[string]any)
	edge := w.resolve(w.items(w.prop(w.root, "edges")))
	kinds := map[string]string{}
	for _, c := range edge["allOf"].([]any) {
		c := c.(map[string]any)
		req := toStrings(c["if"].(map[string]any)["required"])
		if ref, ok := c["then"].(map[string]any)["$ref"].(string); ok && len(req) == 1 {
			kinds[req[0]] = ref
		}
	}
	wantKinds := map[string]string{"to": "#/$defs/plainEdge", "when": "#/$defs/conditionalEdge", "parallel": "#/$defs/parallelEdge", "map": "#/$defs/mapEdge"}
	if !maps.Equal(kinds, wantKinds) {
		t.Errorf("edge kinds %v, want %v", kinds, wantKinds)
	}
	for name, keys := range map[string][]string{"plainEdge": {"from", "to"}, "conditionalEdge": {"from", "when"}, "parallelEdge": {"fan_in", "from", "parallel", "select"}, "mapEdge": {"from", "map"}} {
		kind := defs[name].(map[string]any)
		if got := slices.Sorted(maps.Keys(kind["properties"].(map[string]any))); !slices.Equal(got, keys) || kind["additionalProperties"] != false {
			t.Errorf("%s allows %v (additionalProperties %v), want only %v", name, got, kind["additionalProperties"], keys)
		}
	}

	// graphc refuses a fork of one branch (single_branch.graph.yaml).
	if n := w.prop(edge, "parallel")["minItems"]; n != float64(2) {
		t.Errorf("parallel minItems = %v, want 2", n)
	}

	plain, cond, par := edge, edge, edge
	when := w.prop(cond, "when")
	labels, _ := when["propertyNames"].(map[string]any)
	for _, c := range []struct {
		what   string
		re     *regexp.Regexp
		ok, no []string
	}{
		{"node name", w.pattern(w.items(w.prop(w.root, "nodes"))), []string{"plan", "search_web", "step_2", "end"}, []string{"Plan", "_x", "2a", "search-web", "__start__", "__end__", ""}},
		{"node key name", w.pattern(w.prop(w.items(w.prop(w.root, "nodes")), "name")), []string{"plan"}, []string{"__end__"}},
		{"from", w.pattern(w.prop(plain, "from")), []string{"plan", "__start__"}, []string{"__end__", "Plan"}},
		{"to", w.pattern(w.prop(plain, "to")), []string{"plan", "__end__"}, []string{"__start__", "Plan"}},
		{"when target", w.pattern(when["additionalProperties"].(map[string]any)), []string{"plan", "__end__"}, []string{"__start__"}},
		{"when label", w.pattern(labels), []string{"revise", "done_2"}, []string{"Revise", "__end__", "a-b"}},
		{"interrupt", w.pattern(w.items(w.prop(config, "interrupt_before"))), []string{"plan"}, []string{"__start__"}},
		{"parallel", w.pattern(w.items(w.prop(par, "parallel"))), []string{"search_web"}, []string{"__end__"}},
		{"fork source", w.pattern(defs["parallelEdge"].(map[string]any)["properties"].(map[string]any)["from"].(map[string]any)), []string{"plan"}, []string{"__start__"}},
		{"graph", w.pattern(w.prop(w.root, "graph")), []string{"Research", "R2"}, []string{"research", "_R", "My-Graph"}},
		{"timeout", w.pattern(w.prop(w.items(w.prop(w.root, "nodes")), "timeout")), []string{"20s", "200ms", "1m30s", "1.5h", "10µs"}, []string{"20", "-1s", "s", "20 s", "1d", ""}},
	} {
		for _, s := range c.ok {
			if !c.re.MatchString(s) {
				t.Errorf("%s pattern %s refuses %q", c.what, c.re, s)
			}
		}
		for _, s := range c.no {
			if c.re.MatchString(s) {
				t.Errorf("%s pattern %s accepts %q", c.what, c.re, s)
			}
		}
	}

	// state is a type name or an inline declaration.
	var stateKinds []string
	for _, alt := range w.alternatives(w.prop(w.root, "state"))[1:] {
		stateKinds = append(stateKinds, alt["type"].(string))
	}
	if !slices.Equal(stateKinds, []string{"string", "object"}) {
		t.Errorf("state alternatives %v, want string and object", stateKinds)
	}
}

func TestSchemaCopy(t *testing.T) {
	a := Schema()
	a[0] = 'x'
	if b := Schema(); b[0] != '{' || bytes.Equal(a, b) {
		t.Error("Schema returns a slice its caller can corrupt")
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, x := range list {
		out[i], _ = x.(string)
	}
	return out
}
