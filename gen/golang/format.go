package golang

import (
	"bytes"
	"errors"
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

// partNodes is how many nodes' declarations of one kind (call methods) a
// part holds at most.
const partNodes = 1000

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
	// The largest parts start first, so that one does not start last and
	// run alone on one core.
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(parts[b]) - len(parts[a]) })
	slots := make(chan struct{}, goruntime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, i := range order {
		p := parts[i]
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			// The first part is a file (package clause, imports); the
			// others are declarations, formatted as a file of their own
			// (format.Source's declaration lists put a leading comment
			// on the line of the package clause it adds, which changes
			// how the comment is formatted).
			src, clause := bytes.TrimSpace(p), []byte(nil)
			if len(src) == 0 {
				return // a graph without routes, joins or copies
			}
			if i > 0 {
				clause = []byte("package p\n")
				src = append([]byte("package p\n\n"), src...)
			}
			b, err := format.Source(src)
			if err == nil && !bytes.HasPrefix(b, clause) {
				err = errors.New("the package clause moved")
			}
			if err != nil {
				errs[i] = fmt.Errorf("formatting part %d: %w\n%s", i+1, err, p)
				return
			}
			out[i] = bytes.TrimSpace(b[len(clause):])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out = slices.DeleteFunc(out, func(b []byte) bool { return len(b) == 0 })
	src := bytes.Join(out, []byte("\n\n"))
	return append(src, '\n'), nil
}
