package golang_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen"
	"github.com/graphc/graphc/gen/golang"
)

// hostile is a spec whose doc texts try to close comments, open
// declarations and smuggle code into the output.
const hostile = `version: 1
graph: Evil
doc: "ends a comment */ func Injected() {} /* and\nstarts a new line\n}\nfunc Injected2() {}"
state:
  type: State
  fields:
    - {name: N, type: int, doc: "*/ var Injected3 = 1 /*"}
nodes:
  - {name: a, doc: "line one\n*/\nfunc Injected4() {}\n//"}
  - {name: b, fan_in: true, doc: "\r\nfunc Injected5() {}\u2028func Injected6() {}"}
  - c
  - d
edges:
  - {from: __start__, to: a}
  - {from: a, parallel: [c, d], fan_in: b}
  - {from: c, to: b}
  - {from: d, to: b}
  - from: b
    when: {again: a, done: __end__}
`

// TestSpecTextCannotInjectCode checks that the only declarations in the
// output are the generated ones, whatever the docs hold.
func TestSpecTextCannotInjectCode(t *testing.T) {
	g, errs := gen.Check("evil.graph.yaml", []byte(hostile))
	if errs != nil {
		t.Fatal(errs)
	}
	src, err := golang.Generate(golang.Input{
		Graph: g, Package: "evil", Source: "evil.graph.yaml\n*/ func Injected7() {}",
		State:        jen.Id("State"),
		InlineFields: []golang.Field{{Name: "N", Type: jen.Int(), Doc: g.State.Fields[0].Doc}},
		Copy:         func(src jen.Code) jen.Code { return src },
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "evil_graph.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, src)
	}
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			names = append(names, d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, "Injected") {
			t.Errorf("spec text injected the declaration %s", n)
		}
	}
	for _, want := range []string{"State", "EvilHandlers", "Evil", "NewEvil", "BRoute", "BAgain", "BDone", "BBranches", "Invoke", "Stream", "RunBranch", "All", "String"} {
		if !slices.Contains(names, want) {
			t.Errorf("missing declaration %s", want)
		}
	}
	if !strings.Contains(string(src), "// ends a comment */ func Injected() {} /* and\n") {
		t.Errorf("doc text was not kept as a line comment:\n%s", src)
	}
}
