package gen

import (
	"bytes"
	"os"

	"github.com/graphc/graphc/gen/diag"
	"github.com/graphc/graphc/gen/golang"
	"github.com/graphc/graphc/gen/graph"
	"github.com/graphc/graphc/gen/typecheck"
)

// wantsTemporal reports whether the Temporal workflow of the spec whose
// executor goes to out is generated: with -temporal (Options.Temporal), or
// when graphc wrote its file earlier, so that generate and verify keep an
// existing workflow current without the flag (delete the file to stop).
func wantsTemporal(out string, opts Options) bool {
	if opts.Temporal {
		return true
	}
	old, err := os.ReadFile(golang.TemporalName(out))
	return err == nil && bytes.HasPrefix(old, []byte(generatedHeader))
}

// temporalCollisions reports the names the Temporal files of g would
// declare that the package already declares (outside graphc's output, which
// loads as its package clause only).
func temporalCollisions(g *graph.Graph, pkg *typecheck.Package, at func(diag.Pos) diag.Pos) diag.List {
	var errs diag.List
	for _, name := range golang.TemporalNames(g) {
		if p, ok := pkg.Lookup(name); ok {
			errs.Add(at(g.NamePos), "graph %s would declare %s in its Temporal workflow, which the package already declares at %s: rename one", g.Name, name, p)
		}
	}
	return errs
}

// temporalFiles returns the Temporal workflow's file, and its differential
// test when tests are generated.
func temporalFiles(out string, in golang.Input, tests bool) ([]File, error) {
	src, err := golang.GenerateTemporal(in)
	if err != nil {
		return nil, err
	}
	files := []File{{Path: golang.TemporalName(out), Content: src}}
	name := golang.TestName(golang.TemporalName(out))
	if !tests {
		return append(files, File{Path: name, Remove: true, Optional: true}), nil
	}
	test, err := golang.GenerateTemporalTest(in)
	if err != nil {
		return nil, err
	}
	return append(files, File{Path: name, Content: test, Optional: true}), nil
}
