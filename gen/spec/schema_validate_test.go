package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// compileSchema compiles schema.json with a real JSON Schema validator.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://graphc.dev/schema/graph-v1.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	return sch
}

// instance decodes a YAML spec to the JSON values an editor's YAML support
// hands a JSON Schema validator.
func instance(src []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, err
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(js))
}

// schemaErrors validates src and returns the validator's leaf errors, one
// "instance location: message" each, or nil when src is valid.
func schemaErrors(t *testing.T, sch *jsonschema.Schema, src []byte) []string {
	t.Helper()
	v, err := instance(src)
	if err != nil {
		return []string{"cannot decode: " + err.Error()}
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("validate: %v", err)
	}
	var out []string
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.Contains, *kind.MinContains, *kind.MaxContains:
			// The items that do not match say nothing more.
			out = append(out, strings.SplitN(e.Error(), "\n", 2)[0])
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, e.Error())
		}
		for _, c := range e.Causes {
			leaves(c)
		}
	}
	leaves(ve)
	slices.Sort(out)
	return slices.Compact(out) // one problem can fail two schemas the same way
}

// beyondSchema lists the invalid specs of testdata/check that a JSON Schema
// cannot refuse, each with the reason; graphc itself refuses them all.
var beyondSchema = map[string]string{
	// Not JSON: the YAML layer (yaml.v3 here, an editor's YAML parser
	// there) refuses them before a schema sees a value.
	"alias_bomb":    "YAML: aliases that expand past the decoder's limit",
	"duplicate_key": "YAML: a key twice in one mapping",
	"yaml_syntax":   "YAML: malformed text",

	// What a name refers to: a schema checks values one at a time, and
	// cannot look a node up among those the nodes list declares.
	"unknown_source":      "an edge from a node that is not declared",
	"unknown_target":      "an edge to a node that is not declared",
	"fan_in_not_marked":   "fan_in names a node not marked fan_in: true",
	"fan_in_without_fork": "a node marked fan_in: true that no parallel edge fans in at",

	// Several edges together: uniqueItems compares whole items, not one key
	// across items.
	"two_kinds_of_edges": "two edges from one node, of different kinds",
	"two_plain_edges":    "two plain edges from one node",

	// The graph's paths, forks and loops.
	"branch_reaches_end":          "a branch that reaches __end__",
	"branch_reaches_other_fan_in": "a branch that reaches another fork's fan-in",
	"branch_without_edge":         "a node in a branch with no outgoing edge",
	"cannot_reach_end":            "a loop with no exit",
	"fan_in_by_choice":            "a fan-in reached by a conditional edge",
	"fan_in_reached_outside_fork": "a fan-in reached from outside its fork",
	"forks_not_nested":            "forks whose branches overlap",
	"interrupt_in_branch":         "an interrupt on a node inside a branch",
	"interrupt_before_fan_in":     "an interrupt before a node that is a fan-in",
	"no_outgoing_edge":            "a node with no outgoing edge",
	"plain_cycle":                 "a cycle of plain edges",
	"shared_join":                 "two forks sharing a fan-in",
	"map_escapes":                 "a map's per-item flow that reaches __end__ or another fork's fan-in",
	"map_fork_inside":             "a fork inside a map's per-item flow",
	"map_reachable_from_main":     "a map's item-flow node also reached from the main flow, and an interrupt on it",
	"unreachable":                 "a node no path reaches",

	// The Go code: names derived from the spec's, and the package's types.
	"camelcase_collision":  "two node names with one CamelCase form",
	"identifier_collision": "generated Go identifiers that collide",
	"method_collision":     "a generated method name taken twice",
	"state_type_shadowed":  "a state type name the generated code shadows",
	"state_type_result":    "a state type named like the flows' error result",
}

// TestSchemaValidatesSpecs runs a real JSON Schema validator on every spec of
// the repository: every spec graphc accepts validates; every spec graphc
// refuses is refused too, unless it is listed in beyondSchema, and then it
// must validate (so that the list stays true). The errors name the key at
// fault: never a bare "oneOf failed".
func TestSchemaValidatesSpecs(t *testing.T) {
	sch := compileSchema(t)
	valid := []string{"../../testdata/spec/*.yaml", "../../testdata/check/ok_*.graph.yaml", "../../examples/*/*.graph.yaml", "../../examples/*/*/*.graph.yaml"}
	n := 0
	for _, pat := range valid {
		specs, _ := filepath.Glob(pat)
		for _, p := range specs {
			n++
			if errs := schemaErrors(t, sch, readFile(t, p)); errs != nil {
				t.Errorf("%s is valid, but the schema says:\n  %s", p, strings.Join(errs, "\n  "))
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d valid specs found", n)
	}

	specs, _ := filepath.Glob("../../testdata/check/*.graph.yaml")
	refused := 0
	for _, p := range specs {
		name := strings.TrimSuffix(filepath.Base(p), ".graph.yaml")
		if strings.HasPrefix(name, "ok_") {
			continue
		}
		errs := schemaErrors(t, sch, readFile(t, p))
		reason, beyond := beyondSchema[name]
		switch {
		case beyond && strings.HasPrefix(reason, "YAML: "):
			if len(errs) != 1 || !strings.HasPrefix(errs[0], "cannot decode") {
				t.Errorf("%s: listed as not YAML (%s), but it decodes: %v", name, reason, errs)
			}
		case beyond && errs != nil:
			t.Errorf("%s: the schema refuses it now; remove it from beyondSchema:\n  %s", name, strings.Join(errs, "\n  "))
		case !beyond && errs == nil:
			t.Errorf("%s: graphc refuses it, the schema accepts it: refuse it in schema.json, or list it in beyondSchema with the reason", name)
		case !beyond:
			refused++
			for _, e := range errs {
				if strings.Contains(e, "oneOf") || strings.Contains(e, "validation failed") || strings.HasPrefix(e, "cannot decode") {
					t.Errorf("%s: imprecise error %q", name, e)
				}
			}
		}
	}
	for name := range beyondSchema {
		if !slices.Contains(specs, "../../testdata/check/"+name+".graph.yaml") {
			t.Errorf("beyondSchema lists %s, which testdata/check does not hold", name)
		}
	}
	t.Logf("%d invalid specs refused by the schema, %d beyond it", refused, len(beyondSchema))
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestSchemaErrors checks the errors a validator gives for the mistakes the
// schema is built to catch, each at the key to edit.
func TestSchemaErrors(t *testing.T) {
	sch := compileSchema(t)
	const head = "version: 1\ngraph: G\nstate: S\nnodes: [a, b, {name: j, fan_in: true}]\n"
	const entry = "edges:\n  - {from: __start__, to: a}\n"
	for _, tt := range []struct {
		name, src string
		want      []string
	}{
		{"valid", head + entry + "  - {from: a, parallel: [b, a], fan_in: j}\n  - {from: j, when: {again: a, done: __end__}}\n", nil},
		{"unknown edge key", head + entry + "  - {from: a, to: b, lable: x}\n", []string{
			`at '/edges/1': additional properties 'lable' not allowed`,
		}},
		{"unknown node key", head + entry + "  - {from: a, to: b}\n" + "config: {max_step: 3}\n", []string{
			`at '/config': additional properties 'max_step' not allowed`,
		}},
		{"two kinds in one edge", head + entry + "  - {from: a, to: b, when: {x: b}}\n", []string{
			`at '/edges/1': additional properties 'to' not allowed`,
			`at '/edges/1': additional properties 'when' not allowed`,
		}},
		{"no kind", head + entry + "  - {from: a}\n", []string{
			`at '/edges/1': missing property 'map'`,
			`at '/edges/1': missing property 'parallel'`,
			`at '/edges/1': missing property 'to'`,
			`at '/edges/1': missing property 'when'`,
		}},
		{"fan_in without parallel", head + entry + "  - {from: a, to: b, fan_in: j}\n", []string{
			`at '/edges/1': additional properties 'fan_in' not allowed`,
			`at '/edges/1': missing property 'parallel'`,
		}},
		{"parallel without fan_in", head + entry + "  - {from: a, parallel: [a, b]}\n", []string{
			`at '/edges/1': missing property 'fan_in'`,
		}},
		{"one branch", head + entry + "  - {from: a, parallel: [b], fan_in: j}\n", []string{
			`at '/edges/1/parallel': minItems: got 1, want 2`,
		}},
		{"conditional edge from __start__", head + "edges:\n  - {from: __start__, when: {x: a}}\n", []string{
			`at '/edges/0/from': '__start__' does not match pattern '^[a-z][a-z0-9_]*$'`,
		}},
		{"parallel edge from __start__", head + "edges:\n  - {from: __start__, parallel: [a, b], fan_in: j}\n", []string{
			`at '/edges/0/from': '__start__' does not match pattern '^[a-z][a-z0-9_]*$'`,
		}},
		{"entry edge to __end__", head + "edges:\n  - {from: __start__, to: __end__}\n", []string{
			`at '/edges/0/to': '__end__' does not match pattern '^[a-z][a-z0-9_]*$'`,
		}},
		{"no entry edge", head + "edges:\n  - {from: a, to: __end__}\n", []string{
			`at '/edges': min 1 items required to match contains schema, but none matched`,
		}},
		{"interrupt twice", head + entry + "config: {interrupt_before: [a, a]}\n", []string{
			`at '/config/interrupt_before': items at 0 and 1 are equal`,
		}},
		{"package keyword", "package: func\n" + head + entry, []string{
			`at '/package': 'not' failed`,
		}},
		{"node name twice", "version: 1\ngraph: G\nstate: S\nnodes: [a, a]\n" + entry, []string{
			`at '/nodes': items at 0 and 1 are equal`,
		}},
		{"state of the wrong kind", "version: 1\ngraph: G\nstate: [S]\nnodes: [a]\n" + entry, []string{
			`at '/state': got array, want object`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := schemaErrors(t, sch, []byte(tt.src)); !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}
