package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/graphc/graphc/gen/diag"
	"go.yaml.in/yaml/v3"
)

// render turns diagnostics into the lines a user sees.
func render(l diag.List) []string {
	out := make([]string, len(l))
	for i, d := range l {
		out[i] = d.String()
	}
	return out
}

func TestParseDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		// The document as a whole.
		{"empty", "", []string{"g.yaml:1:1: empty spec: expected a mapping with version, graph, state, nodes and edges"}},
		{"comments only", "# nothing\n\n# here\n", []string{"g.yaml:1:1: empty spec: expected a mapping with version, graph, state, nodes and edges"}},
		{"bare document marker", "---\n", []string{"g.yaml:1:1: empty spec: expected a mapping with version, graph, state, nodes and edges"}},
		{"top-level list", "- a\n- b\n", []string{"g.yaml:1:1: the spec must be a mapping with version, graph, state, nodes and edges, got a list"}},
		{"top-level scalar", "hello\n", []string{`g.yaml:1:1: the spec must be a mapping with version, graph, state, nodes and edges, got string "hello"`}},
		{"top-level null", "~\n", []string{"g.yaml:1:1: the spec must be a mapping with version, graph, state, nodes and edges, got null"}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"g.yaml:2:1: a spec is a single YAML document: remove this second one (or the --- that starts it)"}},
		{"syntax error in second document", "version: 1\n---\nversion: [\n", []string{"g.yaml:3:10: this [ is never closed: add the ] that ends it"}},

		// Version.
		{"missing version", "graph: G\n", []string{"g.yaml:1:1: missing version: add `version: 1` at the top of the spec"}},
		{"unsupported version", "version: 2\n", []string{"g.yaml:1:10: unsupported version 2: this graphc reads version 1"}},
		{"version as string", "version: one\n", []string{`g.yaml:1:10: version must be an integer, got string "one"`}},
		{"version as float", "version: 1.0\n", []string{"g.yaml:1:10: version must be an integer, got number 1.0"}},
		{"version null", "version:\n", []string{"g.yaml:1:9: version must be an integer, got nothing"}},

		// Keys.
		{"unknown key, close", "version: 1\nnodes:\n  - name: a\n    fanin: true\n", []string{`g.yaml:4:5: unknown key "fanin" in node; did you mean "fan_in"?`}},
		{"unknown key, transposed", "version: 1\nedges:\n  - {form: a, to: b}\n", []string{`g.yaml:3:6: unknown key "form" in edge; did you mean "from"?`}},
		{"unknown key, far", "version: 1\nzzz: 1\n", []string{`g.yaml:2:1: unknown key "zzz" in spec; the keys are version, graph, package, doc, state, config, nodes, edges`}},
		{"unknown config key", "version: 1\nconfig:\n  max_worker: 2\n", []string{`g.yaml:3:3: unknown key "max_worker" in config; did you mean "max_workers"?`}},
		{"duplicate top-level key", "version: 1\nnodes: []\ngraph: G\nnodes: []\n", []string{`g.yaml:4:1: duplicate key "nodes" (first at line 2)`}},
		{"duplicate key in flow mapping", "version: 1\nedges: [{from: a, to: b, to: c}]\n", []string{`g.yaml:2:26: duplicate key "to" (first at line 2)`}},
		{"duplicate when label", "version: 1\nedges:\n  - from: a\n    when:\n      x: b\n      y: c\n      x: d\n", []string{`g.yaml:7:7: duplicate key "x" (first at line 5)`}},
		{"integer key", "version: 1\nnodes:\n  - {name: a, 1: b}\n", []string{`g.yaml:3:15: a key in node must be a string, got integer 1 (put it in quotes)`}},
		{"boolean label", "version: 1\nedges:\n  - from: a\n    when: {true: b}\n", []string{`g.yaml:4:12: a key in when must be a string, got boolean true (put it in quotes)`}},
		{"list key", "version: 1\n? [a]\n: b\n", []string{`g.yaml:2:3: a key in spec must be a string, got a list`}},
		{"null key", "version: 1\n? \n: x\n", []string{"g.yaml:2:2: a key in spec must be a string, got nothing"}},
		{"unknown key, not close enough", "version: 1\n0on: 1\n", []string{`g.yaml:2:1: unknown key "0on" in spec; the keys are version, graph, package, doc, state, config, nodes, edges`}},
		{"merge key", "version: 1\nconfig:\n  <<: {max_steps: 3}\n", []string{`g.yaml:3:3: merge keys (<<) are not supported in a spec; write the keys out`}},

		// Value types.
		{"max_steps string", "version: 1\nconfig: {max_steps: ten}\n", []string{`g.yaml:2:21: max_steps must be an integer, got string "ten"`}},
		{"max_workers negative", "version: 1\nconfig:\n  max_workers: -1\n", []string{"g.yaml:3:16: max_workers must be 0 or more, got -1"}},
		{"max_steps too big", "version: 1\nconfig:\n  max_steps: 99999999999999999999\n", []string{"g.yaml:3:14: max_steps must be an integer, got number 99999999999999999999"}},
		{"explicit int tag", "version: 1\nconfig:\n  max_steps: !!int ten\n", []string{`g.yaml:3:14: max_steps must be an integer that fits in 64 bits, got "ten"`}},
		{"on_branch_error list", "version: 1\nconfig:\n  on_branch_error: [a]\n", []string{"g.yaml:3:20: on_branch_error must be a string, got a list"}},
		{"interrupts not a list", "version: 1\nconfig:\n  interrupt_before: a\n", []string{`g.yaml:3:21: interrupt_before must be a list, got string "a"`}},
		{"interrupt entry", "version: 1\nconfig:\n  interrupt_after: [a, 2, ~]\n", []string{
			"g.yaml:3:24: each interrupt_after entry must be a string, got integer 2",
			"g.yaml:3:27: each interrupt_after entry must be a string, got null",
		}},
		{"config scalar", "version: 1\nconfig: 3\n", []string{"g.yaml:2:9: config must be a mapping, got integer 3"}},
		{"nodes mapping", "version: 1\nnodes:\n  a: 1\n", []string{"g.yaml:3:3: nodes must be a list, got a mapping"}},
		{"node list", "version: 1\nnodes:\n  - [a]\n  - 7\n  -\n", []string{
			"g.yaml:3:5: each node must be a name or a mapping with a name, got a list",
			"g.yaml:4:5: each node must be a name or a mapping with a name, got integer 7",
			"g.yaml:5:4: each node must be a name or a mapping with a name, got nothing",
		}},
		{"name integer", "version: 1\nnodes:\n  - name: 123\n", []string{"g.yaml:3:11: name must be a string, got integer 123"}},
		{"name boolean", "version: 1\nnodes:\n  - name: true\n", []string{"g.yaml:3:11: name must be a string, got boolean true"}},
		{"name null", "version: 1\nnodes:\n  - name:\n    doc:\n", []string{"g.yaml:3:10: name must be a string, got nothing"}},
		{"fan_in yes", "version: 1\nnodes:\n  - name: a\n    fan_in: yes\n", []string{`g.yaml:4:13: fan_in must be true or false, got string "yes"`}},
		{"retry not a mapping", "version: 1\nnodes:\n  - {name: a, retry: 3}\n", []string{"g.yaml:3:22: retry must be a mapping with attempts, initial, backoff, max, jitter and panics, got integer 3"}},
		{"retry key", "version: 1\nconfig:\n  retry: {attempt: 3}\n", []string{`g.yaml:3:11: unknown key "attempt" in retry; did you mean "attempts"?`}},
		{"backoff string", "version: 1\nnodes:\n  - {name: a, retry: {backoff: fast}}\n", []string{`g.yaml:3:32: backoff must be a number, got string "fast"`}},
		{"timeout number", "version: 1\nnodes:\n  - {name: a, timeout: 20}\n", []string{"g.yaml:3:24: timeout must be a string, got integer 20"}},
		{"fan_in tagged", "version: 1\nnodes:\n  - name: a\n    fan_in: !!bool maybe\n", []string{`g.yaml:4:13: fan_in must be true or false, got "maybe"`}},
		{"custom tag", "version: 1\ngraph: !go G\n", []string{`g.yaml:2:8: graph must be a string, got !go "G"`}},
		{"timestamp", "version: 1\ngraph: 2024-01-02\n", []string{"g.yaml:2:8: graph must be a string, got timestamp 2024-01-02"}},
		{"long value is cut", "version: 1\ngraph: [" + strings.Repeat("x", 100) + "]\npackage: " + strings.Repeat("y", 100) + "\nnodes: " + strings.Repeat("z", 50) + "\n", []string{
			"g.yaml:2:8: graph must be a string, got a list",
			`g.yaml:4:8: nodes must be a list, got string "` + strings.Repeat("z", 40) + `"...`,
		}},
		{"edge string", "version: 1\nedges: [a]\n", []string{`g.yaml:2:9: each edge must be a mapping with from and one of to, when or parallel, got string "a"`}},
		{"to null", "version: 1\nedges:\n  - {from: a, to: ~}\n", []string{"g.yaml:3:19: to must be a string, got null"}},
		{"when list", "version: 1\nedges:\n  - from: a\n    when: [b]\n", []string{"g.yaml:4:11: when must be a mapping from label to target node, got a list"}},
		{"when target", "version: 1\nedges:\n  - from: a\n    when:\n      x:\n      y: [b]\n", []string{
			`g.yaml:5:9: the target of "x" must be a string, got nothing`,
			`g.yaml:6:10: the target of "y" must be a string, got a list`,
		}},
		{"parallel scalar", "version: 1\nedges:\n  - {from: a, parallel: b, fan_in: c}\n", []string{`g.yaml:3:25: parallel must be a list, got string "b"`}},
		{"parallel entry", "version: 1\nedges:\n  - {from: a, parallel: [b, {c: d}], fan_in: c}\n", []string{"g.yaml:3:29: each parallel entry must be a string, got a mapping"}},
		{"state list", "version: 1\nstate: [S]\n", []string{"g.yaml:2:8: state must be a type name or a mapping with type and fields, got a list"}},
		{"state fields", "version: 1\nstate:\n  type: 5\n  fields:\n    - x\n    - {name: A, type: int, tag: json}\n    - {name: B}\n  field: []\n", []string{
			"g.yaml:3:9: type must be a string, got integer 5",
			`g.yaml:5:7: each state field must be a mapping with name and type, got string "x"`,
			`g.yaml:6:28: unknown key "tag" in state field; the keys are name, type, doc`,
			`g.yaml:8:3: unknown key "field" in state; did you mean "fields"?`,
		}},

		// All at once, sorted.
		{"many problems", "graph: 1\nnodes:\n  - name: a\n    fanin: true\n  - {name: b, doc: 3}\nedges: {}\nconfig: {max_steps: -5}\n", []string{
			"g.yaml:1:1: missing version: add `version: 1` at the top of the spec",
			"g.yaml:1:8: graph must be a string, got integer 1",
			`g.yaml:4:5: unknown key "fanin" in node; did you mean "fan_in"?`,
			"g.yaml:5:20: doc must be a string, got integer 3",
			"g.yaml:6:8: edges must be a list, got a mapping",
			"g.yaml:7:21: max_steps must be 0 or more, got -5",
		}},

		// Aliases.
		{"self-referential alias", "version: 1\nnodes: &n [*n]\n", []string{"g.yaml:2:12: each node must be a name or a mapping with a name, got a list"}},
		{"alias to enclosing mapping", "version: 1\nstate: &s {type: *s}\n", []string{"g.yaml:2:18: type must be a string, got a mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f := checkParse(t, tt.src, tt.want); f == nil {
				t.Errorf("Parse(%q) returned a nil File for well-formed YAML", tt.src)
			}
		})
	}
}

// checkParse parses src as g.yaml and checks that it reports want.
func checkParse(t *testing.T, src string, want []string) *File {
	t.Helper()
	f, diags := Parse("g.yaml", []byte(src))
	if got := render(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(%q):\ngot  %s\nwant %s", src, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	return f
}

// YAML that is not well-formed yields one diagnostic and no File, at the
// character at fault, with a fix; applying the fix (fixed) makes the YAML
// well-formed.
func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name       string
		src, fixed string
		want       string
	}{
		// Indentation.
		{"tab indentation", "version: 1\nnodes:\n\t- a\n", "version: 1\nnodes:\n  - a\n",
			"g.yaml:3:1: a tab indents this line: indent with spaces, not tabs"},
		{"tab after spaces", "version: 1\nnodes:\n  - a\n  \t- b\n", "version: 1\nnodes:\n  - a\n  - b\n",
			"g.yaml:4:3: a tab indents this line: indent with spaces, not tabs"},
		{"tab in a list", "version: 1\nnodes:\n  - a\n\t- b\n", "version: 1\nnodes:\n  - a\n  - b\n",
			"g.yaml:4:1: a tab indents this line: indent with spaces, not tabs"},
		{"tab in a block scalar", "version: 1\ndoc: >\n  a\n\tb\n", "version: 1\ndoc: >\n  a\n  b\n",
			"g.yaml:4:1: a tab indents this line: indent with spaces, not tabs"},
		{"tab indentation, CRLF line ends", "version: 1\r\nnodes:\r\n  \t- a\r\n", "version: 1\r\nnodes:\r\n  - a\r\n",
			"g.yaml:3:3: a tab indents this line: indent with spaces, not tabs"},
		{"key indented less than its siblings", "version: 1\nconfig:\n  max_steps: 3\n max_workers: 2\n", "version: 1\nconfig:\n  max_steps: 3\n  max_workers: 2\n",
			`g.yaml:4:2: this line starts at column 2, where no line above it starts: start it at column 3, like "max_steps" on line 3, or at column 1, like "config" on line 2`},
		{"list entry indented less than its siblings", "version: 1\nnodes:\n  - a\n - b\n", "version: 1\nnodes:\n  - a\n  - b\n",
			`g.yaml:4:2: this line starts at column 2, where no line above it starts: start it at column 3, like "-" on line 3, or at column 1, like "nodes" on line 2`},
		{"key of a list entry indented less", "version: 1\nnodes:\n  - name: a\n   doc: x\n", "version: 1\nnodes:\n  - name: a\n    doc: x\n",
			`g.yaml:4:4: this line starts at column 4, where no line above it starts: start it at column 5, like "name" on line 3, or at column 3, like "-" on line 3`},
		{"key indented more than its siblings", "version: 1\nconfig:\n  max_steps: 3\n    max_workers: 2\n", "version: 1\nconfig:\n  max_steps: 3\n  max_workers: 2\n",
			`g.yaml:4:5: this line is indented more than "max_steps" on line 3, so it goes on with that value, where ": " is not allowed: start it at column 3, like "max_steps" (or, if it is part of the value above, put that value in quotes)`},
		{"top-level key indented", "version: 1\n  graph: G\n", "version: 1\ngraph: G\n",
			`g.yaml:2:3: this line is indented more than "version" on line 1, so it goes on with that value, where ": " is not allowed: start it at column 1, like "version" (or, if it is part of the value above, put that value in quotes)`},
		{"list entry where a key is expected", "version: 1\ngraph: G\nstate: S\nnodes:\n- a\nedges: []\n- b\n", "version: 1\ngraph: G\nstate: S\nnodes:\n- a\n- b\nedges: []\n",
			`g.yaml:7:1: a list entry where a key of "edges" on line 6 is expected: indent it under the key it belongs to`},
		{"list after an empty list", "version: 1\ngraph: G\nstate: S\nnodes: []\n- a\n", "version: 1\ngraph: G\nstate: S\nnodes:\n- a\n",
			`g.yaml:5:1: a list entry where a key of "nodes" on line 4 is expected: indent it under the key it belongs to`},
		{"list entry without a dash", "version: 1\nnodes:\n  - a\n  b\n", "version: 1\nnodes:\n  - a\n  - b\n",
			`g.yaml:4:3: expected a list entry, like the "-" on line 3: start the line with "- "`},
		{"key without a colon", "version: 1\ngraph\nstate: S\n", "version: 1\ngraph: G\nstate: S\n",
			`g.yaml:2:1: missing ":" after "graph": each line of a mapping is key: value`},
		{"list on the line of its key", "version: 1\nnodes: - a\n", "version: 1\nnodes:\n  - a\n",
			`g.yaml:2:8: a list cannot start on the line of its key: move "- a" to the next line, indented under "nodes"`},

		// ": " in a value.
		{"mapping value in a value", "version: 1\ngraph: a: b\n", "version: 1\ngraph: \"a: b\"\n",
			`g.yaml:2:9: ": " cannot appear in an unquoted value: put the value in quotes: "a: b"`},
		{"mapping value in a list entry's value", "version: 1\nnodes:\n  - name: a\n    doc: note: this\n", "version: 1\nnodes:\n  - name: a\n    doc: \"note: this\"\n",
			`g.yaml:4:14: ": " cannot appear in an unquoted value: put the value in quotes: "note: this"`},
		{"mapping value in a value's second line", "version: 1\ndoc: this is\n  long text: here\n", "version: 1\ndoc: \"this is\n  long text: here\"\n",
			`g.yaml:3:12: ": " cannot appear in an unquoted value: put the value that starts on line 2 in quotes`},

		// Quotes.
		{"unclosed double quote", "version: 1\ngraph: \"G\nstate: S\n", "version: 1\ngraph: \"G\"\nstate: S\n",
			`g.yaml:2:8: the string this " starts is never closed: add the closing "`},
		{"unclosed quote on line 1", "graph: \"G\nstate: S\n", "graph: \"G\"\nstate: S\n",
			`g.yaml:1:8: the string this " starts is never closed: add the closing "`},
		{"unclosed single quote", "version: 1\ngraph: 'it''s\n", "version: 1\ngraph: 'it''s'\n",
			`g.yaml:2:8: the string this ' starts is never closed: add the closing '`},
		{"quote closed by the next string", "version: 1\ngraph: \"G\nstate: \"S\"\nnodes: [a]\n", "version: 1\ngraph: \"G\"\nstate: \"S\"\nnodes: [a]\n",
			`g.yaml:2:8: the string this " starts is closed only on line 3: close it on its own line`},
		{"text after a string", "version: 1\ngraph: \"G\" x\n", "version: 1\ngraph: \"G x\"\n",
			`g.yaml:2:12: unexpected text after the closing ": put the whole value inside the quotes`},
		{"unknown escape", "version: 1\ndoc: \"C:\\path\"\n", "version: 1\ndoc: 'C:\\path'\n",
			`g.yaml:2:9: \p is not an escape in a string in double quotes: write \\ for a backslash, or use single quotes`},
		{"short hex escape", "version: 1\ngraph: \"a\\x4\"\n", "version: 1\ngraph: \"a\\\\x4\"\n",
			`g.yaml:2:10: \x needs 2 hexadecimal digits: write \\ for a backslash, or use single quotes`},

		// Brackets.
		{"unclosed flow list", "version: 1\ngraph: G\nnodes: [a, b\nedges: []\n", "version: 1\ngraph: G\nnodes: [a, b]\nedges: []\n",
			"g.yaml:3:8: this [ is never closed: add the ] that ends it"},
		{"unclosed flow list at the end", "version: [1\n", "version: [1]\n",
			"g.yaml:1:10: this [ is never closed: add the ] that ends it"},
		{"unclosed flow mapping in a list", "version: 1\nedges:\n  - {from: a, to: b\n  - {from: b, to: c}\n", "version: 1\nedges:\n  - {from: a, to: b}\n  - {from: b, to: c}\n",
			"g.yaml:3:5: this { is never closed: add the } that ends it"},
		{"unclosed flow mapping over lines", "version: 1\nnodes:\n- {name: a,\n  doc: b\n- c\n", "version: 1\nnodes:\n- {name: a,\n  doc: b}\n- c\n",
			"g.yaml:3:3: this { is never closed: add the } that ends it"},
		{"wrong closing bracket", "version: 1\nnodes: [a, b}\n", "version: 1\nnodes: [a, b]\n",
			"g.yaml:2:13: this } does not close the [ at line 2, column 8: write ]"},
		{"extra closing bracket", "version: 1\nnodes: [a, b]]\n", "version: 1\nnodes: [a, b]\n",
			"g.yaml:2:14: this ] closes nothing: remove it"},
		{"closing bracket alone", "version: ]\n", "version: 1\n",
			"g.yaml:1:10: this ] closes nothing: remove it (or put the value in quotes)"},
		{"empty entry", "version: 1\nnodes: [a, , b]\n", "version: 1\nnodes: [a, b]\n",
			"g.yaml:2:12: an empty entry in [ ]: remove this comma"},
		{"unquoted slice type", "version: 1\nstate:\n  type: S\n  fields:\n    - name: A\n      type: []string\n", "version: 1\nstate:\n  type: S\n  fields:\n    - name: A\n      type: \"[]string\"\n",
			`g.yaml:6:15: unexpected text after the closing ]: put the value in quotes: "[]string"`},
		{"unquoted slice type in braces", "version: 1\nstate:\n  type: S\n  fields:\n    - {name: A, type: []string}\n", "version: 1\nstate:\n  type: S\n  fields:\n    - {name: A, type: \"[]string\"}\n",
			`g.yaml:5:25: expected "," or "}" here: separate the entries of { } with commas`},
		{"unquoted map type in braces", "version: 1\nstate:\n  type: S\n  fields:\n    - {name: A, type: map[string]int}\n", "version: 1\nstate:\n  type: S\n  fields:\n    - {name: A, type: \"map[string]int\"}\n",
			"g.yaml:5:26: [ cannot follow a value inside { }: put the value in quotes"},

		// Characters that cannot start a value.
		{"at sign", "version: 1\ngraph: @x\n", "version: 1\ngraph: \"@x\"\n",
			`g.yaml:2:8: a value cannot start with @: put the value in quotes: "@x"`},
		{"backquote", "version: 1\ngraph: `x`\n", "version: 1\ngraph: \"`x`\"\n",
			"g.yaml:2:8: a value cannot start with `: put the value in quotes: \"`x`\""},
		{"alias without a name", "version: 1\ngraph: * x\n", "version: 1\ngraph: \"* x\"\n",
			`g.yaml:2:8: an alias (*) needs a name of letters, digits, _ and -; for a value that starts with *, put the value in quotes: "* x"`},
		{"unquoted qualified pointer type", "version: 1\nstate:\n  type: S\n  fields:\n    - {name: A, type: *pkg.T}\n", "version: 1\nstate:\n  type: S\n  fields:\n    - {name: A, type: \"*pkg.T\"}\n",
			`g.yaml:5:23: an alias (*) needs a name of letters, digits, _ and -; for a value that starts with *, put the value in quotes: "*pkg.T"`},
		{"anchor without a name", "version: 1\ngraph: &\n", "version: 1\ngraph: \"&\"\n",
			`g.yaml:2:8: an anchor (&) needs a name of letters, digits, _ and -; for a value that starts with &, put the value in quotes: "&"`},
		{"text after a block scalar indicator", "version: 1\ndoc: |x\n  a\n", "version: 1\ndoc: |\n  x\n  a\n",
			"g.yaml:2:7: nothing may follow | on its line but a comment: start the text on the next line, indented (or put the value in quotes)"},
		{"unknown anchor", "version: 1\ngraph: G\nstate: *s\n", "version: 1\ngraph: G\nstate: &s S\n",
			`g.yaml:3:8: unknown anchor "s": define it with &s before this alias uses it`},
		{"unquoted pointer type", "version: 1\nstate:\n  type: S\n  fields:\n    - name: A\n      type: *Foo\n", "version: 1\nstate:\n  type: S\n  fields:\n    - name: A\n      type: \"*Foo\"\n",
			`g.yaml:6:13: unknown anchor "Foo": define it with &Foo before this alias uses it (or, for the Go type *Foo, put it in quotes: "*Foo")`},
		{"unknown anchor, CRLF line ends", "version: 1\r\ngraph: G\r\nstate: *s\r\n", "version: 1\r\ngraph: G\r\nstate: S\r\n",
			`g.yaml:3:8: unknown anchor "s": define it with &s before this alias uses it`},

		// Characters YAML does not allow anywhere.
		{"control character", "version: 1\ngraph: G\x01\n", "version: 1\ngraph: G\n",
			"g.yaml:2:9: control character U+0001 is not allowed in a spec"},
		{"control character, CR line ends", "version: 1\rgraph: G\x01\r", "version: 1\rgraph: G\r",
			"g.yaml:2:9: control character U+0001 is not allowed in a spec"},
		{"invalid utf-8", "version: 1\n# \xff\n", "version: 1\n# \n",
			"g.yaml:2:3: the spec is not valid UTF-8 text (invalid leading UTF-8 octet)"},
		{"too deep", strings.Repeat("[", 100_000), "[]",
			"g.yaml:1:1: exceeded max depth of 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f := checkParse(t, tt.src, []string{tt.want}); f != nil {
				t.Errorf("Parse(%q) returned a File for malformed YAML", tt.src)
			}
			if f, diags := Parse("g.yaml", []byte(tt.fixed)); f == nil {
				t.Errorf("the fix does not work: Parse(%q): %v", tt.fixed, diags)
			}
		})
	}
}

// yamlAccepts reports whether yaml.v3 reads every document of src.
func yamlAccepts(src []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			return true
		} else if err != nil {
			return false
		}
	}
}

// TestFindSyntaxValid checks that findSyntax sees no problem in YAML that
// yaml.v3 reads: the specs of the repository and the well-formed inputs of
// the tests above. FuzzParse checks the same on any input.
func TestFindSyntaxValid(t *testing.T) {
	var inputs [][]byte
	for _, dir := range []string{"../../testdata/*/*.yaml", "../../examples/*/*.yaml", "../../examples/*/*/*.yaml"} {
		paths, _ := filepath.Glob(dir)
		for _, p := range paths {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, src)
		}
	}
	if len(inputs) < 20 {
		t.Fatalf("found only %d specs", len(inputs))
	}
	for _, s := range []string{
		"nodes:\n- a\n- b\nedges: []\n", "doc: a\n  - b\n", "nodes:\n  - a\n   - b\n", "  version: 1\ngraph: G\n",
		"doc: a # b: c\n", "doc: |\n  a: b\n  [c\nx: 1\n", "edges: [a, ]\n", "x: [a,\n  b]  # c\ny: 1\n",
		"doc: 'it''s'\n", "doc: \"a\\\"b\\x41\\u0041\"\n", "doc: http://x.y\n", "a: {b: [c, {d: e}], f: \"g\"}\n",
		"- - a\n  - b\n- c\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "doc: >-\n  a\n\n  b\nz: 1\n",
		"---\na: 1\n...\n", "a:\n  b:\n    c: 1\n  d: 2\n", "type: map[string]int\n", "a: \"b\n  c\"\n",
		"doc: a\n  b # c: d\n", "- a\n  b\n- c\n",
	} {
		inputs = append(inputs, []byte(s))
	}
	for _, src := range inputs {
		if !yamlAccepts(src) {
			continue
		}
		if p, ok := findSyntax(src); ok {
			line, col := lineCol(src, p.off)
			t.Errorf("findSyntax(%q) = %d:%d: %s; yaml.v3 reads it", src, line, col, p.msg)
		}
	}
}

// pos is a position in the research spec.
func pos(line, col int) Pos { return Pos{File: researchPath, Line: line, Col: col} }

const researchPath = "../../testdata/spec/research.graph.yaml"

func TestParseResearch(t *testing.T) {
	src, err := os.ReadFile(researchPath)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := Parse(researchPath, src)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%v", diags)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"file", f.Pos, pos(1, 1)},
		{"version", f.Version, Int{1, pos(1, 10)}},
		{"graph", f.Graph, String{"Research", pos(2, 8)}},
		{"package", f.Package, String{"research", pos(3, 10)}},
		{"doc", f.Doc.Value, "Plans, searches two sources in parallel, merges, reviews."},
		{"state", f.State, State{Pos: pos(5, 8), Type: String{"State", pos(5, 8)}}},
		{"config pos", f.Config.Pos, pos(12, 3)},
		{"max_workers", f.Config.MaxWorkers, Int{0, pos(12, 16)}},
		{"on_branch_error", f.Config.OnBranchError, String{"cancel", pos(14, 20)}},
		{"interrupt_before", len(f.Config.InterruptBefore), 0},
		{"nodes", len(f.Nodes), 5},
		{"merge node", f.Nodes[3], Node{Pos: pos(21, 5), Name: String{"merge", pos(21, 11)}, FanIn: Bool{true, pos(22, 13)}}},
		{"review doc", f.Nodes[4].Doc, String{"Decides whether the answer is good enough.", pos(24, 10)}},
		{"edges", len(f.Edges), 6},
		{"start edge", f.Edges[0], Edge{Pos: pos(26, 5), From: String{Start, pos(26, 12)}, To: String{"plan", pos(26, 27)}}},
		{"fork", f.Edges[1], Edge{
			Pos:         pos(27, 5),
			From:        String{"plan", pos(27, 11)},
			Parallel:    []String{{"search_web", pos(28, 16)}, {"search_papers", pos(28, 28)}},
			ParallelPos: pos(28, 5),
			FanIn:       String{"merge", pos(29, 13)},
		}},
		{"conditional", f.Edges[5], Edge{
			Pos:     pos(33, 5),
			From:    String{"review", pos(33, 11)},
			WhenPos: pos(34, 5),
			When: []Case{
				{Label: String{"revise", pos(35, 7)}, Target: String{"plan", pos(35, 15)}},
				{Label: String{"done", pos(36, 7)}, Target: String{End, pos(36, 13)}},
			},
		}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", c.what, c.got, c.want)
		}
	}
}

func TestParseInlineStateAndShorthands(t *testing.T) {
	src := `version: 1
graph: G
state:
  type: S
  fields:
    - {name: Query, type: string, doc: What to look for.}
    - name: Docs
      type: "[]string"
      doc:
nodes: [a, {name: b}]
edges:
  - {from: __start__, to: a}
  - from: a
    parallel: &pair [b, c]
    fan_in: d
  - from: b
    when: {}
config:
  interrupt_after: *pair
`
	f, diags := Parse("s.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%v", diags)
	}
	p := func(line, col int) Pos { return Pos{File: "s.yaml", Line: line, Col: col} }
	want := State{
		Pos:    p(4, 3),
		Type:   String{"S", p(4, 9)},
		Inline: true,
		Fields: []Field{
			{Pos: p(6, 7), Name: String{"Query", p(6, 14)}, Type: String{"string", p(6, 27)}, Doc: String{"What to look for.", p(6, 40)}},
			{Pos: p(7, 7), Name: String{"Docs", p(7, 13)}, Type: String{"[]string", p(8, 13)}},
		},
	}
	if !reflect.DeepEqual(f.State, want) {
		t.Errorf("state:\ngot  %+v\nwant %+v", f.State, want)
	}
	wantNodes := []Node{{Pos: p(10, 9), Name: String{"a", p(10, 9)}}, {Pos: p(10, 12), Name: String{"b", p(10, 19)}}}
	if !reflect.DeepEqual(f.Nodes, wantNodes) {
		t.Errorf("nodes:\ngot  %+v\nwant %+v", f.Nodes, wantNodes)
	}
	// An alias reads as the value it names, positioned where that is written.
	pair := []String{{"b", p(14, 22)}, {"c", p(14, 25)}}
	if !reflect.DeepEqual(f.Config.InterruptAfter, pair) || !reflect.DeepEqual(f.Edges[1].Parallel, pair) {
		t.Errorf("aliased list: got %+v and %+v, want %+v", f.Config.InterruptAfter, f.Edges[1].Parallel, pair)
	}
	// An empty when is present, with no cases: package graph says what is wrong.
	if e := f.Edges[2]; e.WhenPos != p(17, 5) || len(e.When) != 0 {
		t.Errorf("empty when: got WhenPos %v, %d cases", e.WhenPos, len(e.When))
	}
}

// billionLaughs is the classic alias bomb: 9 levels of 9 aliases each.
func billionLaughs(use string) string {
	var b strings.Builder
	b.WriteString("version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 9), ", "))
	}
	b.WriteString(use)
	return b.String()
}

// expandingAliases is a bomb that fits the spec's own shape: many edges, each
// an alias to one edge whose when mapping has many labels.
func expandingAliases(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nedges:\n  - &e\n    from: a\n    when:\n")
	for i := range n {
		fmt.Fprintf(&b, "      l%d: b\n", i)
	}
	b.WriteString("  " + strings.Repeat("- *e\n  ", n))
	return b.String()
}

func TestParseAliasBombs(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      string // the first diagnostic
	}{
		{"billion laughs unused", billionLaughs(""), `g.yaml:2:1: unknown key "l0" in spec; the keys are version, graph, package, doc, state, config, nodes, edges`},
		{"billion laughs as nodes", billionLaughs("nodes: *l9\n"), "g.yaml:2:1: unknown key \"l0\" in spec; the keys are version, graph, package, doc, state, config, nodes, edges"},
		{"billion laughs as interrupts", billionLaughs("config: {interrupt_before: *l9}\n"), "g.yaml:2:1: unknown key \"l0\" in spec; the keys are version, graph, package, doc, state, config, nodes, edges"},
		{"edges times labels", expandingAliases(3000), "the spec's aliases expand to too many values (alias bomb?)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, diags := Parse("g.yaml", []byte(tt.src))
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if len(diags) == 0 || !strings.HasSuffix(diags[0].String(), tt.want) {
				t.Fatalf("got %d diagnostics, first %q; want first %q", len(diags), render(diags[:min(1, len(diags))]), tt.want)
			}
			if strings.Contains(tt.want, "alias bomb") {
				// Only that one, at one of the aliases that expand.
				if line := strings.Split(tt.src, "\n")[diags[0].Pos.Line-1]; len(diags) != 1 || line != "  - *e" {
					t.Errorf("got %d diagnostics, the first at %q; want one, at an alias", len(diags), line)
				}
			}
			// Tests never assert times (a loaded machine is slow); the
			// allocation bound is what a bomb would blow.
			t.Logf("%v, %d KB allocated", elapsed, (after.TotalAlloc-before.TotalAlloc)>>10)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}

func TestParseDeepNesting(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string
	}{
		{"flow lists beyond yaml's limit", "version: 1\nnodes: " + strings.Repeat("[", 100_000), []string{"g.yaml:2:1: exceeded max depth of 10000"}},
		{"block lists in a line", "version: 1\nnodes: " + strings.Repeat("- ", 100_000) + "a\n", []string{`g.yaml:2:8: a list cannot start on the line of its key: move "` + strings.Repeat("- ", 20) + `..." to the next line, indented under "nodes"`}},
		{"block lists beyond yaml's limit", "version: 1\nnodes:\n" + strings.Repeat("- ", 100_000) + "a\n", []string{"g.yaml:2:1: exceeded max depth of 10000"}},
		{"block lists at top beyond yaml's limit", strings.Repeat("- ", 100_000) + "a\n", []string{"g.yaml:1:1: exceeded max depth of 10000"}},
		{"flow lists within yaml's limit", "version: 1\nnodes: " + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "\n", []string{"g.yaml:2:9: each node must be a name or a mapping with a name, got a list"}},
		{"flow mappings within yaml's limit", "version: 1\nconfig: " + strings.Repeat("{a: ", 9000) + strings.Repeat("}", 9000) + "\n", []string{`g.yaml:2:10: unknown key "a" in config; the keys are max_workers, max_steps, on_branch_error, interrupt_before, interrupt_after, retry, checkpoints`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, diags := Parse("g.yaml", []byte(tt.src))
			runtime.ReadMemStats(&after)
			if got := render(diags); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}

// bigSpec is a spec with n nodes in a chain from __start__ to __end__.
func bigSpec(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\ngraph: Big\nstate: State\nnodes:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: n%d\n    doc: Node number %d.\n", i, i)
	}
	b.WriteString("edges:\n  - {from: __start__, to: n0}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  - {from: n%d, to: n%d}\n", i-1, i)
	}
	fmt.Fprintf(&b, "  - {from: n%d, to: __end__}\n", n-1)
	return []byte(b.String())
}

func TestParseBig(t *testing.T) {
	const n = 10_000
	f, diags := Parse("big.yaml", bigSpec(n))
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics: %v", diags[:min(5, len(diags))])
	}
	if len(f.Nodes) != n || len(f.Edges) != n+1 {
		t.Fatalf("got %d nodes, %d edges; want %d, %d", len(f.Nodes), len(f.Edges), n, n+1)
	}
	last := f.Nodes[n-1]
	if want := (String{"n9999", Pos{File: "big.yaml", Line: 4 + 2*n - 1, Col: 11}}); last.Name != want {
		t.Errorf("last node name: got %+v, want %+v", last.Name, want)
	}
	if e := f.Edges[n]; e.To.Value != End || e.To.Pos.Line != 4+2*n+1+n+1 {
		t.Errorf("last edge: got %+v", e)
	}
}

func BenchmarkParse10000(b *testing.B) {
	src := bigSpec(10_000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Parse("big.yaml", src); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}

func FuzzParse(f *testing.F) {
	err := filepath.WalkDir("../../testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		src, err := os.ReadFile(path)
		if err == nil {
			f.Add(src)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "version: 1\n", "version: 1\n---\nversion: 2\n", "- a\n",
		"version: 1\nstate: {type: S, fields: [{name: A, type: int}]}\nnodes: [a, {name: b, fan_in: true}]\n",
		"version: 1\nedges:\n  - from: a\n    when: {x: b, y: __end__}\n  - {from: b, parallel: [c, d], fan_in: e}\n",
		"version: 1\nconfig: {max_workers: 2, max_steps: 10, on_branch_error: wait, interrupt_before: [a]}\n",
		"version: 1\nnodes: &n [*n]\nedges: [&e {from: a, to: *e}]\n",
		"version: 1\nnodes:\n\t- a\n", "version: 1\ngraph: G\x01\n", "version: *x\n",
		"version: 1\nconfig:\n  <<: {max_steps: 3}\n", "{version: 1, version: 1}",
		billionLaughs("nodes: *l9\n"), expandingAliases(20),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, diags := Parse("f.yaml", src)
		for _, d := range diags {
			if d.Pos.File != "f.yaml" || d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Errorf("diagnostic at a bad position: %v", d)
			}
		}
		if file == nil && len(diags) == 0 {
			t.Errorf("no File and no diagnostics")
		}
		// findSyntax sees no problem where yaml.v3 sees none.
		if p, ok := findSyntax(src); ok && yamlAccepts(src) {
			line, col := lineCol(src, p.off)
			t.Errorf("findSyntax: %d:%d: %s; yaml.v3 reads it", line, col, p.msg)
		}
	})
}
