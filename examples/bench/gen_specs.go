//go:build ignore

// gen_specs writes the benchmark graphs: for each, a directory with its
// graphc spec (<dir>/<dir>.graph.yaml) and the handlers that implement the
// generated interface (<dir>/handlers.go, which carries the go:generate line).
// The node bodies live in package model and are shared with the hand-written
// and the Eino versions, so that the three systems run the same work.
//
// Run it from examples/bench, then generate the executors:
//
//	go run gen_specs.go && go generate ./...
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	for _, w := range []int{20, 100, 1000} {
		fanIn(w)
	}
	for _, n := range []int{10, 1000} {
		chain(n)
	}
	loop(1000)
	nested()
	for _, sh := range shapes {
		for _, w := range matrixWidths {
			matrix(sh, w)
		}
	}
}

// graph collects one graph's spec and handlers.
type graph struct {
	dir, name, doc string
	state          string   // the state type in package model; "State" when empty
	nodes          []string // spec node entries (YAML flow mappings or names)
	edges          []string // spec edge entries (YAML flow mappings)
	methods        []string // Go methods of Handlers
	twin           string   // Go source of twin.go (the hand-written twin's view of the handlers), if any
}

func (g *graph) node(name string) { g.nodes = append(g.nodes, name) }

func (g *graph) fanIn(name string) {
	g.nodes = append(g.nodes, fmt.Sprintf("{name: %s, fan_in: true}", name))
}

func (g *graph) edge(format string, args ...any) {
	g.edges = append(g.edges, fmt.Sprintf(format, args...))
}

func (g *graph) method(format string, args ...any) {
	g.methods = append(g.methods, fmt.Sprintf(format, args...))
}

// fanIn: start -> parallel [w1..wW] -> join -> __end__. Branch i adds i to
// N; join adds up the N every branch ended with.
func fanIn(w int) {
	g := &graph{dir: fmt.Sprintf("fan%d", w), name: fmt.Sprintf("Fan%d", w),
		doc: fmt.Sprintf("start forks to %d branches that fan in at join.", w)}
	g.node("start")
	ws := make([]string, w)
	for i := range w {
		ws[i] = fmt.Sprintf("w%d", i+1)
		g.node(ws[i])
	}
	g.fanIn("join")
	g.edge("{from: __start__, to: start}")
	g.edge("{from: start, parallel: [%s], fan_in: join}", strings.Join(ws, ", "))
	for _, n := range ws {
		g.edge("{from: %s, to: join}", n)
	}
	g.edge("{from: join, to: __end__}")

	g.method("func (Handlers) Start(_ context.Context, s model.State) (model.State, error) { return model.Inc(s), nil }")
	for i := range w {
		g.method("func (Handlers) W%d(_ context.Context, s model.State) (model.State, error) { return model.Add(s, %d), nil }", i+1, i+1)
	}
	g.method(`// Join adds up the N of every branch.
func (Handlers) Join(_ context.Context, s model.State, in JoinBranches) (model.State, error) {
	for _, b := range in.All() {
		s.Sum += b.N
	}
	return s, nil
}`)
	g.write()
}

// chain: n1 -> n2 -> ... -> nN -> __end__, each N++.
func chain(n int) {
	g := &graph{dir: fmt.Sprintf("chain%d", n), name: fmt.Sprintf("Chain%d", n),
		doc: fmt.Sprintf("A linear chain of %d nodes, each adding one to N.", n)}
	for i := range n {
		g.node(fmt.Sprintf("n%d", i+1))
		g.method("func (Handlers) N%d(_ context.Context, s model.State) (model.State, error) { return model.Inc(s), nil }", i+1)
	}
	g.edge("{from: __start__, to: n1}")
	for i := 1; i < n; i++ {
		g.edge("{from: n%d, to: n%d}", i, i+1)
	}
	g.edge("{from: n%d, to: __end__}", n)
	// The hand-written twin (hand.CheckedChain) calls the same handler
	// methods, through the same interface, as the generated executor.
	var t strings.Builder
	fmt.Fprintf(&t, "// Steps returns the chain's nodes in order, each with its handler called\n")
	fmt.Fprintf(&t, "// through %sHandlers, for the hand-written twin (hand.CheckedChain).\n", g.name)
	fmt.Fprintf(&t, "func Steps(h %sHandlers) []hand.Step {\n\treturn []hand.Step{\n", g.name)
	for i := range n {
		fmt.Fprintf(&t, "\t\t{Name: \"n%d\", Run: h.N%d},\n", i+1, i+1)
	}
	t.WriteString("\t}\n}\n")
	g.twin = t.String()
	g.write()
}

// loop: one node that adds one to N, and loops on itself until N reaches n.
func loop(n int) {
	g := &graph{dir: fmt.Sprintf("loop%d", n), name: fmt.Sprintf("Loop%d", n),
		doc: fmt.Sprintf("One node that adds one to N, looping on itself until N is %d.", n)}
	g.node("count")
	g.edge("{from: __start__, to: count}")
	g.edge("{from: count, when: {again: count, done: __end__}}")
	g.method("func (Handlers) Count(_ context.Context, s model.State) (model.State, error) { return model.Inc(s), nil }")
	g.method(`// RouteCount loops until N is %[1]d.
func (Handlers) RouteCount(_ context.Context, s model.State) (CountRoute, error) {
	if s.N < %[1]d {
		return CountAgain, nil
	}
	return CountDone, nil
}`, n)
	g.write()
}

// nested: start forks to a1..a4; each ak forks to ak_1..ak_4, which fan in
// at ak_join; the four ak_join fan in at join.
func nested() {
	g := &graph{dir: "nested4x4", name: "Nested4x4",
		doc: "start forks to 4 branches, each of which forks to 4 and fans in; then all 4 fan in."}
	g.node("start")
	var outer []string
	for k := 1; k <= 4; k++ {
		a := fmt.Sprintf("a%d", k)
		outer = append(outer, a)
		g.node(a)
		var inner []string
		for j := 1; j <= 4; j++ {
			inner = append(inner, fmt.Sprintf("%s_%d", a, j))
			g.node(inner[j-1])
		}
		g.fanIn(a + "_join")
		g.edge("{from: %s, parallel: [%s], fan_in: %s_join}", a, strings.Join(inner, ", "), a)
		for _, n := range inner {
			g.edge("{from: %s, to: %s_join}", n, a)
		}
		g.edge("{from: %s_join, to: join}", a)

		g.method("func (Handlers) A%d(_ context.Context, s model.State) (model.State, error) { return model.Add(s, %d), nil }", k, k)
		for j := 1; j <= 4; j++ {
			g.method("func (Handlers) A%d%d(_ context.Context, s model.State) (model.State, error) { return model.Add(s, %d), nil }", k, j, j)
		}
		g.method(`// A%[1]dJoin adds up the N of its four branches.
func (Handlers) A%[1]dJoin(_ context.Context, s model.State, in A%[1]dJoinBranches) (model.State, error) {
	for _, b := range in.All() {
		s.Sum += b.N
	}
	return s, nil
}`, k)
	}
	g.fanIn("join")
	g.edges = append([]string{
		"{from: __start__, to: start}",
		fmt.Sprintf("{from: start, parallel: [%s], fan_in: join}", strings.Join(outer, ", ")),
	}, g.edges...)
	g.edge("{from: join, to: __end__}")
	g.method("func (Handlers) Start(_ context.Context, s model.State) (model.State, error) { return model.Inc(s), nil }")
	g.method(`// Join adds up the Sum of the four inner joins.
func (Handlers) Join(_ context.Context, s model.State, in JoinBranches) (model.State, error) {
	for _, b := range in.All() {
		s.Sum += b.Sum
	}
	return s, nil
}`)
	g.write()
}

func (g *graph) write() {
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		log.Fatal(err)
	}
	pkg := filepath.Base(g.dir)
	spec := pkg + ".graph.yaml"
	state := g.state
	if state == "" {
		state = "State"
	}

	var y bytes.Buffer
	fmt.Fprintf(&y, "# Written by gen_specs.go; do not edit.\nversion: 1\ngraph: %s\ndoc: %s\nstate: model.%s\nnodes:\n", g.name, g.doc, state)
	for _, n := range g.nodes {
		fmt.Fprintf(&y, "  - %s\n", n)
	}
	y.WriteString("edges:\n")
	for _, e := range g.edges {
		fmt.Fprintf(&y, "  - %s\n", e)
	}
	writeFile(filepath.Join(g.dir, spec), y.Bytes())

	var src bytes.Buffer
	fmt.Fprintf(&src, `// Code generated by gen_specs.go. DO NOT EDIT.

// Package %[1]s is the %[2]s benchmark graph: %[3]s
package %[1]s

//go:generate go tool graphc generate %[4]s

import (
	"context"

	"github.com/graphc/graphc/examples/bench/model"
)

// Handlers implements %[2]sHandlers with the node bodies of package model.
type Handlers struct{}

var _ %[2]sHandlers = Handlers{}

`, pkg, g.name, g.doc, spec)
	for _, m := range g.methods {
		src.WriteString(m)
		src.WriteString("\n\n")
	}
	out, err := format.Source(src.Bytes())
	if err != nil {
		log.Fatalf("%s: %v\n%s", g.dir, err, src.Bytes())
	}
	writeFile(filepath.Join(g.dir, "handlers.go"), out)
	if g.twin == "" {
		return
	}
	imports := `import "github.com/graphc/graphc/examples/bench/hand"`
	if strings.Contains(g.twin, "model.") {
		imports = `import (
	"github.com/graphc/graphc/examples/bench/hand"
	"github.com/graphc/graphc/examples/bench/model"
)`
	}
	twin := fmt.Sprintf(`// Code generated by gen_specs.go. DO NOT EDIT.

package %s

%s

%s`, filepath.Base(g.dir), imports, g.twin)
	if out, err = format.Source([]byte(twin)); err != nil {
		log.Fatalf("%s: %v\n%s", g.dir, err, twin)
	}
	writeFile(filepath.Join(g.dir, "twin.go"), out)
}

func writeFile(path string, b []byte) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}

// shape is one state shape of the fan-in matrix (see model/matrix.go): its
// type in package model and its node bodies.
type shape struct {
	name, state       string
	start, add, value string // model functions: start's body, branch i's body, what the join adds up
}

var shapes = []shape{
	{"ints", "State", "Inc", "Add", "N"},
	{"slice", "Slice", "SliceStart", "SliceAdd", "SliceValue"},
	{"map", "Map", "MapStart", "MapAdd", "MapValue"},
	{"big", "Big", "BigStart", "BigAdd", "BigValue"},
	{"strings", "Strings", "StringsStart", "StringsAdd", "StringsValue"},
}

var matrixWidths = []int{2, 20, 100, 1000}

// matrix: the fan-in of w on shape sh, in matrix/<shape><w>: start forks
// to w1..wW, branch i runs the shape's body with i, join adds up each
// branch's value. Two implementations of the handlers: Handlers (trivial
// bodies) and Heavy (each branch first calls model.Deep, a call with a
// large frame).
func matrix(sh shape, w int) {
	name := fmt.Sprintf("%s%d", strings.ToUpper(sh.name[:1])+sh.name[1:], w)
	g := &graph{dir: filepath.Join("matrix", fmt.Sprintf("%s%d", sh.name, w)), name: name, state: sh.state,
		doc: fmt.Sprintf("the fan-in matrix's %s state, forked to %d branches that fan in at join.", sh.name, w)}
	g.node("start")
	ws := make([]string, w)
	for i := range w {
		ws[i] = fmt.Sprintf("w%d", i+1)
		g.node(ws[i])
	}
	g.fanIn("join")
	g.edge("{from: __start__, to: start}")
	g.edge("{from: start, parallel: [%s], fan_in: join}", strings.Join(ws, ", "))
	for _, n := range ws {
		g.edge("{from: %s, to: join}", n)
	}
	g.edge("{from: join, to: __end__}")

	value := "b." + sh.value
	if sh.value != "N" {
		value = "model." + sh.value + "(b)"
	}
	for _, h := range []struct{ typ, arg string }{{"Handlers", "%d"}, {"Heavy", "model.Deep(%d)"}} {
		g.method("func (%s) Start(_ context.Context, s model.%s) (model.%s, error) { return model.%s(s), nil }", h.typ, sh.state, sh.state, sh.start)
		for i := range w {
			g.method("func (%s) W%d(_ context.Context, s model.%s) (model.%s, error) { return model.%s(s, %s), nil }",
				h.typ, i+1, sh.state, sh.state, sh.add, fmt.Sprintf(h.arg, i+1))
		}
		g.method(`// Join adds up the value of every branch.
func (%s) Join(_ context.Context, s model.%s, in JoinBranches) (model.%s, error) {
	for _, b := range in.All() {
		s.Sum += %s
	}
	return s, nil
}`, h.typ, sh.state, sh.state, value)
	}
	g.method(`// Heavy implements %[1]sHandlers like Handlers, but each branch first calls model.Deep, whose frame is larger than a new goroutine's first stack.
type Heavy struct{}

var _ %[1]sHandlers = Heavy{}`, name)
	// The hand-written twin (hand.ForkOf) runs the same handler methods,
	// through the same interface, as the generated executor: a branch per
	// node, each with its own code, as a program written for this graph
	// would have (one closure shared by every branch would be cheaper to
	// copy when its stack grows: see matrix.md).
	var t strings.Builder
	fmt.Fprintf(&t, "// Branches returns the fork's branches in spec order, each its node's handler\n")
	fmt.Fprintf(&t, "// called through %sHandlers, for the hand-written twin (hand.ForkOf).\n", name)
	fmt.Fprintf(&t, "func Branches(h %sHandlers) []hand.Of[model.%s] {\n\treturn []hand.Of[model.%s]{\n", name, sh.state, sh.state)
	for i := range w {
		fmt.Fprintf(&t, "\t\th.W%d,\n", i+1)
	}
	t.WriteString("\t}\n}\n")
	g.twin = t.String()
	g.write()
}
