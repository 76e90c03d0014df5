package gen

import (
	"bytes"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/graphc/graphc/gen/diag"
)

// Drift is a generated file whose content on disk is not what its spec produces.
type Drift struct {
	Path    string
	Missing bool   // the file is not on disk at all
	Diff    string // unified diff from the file on disk to the expected content; "" when Missing
}

// Verify regenerates the specs in memory and returns the files that differ
// from what is on disk, or are missing from it.
func Verify(paths []string, opts Options) ([]Drift, diag.List) {
	files, errs := Generate(paths, opts)
	if errs != nil {
		return nil, errs
	}
	var drift []Drift
	for _, f := range files {
		old, err := os.ReadFile(f.Path)
		switch {
		case f.Remove, err != nil && f.Optional:
			continue // an output turned off, or never asked for (-tests=false)
		case err == nil && bytes.Equal(old, f.Content):
			continue
		case err != nil:
			drift = append(drift, Drift{Path: f.Path, Missing: true})
			continue
		}
		drift = append(drift, Drift{Path: f.Path, Diff: udiff.Unified(f.Path+" (on disk)", f.Path+" (from spec)", string(old), string(f.Content))})
	}
	return drift, nil
}

// FindSpecs returns the specs below root that graphc generates from: the
// *.graph.yaml files, and every spec a //go:generate line of a Go file runs
// graphc generate on, whatever its name (flow.yaml). It skips testdata,
// vendor, node_modules, hidden and _ directories, and, as go generate
// does, Go files the build constraints exclude. Paths are in walk order,
// each once.
func FindSpecs(root string) ([]string, error) {
	var specs []string
	seen := map[string]bool{}
	add := func(p string) {
		if p = filepath.Clean(p); !seen[p] {
			seen[p] = true
			specs = append(specs, p)
		}
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(name, ".graph.yaml") || strings.HasSuffix(name, ".graph.yml"):
			add(p)
		case strings.HasSuffix(name, ".go"):
			if ok, err := build.Default.MatchFile(filepath.Dir(p), name); err != nil || !ok {
				return nil // go generate skips the files the build excludes
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, spec := range generateLineSpecs(src) {
				add(filepath.Join(filepath.Dir(p), spec))
			}
		}
		return nil
	})
	return specs, err
}

// generateLineSpecs returns the specs that the //go:generate lines of a Go
// file give to graphc generate (go tool graphc, go run .../cmd/graphc, or
// graphc itself): the arguments after "generate" that are not flags.
func generateLineSpecs(src []byte) []string {
	var specs []string
	for line := range strings.Lines(string(src)) {
		rest, ok := strings.CutPrefix(line, "//go:generate ")
		if !ok {
			continue
		}
		args := strings.Fields(rest)
		i := slices.IndexFunc(args, func(a string) bool {
			return a == "graphc" || strings.HasSuffix(a, "/graphc") || strings.HasSuffix(a, "/cmd/graphc")
		})
		if i < 0 || i+1 >= len(args) || args[i+1] != "generate" {
			continue
		}
		for j := i + 2; j < len(args); j++ {
			a := args[j]
			switch {
			case a == "-tags": // the one flag with a separate value
				j++
			case strings.HasPrefix(a, "-"):
			default:
				specs = append(specs, strings.Trim(a, `"`))
			}
		}
	}
	return specs
}
