package gen

import (
	"os"

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
