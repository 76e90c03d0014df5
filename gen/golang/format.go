package golang

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dave/jennifer/jen"
)

// A part is a run of whole top-level declarations of a generated file, or
// a run of case clauses of a flow (see flowParts). Building the code,
// rendering it and formatting it take the generator's time on a large
// graph (go/printer sizes every multi-line expression list by printing
// it), so each part is built into a jen.File of its own and the parts are
// built, rendered and formatted side by side (see renderParts); a part's
// syntax trees are garbage once it is formatted, so the heap stays small.
type part struct {
	// weight estimates the part's size in KB, for the order in which the
	// parts start: the heaviest first, so that none starts last and runs
	// alone on one core.
	weight int
	// emit adds the part's declarations to e.f.
	emit func(e *emitter)

	// A flow's function in parts (see flowParts) is a part for its frame
	// and a part for each run of its cases, each with flow set to the
	// flow's name. The frame's emit writes the function with a mark where
	// the cases go, and its whole writes it with every case (for the
	// reference file the tests compare with); a run of cases has cases
	// instead of emit, which adds them to a switch.
	flow  string
	whole func(e *emitter)
	cases func(e *emitter, sw *jen.Group)
	// what names a run of cases in errors: "cases 250-499 of run".
	what string
}

// partNodes is how many nodes' declarations a part holds at most (see
// chunks), and how many cases of a flow (see flowParts). Small parts keep
// the heap small: the syntax trees of the parts being built are most of
// what is live, and the heap grows to five times that (see cmd/graphc's
// GOGC), every new page of it a page fault; on the 10,000-node spec, parts
// of 250 nodes took a tenth less time than parts of 1000.
const partNodes = 250

// casesMark starts the comment that marks, in a flow's switch, where the
// runs of its cases go (see flowFrame).
const casesMark = "graphc:cases "

// flowParts appends to parts the parts of fl's function, weight KB per
// ten cases. A flow of thousands of nodes is one function of megabytes,
// which formatted alone would take longer than all the rest of the file
// on another core, and hold a large syntax tree meanwhile. So its
// function is a part with a mark where its cases go (see flowFrame), and
// its cases are parts of e.piece cases each (partNodes unless a test says
// otherwise), each built, rendered and formatted in a function of the
// same depth as the switch, whose last case is a default, as in the flow:
//
//	func _() {
//	flow:
//		for {
//			switch n {
//			... the run's case clauses ...
//			default:
//			}
//		}
//	}
//
// out of which renderParts cuts the case clauses, to put them in place of
// the mark. gofmt formats a case clause alike there and in the flow: what
// is around a case clause reaches its layout only through the blank lines
// between them, of which there are none, and the token after it, which
// places a comment that ends it (at the next case's indent before case or
// default, at the body's before a brace). TestPartsAreOneFile checks it on
// flows of one case a part, and TestPiecesAreOneFile on cases that end in
// a comment. A flow without cases is one part.
func (e *emitter) flowParts(parts []part, fl flowSpec, weight int) []part {
	whole := func(e *emitter) { e.flow(fl) }
	if len(fl.order) == 0 {
		return append(parts, part{weight: 1, emit: whole})
	}
	parts = append(parts, part{weight: 1, flow: fl.name, whole: whole, emit: func(e *emitter) { e.flowFrame(fl) }})
	size := e.pieceSize()
	for from := 0; from < len(fl.order); from += size {
		to := min(from+size, len(fl.order))
		parts = append(parts, part{
			weight: weight * (to - from) / 10,
			flow:   fl.name,
			cases:  func(e *emitter, sw *jen.Group) { e.flowCases(sw, fl, from, to) },
			what:   fmt.Sprintf("cases %d-%d of %s", from, to-1, fl.name),
		})
	}
	return parts
}

// pieceSize is how many cases of a flow a part holds (see flowParts):
// e.piece, or partNodes when it is not set.
func (e *emitter) pieceSize() int {
	if e.piece > 0 {
		return e.piece
	}
	return partNodes
}

// The function a run of cases is formatted in (see flowParts), as gofmt
// writes it around them.
const (
	casesHead = "func _() {\nflow:\n\tfor {\n\t\tswitch n {\n"
	casesTail = "\n\t\tdefault:\n\t\t}\n\t}\n}"
)

// chunks splits s into runs, in order, that weigh at most partNodes
// (a run of one element may weigh more).
func chunks[T any](s []T, weight func(T) int) [][]T {
	var out [][]T
	start, w := 0, 0
	for i, v := range s {
		if i > start && w+weight(v) > partNodes {
			out = append(out, s[start:i])
			start, w = i, 0
		}
		w += weight(v)
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// weigh sums weight over s.
func weigh[T any](s []T, weight func(T) int) int {
	n := 0
	for _, v := range s {
		n += weight(v)
	}
	return n
}

// bodyMark starts the declarations of a part's file, after the package
// clause and the imports that jennifer renders above them.
const bodyMark = "// graphc:body"

// rendered is a part rendered and formatted.
type rendered struct {
	head    []byte // the unformatted file header: comments, package clause, imports
	body    []byte // the formatted declarations, without surrounding blank lines
	imports []importName
}

// importName is how a file imports a package: as name, written in the
// import block when alias is set (jennifer's importdef).
type importName struct {
	path, name string
	alias      bool
}

// renderParts returns the gofmt'd file of the parts' declarations, in
// order, with the imports all of them use. It is byte for byte what gofmt
// makes of one jen.File holding every part: the header (package clause,
// imports) and each part are formatted as files of their own, which gofmt
// formats alike, since nothing in gofmt's layout reaches across top-level
// declarations but the blank lines between them, which are one (what the
// parts are joined with). The case clauses of a flow's pieces go in place
// of the mark in its frame (see flowParts).
//
// Each part's jen.File names its imports as jennifer does: by the names
// newFile gives (see importNames), else by the path, numbered on a clash
// ("sync1"). A package can then have two names in two parts, or two
// packages one name, since which number a part gives depends on the
// packages it uses; every part is then built again with one name for each
// package (see importsOf).
func (e *emitter) renderParts(parts []part) ([]byte, error) {
	hints := e.importNames()
	out, err := e.buildParts(parts, nil)
	if err != nil {
		return nil, err
	}
	imports, ok := importsOf(out, hints)
	if !ok {
		if out, err = e.buildParts(parts, imports); err != nil {
			return nil, err
		}
		if imports, ok = importsOf(out, hints); !ok {
			return nil, errors.New("two parts of the file import a package under two names")
		}
	}
	// The header: the first part's file header up to its imports, then
	// every part's imports.
	head := out[0].head
	if i := bytes.Index(head, []byte("\nimport ")); i >= 0 {
		head = head[:i+1]
	}
	src := slices.Concat(head, importBlock(imports))
	header, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("formatting the header: %w\n%s", err, src)
	}
	// The runs of cases of each flow, in order, go in place of its mark.
	cases := map[string][][]byte{}
	for i, r := range out {
		if p := parts[i]; p.cases != nil {
			cases[p.flow] = append(cases[p.flow], r.body)
		}
	}
	// The file is copied once, into a slice of its size: on a large graph
	// it is megabytes, which a growing slice would copy again and again.
	file := [][]byte{bytes.TrimSpace(header)}
	for i, r := range out {
		p := parts[i]
		if p.cases != nil || len(r.body) == 0 {
			continue
		}
		file = append(file, []byte("\n\n"))
		if p.flow == "" {
			file = append(file, r.body)
			continue
		}
		before, after, err := cutMark(r.body, p.flow)
		if err != nil {
			return nil, err
		}
		file = append(file, before)
		for k, c := range cases[p.flow] {
			if k > 0 {
				file = append(file, []byte("\n"))
			}
			file = append(file, c)
		}
		file = append(file, []byte("\n"), after)
		delete(cases, p.flow)
	}
	for flow := range cases {
		return nil, fmt.Errorf("the cases of %s have no frame to go in", flow)
	}
	file = append(file, []byte("\n"))
	return slices.Concat(file...), nil
}

// cutMark returns the text of body around the line of flow's mark (see
// flowFrame), which the lines of the flow's cases replace.
func cutMark(body []byte, flow string) (before, after []byte, err error) {
	mark := []byte("// " + casesMark + flow + "\n")
	at := bytes.Index(body, mark)
	start := bytes.LastIndexByte(body[:max(at, 0)], '\n') + 1
	if at < 0 || len(bytes.TrimLeft(body[start:at], "\t")) > 0 {
		return nil, nil, fmt.Errorf("the mark of the cases of %s is not a line of its own", flow)
	}
	return body[:start], body[at+len(mark):], nil
}

// partSlots holds a token for each part being built: at most GOMAXPROCS
// (as it was when the package was initialized), across every file being
// rendered (the executor's and its test's are rendered side by side).
var partSlots = make(chan struct{}, goruntime.GOMAXPROCS(0))

// buildParts builds, renders and formats each part in a file of its own,
// with at most GOMAXPROCS parts at once in the process (see partSlots),
// the heaviest first. names, when set, names every package the parts
// import.
func (e *emitter) buildParts(parts []part, names []importName) ([]rendered, error) {
	out := make([]rendered, len(parts))
	errs := make([]error, len(parts))
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(parts[b].weight, parts[a].weight) })
	var wg sync.WaitGroup
	for _, i := range order {
		partSlots <- struct{}{}
		wg.Go(func() {
			defer func() { <-partSlots }()
			out[i], errs[i] = e.buildPart(parts[i], names)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("part %d (%s): %w", i+1, cmp.Or(parts[i].what, "declarations"), errs[i])
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// buildPart builds p in a jen.File of its own, renders it and formats its
// declarations.
func (e *emitter) buildPart(p part, names []importName) (rendered, error) {
	pe := *e
	pe.newFile(names...)
	pe.f.NoFormat = true
	pe.f.Comment(bodyMark[len("// "):])
	if p.cases != nil {
		// func _() { flow: for { switch n { ... default: } } }: see flowParts
		pe.f.Func().Id("_").Params().Block(
			jen.Id("flow").Op(":"),
			jen.For().Block(jen.Switch(jen.Id("n")).BlockFunc(func(sw *jen.Group) {
				p.cases(&pe, sw)
				sw.Default()
			})),
		)
	} else {
		p.emit(&pe)
	}
	var raw bytes.Buffer
	if err := pe.f.Render(&raw); err != nil {
		return rendered{}, err
	}
	// The mark is a line of its own, the last one of an empty part.
	head, body, ok := bytes.Cut(raw.Bytes(), []byte("\n"+bodyMark))
	if !ok || len(body) > 0 && body[0] != '\n' {
		return rendered{}, errors.New("the mark of the declarations is missing")
	}
	imports, err := parseImports(head)
	if err != nil {
		return rendered{}, err
	}
	r := rendered{head: head, imports: imports}
	src := bytes.TrimSpace(body)
	if len(src) == 0 {
		return r, nil // a graph without routes, joins or copies
	}
	// Declarations are formatted as a file of their own: format.Source's
	// declaration lists put a leading comment on the line of the package
	// clause it adds, which changes how the comment is formatted.
	clause := []byte("package p\n")
	b, err := format.Source(slices.Concat(clause, []byte("\n"), src))
	if err == nil && !bytes.HasPrefix(b, clause) {
		err = errors.New("the package clause moved")
	}
	if err != nil {
		return rendered{}, fmt.Errorf("formatting: %w\n%s", err, src)
	}
	r.body = bytes.TrimSpace(b[len(clause):])
	if p.cases != nil {
		cases, head := bytes.CutPrefix(r.body, []byte(casesHead))
		cases, tail := bytes.CutSuffix(cases, []byte(casesTail))
		if !head || !tail {
			return rendered{}, fmt.Errorf("the function around %s moved:\n%s", p.what, r.body)
		}
		r.body = cases
	}
	return r, nil
}

// parseImports returns the imports of a file's header as jennifer wrote
// them: with a name where it is an alias.
func parseImports(head []byte) ([]importName, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", head, parser.ImportsOnly)
	if err != nil {
		return nil, fmt.Errorf("reading the imports: %w", err)
	}
	out := make([]importName, 0, len(f.Imports))
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, err
		}
		n := importName{path: path}
		if spec.Name != nil {
			n.name, n.alias = spec.Name.Name, true
		}
		out = append(out, n)
	}
	return out, nil
}

// importsOf returns every package the parts import, sorted by path, and
// whether the parts agree on their names: no package under two names, no
// name for two packages. An import without an alias is named as hints say,
// else (a standard package jennifer names itself) by the path's last
// element. When the parts do not agree, the names returned are the ones to
// build every part with: each package named as the first part (in order)
// names it, and where two packages share a name, the one later by path
// numbered, as jennifer numbers a clash.
func importsOf(parts []rendered, hints map[string]importName) ([]importName, bool) {
	byPath := map[string]importName{}
	byName := map[string]string{}
	ok := true
	for _, r := range parts {
		for _, n := range r.imports {
			if !n.alias {
				n.name = cmp.Or(hints[n.path].name, n.path[strings.LastIndexByte(n.path, '/')+1:])
			}
			if have, seen := byPath[n.path]; seen {
				ok = ok && have == n
				continue
			}
			byPath[n.path] = n
			if p, taken := byName[n.name]; taken && p != n.path {
				ok = false
			}
			byName[n.name] = n.path
		}
	}
	list := slices.SortedFunc(maps.Values(byPath), func(a, b importName) int { return cmp.Compare(a.path, b.path) })
	if ok {
		return list, true
	}
	used := map[string]bool{}
	for i, n := range list {
		name := n.name
		for k := 1; used[name] || (name != n.name && byName[name] != ""); k++ {
			name = n.name + strconv.Itoa(k)
		}
		used[name] = true
		if name != n.name {
			list[i].name, list[i].alias = name, true
		}
	}
	return list, false
}

// importBlock writes imports (sorted by path) as jennifer does: a name
// only where it is an alias, in parentheses unless there is one import.
func importBlock(imports []importName) []byte {
	spec := func(n importName) string {
		if n.alias {
			return n.name + " " + strconv.Quote(n.path)
		}
		return strconv.Quote(n.path)
	}
	var b bytes.Buffer
	switch len(imports) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "import %s\n\n", spec(imports[0]))
	default:
		b.WriteString("import (\n")
		for _, n := range imports {
			b.WriteString(spec(n) + "\n")
		}
		b.WriteString(")\n\n")
	}
	return b.Bytes()
}
