package gen

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGolden regenerates every committed graph (internal/cases, examples,
// and the Temporal cases of temporal/, with their workflows) in memory and compares it with the file on disk, which go test
// then compiles and runs as an ordinary package. With -update it rewrites
// the files instead.
func TestGolden(t *testing.T) {
	var specs []string
	for _, root := range []string{"../internal/cases", "../examples", "../temporal"} {
		found, err := FindSpecs(root)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		specs = append(specs, found...)
	}
	if len(specs) == 0 {
		t.Fatal("no specs found")
	}
	for _, spec := range specs {
		t.Run(filepath.Base(spec), func(t *testing.T) {
			opts := Options{Tests: true}
			if *update {
				files, errs := Generate([]string{spec}, opts)
				if errs != nil {
					t.Fatal(errs)
				}
				if err := Write(files); err != nil {
					t.Fatal(err)
				}
				return
			}
			drift, errs := Verify([]string{spec}, opts)
			if errs != nil {
				t.Fatal(errs)
			}
			for _, d := range drift {
				if d.Missing {
					t.Errorf("%s is missing (go test ./gen -run Golden -update)", d.Path)
					continue
				}
				t.Errorf("%s is not what its spec generates (go test ./gen -run Golden -update):\n%s", d.Path, d.Diff)
			}
		})
	}
}

// TestGenerateDeterministic generates each spec twice: same bytes.
func TestGenerateDeterministic(t *testing.T) {
	specs, err := FindSpecs("../internal/cases")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		a, errs := Generate([]string{spec}, Options{Tests: true})
		if errs != nil {
			t.Fatal(errs)
		}
		b, _ := Generate([]string{spec}, Options{Tests: true})
		for i := range a {
			if string(a[i].Content) != string(b[i].Content) {
				t.Errorf("%s: two runs differ", a[i].Path)
			}
		}
	}
}
