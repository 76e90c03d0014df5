package golang

import (
	"bytes"
	"fmt"
	"go/format"
	goruntime "runtime"
	"slices"
	"sync"

	"github.com/dave/jennifer/jen"
)

// partMark ends a part of a generated file: a run of whole top-level
// declarations that gofmt formats on its own exactly as it would in the
// whole file. Formatting dominates the generator's time on large graphs
// (go/printer sizes every multi-line expression list by printing it), and
// the parts are formatted side by side.
const partMark = "// graphc:part"

// part ends the current part of e's file. It must be called between two
// top-level declarations: the blank lines around the mark make gofmt put
// exactly one blank line there in the whole file, which is what render
// joins the parts with.
func (e *emitter) part() {
	e.f.Line()
	e.f.Comment(partMark[len("// "):])
	e.f.Line()
}

// render renders f, unformatted, and formats its parts (see part) side by
// side, with at most GOMAXPROCS at once. The result is what gofmt makes of
// the whole file.
func render(f *jen.File) ([]byte, error) {
	f.NoFormat = true
	var raw bytes.Buffer
	if err := f.Render(&raw); err != nil {
		return nil, err
	}
	parts := bytes.Split(raw.Bytes(), []byte("\n"+partMark+"\n"))
	out := make([][]byte, len(parts))
	errs := make([]error, len(parts))
	slots := make(chan struct{}, goruntime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			// The first part is a file (package clause, imports); the
			// others are declaration lists, which format.Source takes
			// too, keeping their leading and trailing space: trimmed.
			b, err := format.Source(bytes.TrimSpace(p))
			if err != nil {
				errs[i] = fmt.Errorf("formatting part %d: %w\n%s", i+1, err, p)
				return
			}
			out[i] = bytes.TrimSpace(b)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	// A part may be empty (a graph without routes, joins or copies).
	out = slices.DeleteFunc(out, func(b []byte) bool { return len(b) == 0 })
	src := bytes.Join(out, []byte("\n\n"))
	return append(src, '\n'), nil
}
