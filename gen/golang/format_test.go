package golang_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen"
	"github.com/graphc/graphc/gen/golang"
	"github.com/graphc/graphc/gen/graph"
)

// chainSpec is a spec of n nodes (a multiple of 5) in blocks of five: a
// fork of two branches, their fan-in, and a conditional edge that loops
// back; enough blocks make several parts of each kind (see partNodes).
func chainSpec(n int) []byte {
	var y bytes.Buffer
	y.WriteString("version: 1\ngraph: Chain\nstate:\n  type: State\n  fields:\n    - {name: N, type: int}\nnodes:\n")
	for i := range n {
		if i%5 == 3 {
			fmt.Fprintf(&y, "  - {name: n%d, fan_in: true}\n", i)
		} else {
			fmt.Fprintf(&y, "  - n%d\n", i)
		}
	}
	y.WriteString("edges:\n  - {from: __start__, to: n0}\n")
	for b := 0; b < n; b += 5 {
		next := "__end__"
		if b+5 < n {
			next = fmt.Sprintf("n%d", b+5)
		}
		fmt.Fprintf(&y, "  - {from: n%d, parallel: [n%d, n%d], fan_in: n%d}\n", b, b+1, b+2, b+3)
		fmt.Fprintf(&y, "  - {from: n%d, to: n%d}\n  - {from: n%d, when: {again: n%d, next: n%d}}\n", b+1, b+3, b+2, b+1, b+3)
		fmt.Fprintf(&y, "  - {from: n%d, to: n%d}\n  - {from: n%d, when: {back: n%d, next: %s}}\n", b+3, b+4, b+4, b, next)
	}
	return y.Bytes()
}

// TestPartsAreOneFile checks that the executor, built, rendered and
// formatted in parts side by side, and its flows in runs of cases, is byte
// for byte the file jennifer and gofmt make of all its declarations at
// once; and so for the test file. It runs on the hostile spec and on every
// spec of the examples and of the internal cases (interrupts before and
// after, maps, select forks, nested forks, forks in maps, routes in
// branches, policies), with flows in parts of one case, of two and of the
// default size, and on a chain of 2000 nodes, whose joins take more than
// one part.
func TestPartsAreOneFile(t *testing.T) {
	type spec struct {
		name string
		src  []byte
	}
	specs := []spec{{"hostile", []byte(hostile)}}
	var paths []string
	for _, pattern := range []string{"../../examples/*/*.graph.yaml", "../../examples/bench/*/*.graph.yaml", "../../internal/cases/*/*.graph.yaml", "../../temporal/internal/cases/*/*.graph.yaml"} {
		more, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, more...)
	}
	for _, p := range paths {
		if strings.Contains(p, "1000") {
			continue // one of each shape is enough at one case a part
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel("../..", p)
		specs = append(specs, spec{strings.TrimSuffix(rel, ".graph.yaml"), src})
	}
	if len(specs) < 30 {
		t.Fatalf("found %d specs", len(specs))
	}
	for _, piece := range []int{1, 2, 0} {
		list := specs
		if piece == 0 {
			list = append(list, spec{"chain2000", chainSpec(2000)})
		}
		for _, tc := range list {
			t.Run(fmt.Sprintf("%s/piece%d", tc.name, piece), func(t *testing.T) {
				partsAreOneFile(t, tc.name, tc.src, piece)
			})
		}
	}
}

// TestPiecesAreOneFile checks the runs of a flow's cases against the
// whole flow on the shapes that gofmt lays out by what is around a case:
// a case that ends in a comment (placed by the token after it), trailing
// comments and composite literals (aligned across lines), a comment
// before a case.
func TestPiecesAreOneFile(t *testing.T) {
	var cases []jen.Code
	for i := range 6 {
		cases = append(cases,
			jen.Case(jen.Lit(i)).Block(
				jen.Id("a").Op(":=").Lit(i).Comment("a trailing comment"),
				jen.Id("bb").Op(":=").Index().Int().Values(jen.Lit(i)).Comment("aligned with it"),
				jen.Id("_").Op("=").Map(jen.String()).Int().Values(jen.Dict{jen.Lit("k"): jen.Id("a"), jen.Lit("longer"): jen.Id("bb").Index(jen.Lit(0))}),
				jen.Comment("a comment that ends the case"),
			),
			jen.Comment("a comment before a case"),
			jen.Case(jen.Lit(100+i)).Block(jen.Break().Id("flow")),
		)
	}
	for _, piece := range []int{1, 2, 3, 5} {
		got, want, err := golang.RenderSwitch(cases, piece)
		if err != nil {
			t.Fatal(err)
		}
		sameFile(t, got, want)
	}
}

// partsAreOneFile checks that Generate (with piece cases of a flow to a
// part, unless 0) and GenerateWhole, and GenerateTest and
// GenerateTestWhole, agree on the spec src, its state's fields of any type
// and its items' of a struct.
func partsAreOneFile(t *testing.T, name string, src []byte, piece int) {
	g, errs := gen.Check(name+".graph.yaml", src)
	if errs != nil {
		t.Fatal(errs)
	}
	// A deep copy, like the copier's, which is not safe to call from the
	// parts' goroutines: Generate must make it once, before building them
	// (a race here fails under -race too).
	calls := 0
	in := golang.Input{
		Graph: g, Package: "p", Source: name + ".graph.yaml",
		State: jen.Id("State"),
		Copy: func(src jen.Code) jen.Code {
			calls++
			return jen.Id("copyState").Call(src)
		},
		Items: map[*graph.Fork]golang.Item{},
	}
	for _, f := range g.State.Fields {
		in.InlineFields = append(in.InlineFields, golang.Field{Name: f.Name, Type: jen.Id(f.Type)})
	}
	for _, f := range g.Forks {
		if f.Map != nil {
			in.Items[f] = golang.Item{Type: jen.Id("Item"), Copy: func(src jen.Code) jen.Code { return jen.Id("copyItem").Call(src) }}
		}
	}
	generate := golang.Generate
	if piece > 0 {
		generate = func(in golang.Input) ([]byte, error) { return golang.GenerateInPieces(in, piece) }
	}
	got, err := generate(in)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("Generate called Copy %d times, want once", calls)
	}
	want, err := golang.GenerateWhole(in)
	if err != nil {
		t.Fatal(err)
	}
	sameFile(t, got, want)
	if got, err = golang.GenerateTest(in); err != nil {
		t.Fatal(err)
	}
	if want, err = golang.GenerateTestWhole(in); err != nil {
		t.Fatal(err)
	}
	sameFile(t, got, want)
}

// sameFile fails t where the file got made in parts differs from the file
// want made whole.
func sameFile(t *testing.T, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\nparts: %q\nwhole: %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("the parts make %d lines, the whole file %d", len(gl), len(wl))
	}
}

// TestPartsImportClash checks that parts which name two packages alike,
// each on its own, get one name per package in the joined file, and that
// every use refers to its own package.
func TestPartsImportClash(t *testing.T) {
	use := func(name, path, sel string) jen.Code {
		// var name = path.sel
		return jen.Var().Id(name).Op("=").Qual(path, sel)
	}
	for _, tc := range []struct {
		name    string
		imports map[string]string // the copier's names: ImportName hints
		decls   [][]jen.Code
		uses    map[string]string // variable -> the path its selector must name
	}{{
		name:    "hinted",
		imports: map[string]string{"example.com/x/sync": "sync"},
		decls: [][]jen.Code{
			{use("a", "sync", "Mutex")},
			{use("b", "example.com/x/sync", "Pool")},
			{use("c", "example.com/x/sync", "Pool"), use("d", "sync", "Mutex")},
		},
		uses: map[string]string{"a": "sync", "b": "example.com/x/sync", "c": "example.com/x/sync", "d": "sync"},
	}, {
		name: "guessed",
		decls: [][]jen.Code{
			{use("a", "example.com/b/util", "X")},
			{use("b", "example.com/a/util", "Y")},
			{use("c", "example.com/a/util", "Y"), use("d", "example.com/b/util", "X")},
			{use("e", "example.com/c/util1", "Z")},
		},
		uses: map[string]string{"a": "example.com/b/util", "b": "example.com/a/util", "c": "example.com/a/util", "d": "example.com/b/util", "e": "example.com/c/util1"},
	}, {
		name:  "agree",
		decls: [][]jen.Code{{use("a", "sync", "Mutex")}, {use("b", "context", "Context")}, nil},
		uses:  map[string]string{"a": "sync", "b": "context"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := golang.RenderParts(golang.Input{Package: "p", Source: "x.graph.yaml", Imports: tc.imports}, tc.decls)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			byName := map[string]string{}
			for _, spec := range f.Imports {
				path, _ := strconv.Unquote(spec.Path.Value)
				name := path[strings.LastIndex(path, "/")+1:]
				if spec.Name != nil {
					name = spec.Name.Name
				}
				if have, ok := byName[name]; ok {
					t.Errorf("%s names %s and %s\n%s", name, have, path, src)
				}
				byName[name] = path
			}
			for _, d := range f.Decls {
				spec, ok := d.(*ast.GenDecl).Specs[0].(*ast.ValueSpec)
				if !ok {
					continue
				}
				sel := spec.Values[0].(*ast.SelectorExpr)
				if got, want := byName[sel.X.(*ast.Ident).Name], tc.uses[spec.Names[0].Name]; got != want {
					t.Errorf("%s refers to %q, want %q\n%s", spec.Names[0].Name, got, want, src)
				}
			}
		})
	}
}
