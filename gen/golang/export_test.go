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
	e.whole = true
	return e.renderWhole(e.parts())
}

// GenerateTestWhole is GenerateWhole for the test file (see GenerateTest).
func GenerateTestWhole(in Input) ([]byte, error) {
	e := &emitter{in: in, g: in.Graph, pfx: lowerFirst(in.Graph.Name)}
	return e.renderWhole(e.testParts())
}

// renderWhole renders the parts' declarations in one jen.File.
func (e *emitter) renderWhole(parts []part) ([]byte, error) {
	e.newFile()
	for _, p := range parts {
		p.emit(e)
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

// SetFlowPiece sets how many cases of a flow a part holds, until the
// returned func restores it.
func SetFlowPiece(n int) (restore func()) {
	old := flowPiece
	flowPiece = n
	return func() { flowPiece = old }
}
