package golang

import (
	"bytes"

	"github.com/dave/jennifer/jen"
)

// GenerateWhole renders the executor as one jen.File that jennifer
// formats whole: what Generate, which builds, renders and formats it in
// parts, must equal byte for byte.
func GenerateWhole(in Input) ([]byte, error) {
	e := newExecutor(in)
	return e.renderWhole(e.parts())
}

// GenerateInPieces is Generate with piece cases of a flow to a part.
func GenerateInPieces(in Input, piece int) ([]byte, error) {
	e := newExecutor(in)
	e.piece = piece
	return e.renderParts(e.parts())
}

// GenerateTestWhole is GenerateWhole for the test file (see GenerateTest).
func GenerateTestWhole(in Input) ([]byte, error) {
	e := &emitter{in: in, g: in.Graph, pfx: lowerFirst(in.Graph.Name)}
	return e.renderWhole(e.testParts())
}

// renderWhole renders the parts' declarations in one jen.File: a flow's
// frame with all its cases, none of its runs of cases apart.
func (e *emitter) renderWhole(parts []part) ([]byte, error) {
	e.newFile()
	for _, p := range parts {
		switch {
		case p.cases != nil:
		case p.whole != nil:
			p.whole(e)
		default:
			p.emit(e)
		}
	}
	var b bytes.Buffer
	err := e.f.Render(&b)
	return b.Bytes(), err
}

// RenderParts renders a file of in's package whose parts hold decls, one
// part per element, the way Generate renders the executor.
func RenderParts(in Input, decls [][]jen.Code) ([]byte, error) {
	e := &emitter{in: in}
	var parts []part
	for i, list := range decls {
		parts = append(parts, part{weight: i, emit: func(e *emitter) {
			for _, d := range list {
				e.f.Add(d)
				e.f.Line()
			}
		}})
	}
	return e.renderParts(parts)
}

// RenderSwitch renders, in a file of package p, a function whose flow's
// switch holds cases, both as Generate does (its cases in parts of piece
// each, see flowParts) and whole.
func RenderSwitch(cases []jen.Code, piece int) (parts, whole []byte, err error) {
	e := &emitter{in: Input{Package: "p", Source: "switch.graph.yaml"}}
	frame := func(body func(sw *jen.Group)) func(e *emitter) {
		// func f(n int) { flow: for { switch n { ... default: return } } }
		return func(e *emitter) {
			e.f.Func().Id("f").Params(jen.Id("n").Int()).Block(
				jen.Id("flow").Op(":"),
				jen.For().Block(jen.Switch(jen.Id("n")).BlockFunc(func(sw *jen.Group) {
					body(sw)
					sw.Default().Return()
				})),
			)
		}
	}
	all := func(sw *jen.Group) {
		for _, c := range cases {
			sw.Add(c)
		}
	}
	list := []part{{weight: 1, flow: "f", whole: frame(all), emit: frame(func(sw *jen.Group) { sw.Comment(casesMark + "f") })}}
	for from := 0; from < len(cases); from += piece {
		run := cases[from:min(from+piece, len(cases))]
		list = append(list, part{weight: 1, flow: "f", what: "cases of f", cases: func(e *emitter, sw *jen.Group) {
			for _, c := range run {
				sw.Add(c)
			}
		}})
	}
	if parts, err = e.renderParts(list); err != nil {
		return nil, nil, err
	}
	whole, err = e.renderWhole(list)
	return parts, whole, err
}
