package gen

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestFindSpecs: verify finds what generate is run on — *.graph.yaml, and
// the specs that //go:generate lines name, whatever their name — and skips
// files the build excludes, as go generate does.
func TestFindSpecs(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/a.graph.yaml":        "",
		"a/doc.go":              "package a\n\n//go:generate go tool graphc generate -tags x flow.yaml\n//go:generate go tool graphc generate a.graph.yaml\n",
		"b/b.go":                "package b\n\n//go:generate go run github.com/graphc/graphc/cmd/graphc generate -tests=false \"other.yml\"\n//go:generate stringer -type T\n",
		"c/ignored.go":          "//go:build ignore\n\npackage main\n\n//go:generate go tool graphc generate template.yaml\n",
		"testdata/t.graph.yaml": "",
	}
	for name, src := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(src), 0o644)
	}
	got, err := FindSpecs(root)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i], _ = filepath.Rel(root, got[i])
	}
	slices.Sort(got)
	want := []string{"a/a.graph.yaml", "a/flow.yaml", "b/other.yml"}
	if !slices.Equal(got, want) {
		t.Errorf("FindSpecs = %q, want %q", got, want)
	}
}
