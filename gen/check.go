package gen

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/graphc/graphc/gen/diag"
	"github.com/graphc/graphc/gen/graph"
	"github.com/graphc/graphc/gen/spec"
)

// Check parses and validates one spec held in memory.
func Check(path string, src []byte) (*graph.Graph, diag.List) {
	f, errs := spec.Parse(path, src)
	if len(errs) > 0 {
		// A spec whose shape is wrong would only add echoes of the same
		// mistakes (unknown nodes for a node list that did not parse).
		return nil, errs.Sort()
	}
	g, errs := graph.Build(f)
	if len(errs) > 0 {
		return nil, errs.Sort()
	}
	return g, nil
}

// Load reads and validates one spec file.
func Load(path string) (*graph.Graph, diag.List) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, diag.List{{Pos: diag.Pos{File: path}, Message: err.Error()}}
	}
	return Check(path, src)
}

// CheckAll reports every problem that Generate would report for the specs,
// without generating or writing anything. A spec whose directory holds Go
// files of its own (beyond graphc's output) is checked with its package
// loaded, as Generate does: the state type, its deep copy, and the names
// the output would declare against the package's. A spec alone in its
// directory is checked as a spec, and against the other specs given.
func CheckAll(paths []string, opts Options) diag.List {
	var inPkg, alone []string
	for _, p := range paths {
		files, err := scanDir(filepath.Dir(p), opts.Tags)
		if err == nil && slices.ContainsFunc(files, func(f goFile) bool { return !f.generated }) {
			inPkg = append(inPkg, p)
		} else {
			alone = append(alone, p)
		}
	}
	var errs diag.List
	if len(inPkg) > 0 {
		opts.check = true // the analysis of Generate, without rendering
		_, errs = Generate(inPkg, opts)
	}
	specs := loadSpecs(alone, opts)
	errs = append(errs, acrossGraphs(alone, specs)...)
	for _, p := range alone {
		spec := specs[p]
		errs = append(errs, spec.errs...)
	}
	return errs.Sort()
}
