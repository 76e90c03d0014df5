package gen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
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

// FindSpecs returns the *.graph.yaml files below root, skipping testdata,
// vendor, node_modules and hidden directories.
func FindSpecs(root string) ([]string, error) {
	var specs []string
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
		if strings.HasSuffix(name, ".graph.yaml") || strings.HasSuffix(name, ".graph.yml") {
			specs = append(specs, p)
		}
		return nil
	})
	return specs, err
}
