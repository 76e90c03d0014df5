package gen

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graphc/graphc/gen/graph"
)

// TestStubs generates every example and test case graph in a fresh module,
// writes graphc stubs' skeleton beside it, and builds, vets and runs them
// together: the skeleton implements the handler interface (a wrong
// signature fails the build) and, handed to New<Graph>, runs to the end
// (its routes take the labels that leave loops).
func TestStubs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	var specs []string
	for _, glob := range []string{"../examples/*/*.graph.yaml", "../internal/cases/*/*.graph.yaml", "../testdata/check/ok_*.graph.yaml"} {
		found, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, found...)
	}
	if len(specs) < 8 {
		t.Fatalf("found only %d specs: %v", len(specs), specs)
	}
	dir := module(t, map[string]string{})
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "go.sum"), string(sum))
	for i, src := range specs {
		pkg := fmt.Sprintf("p%d", i) // the directories of the specs are named alike
		g, errs := Load(src)
		if errs != nil {
			t.Fatalf("%s: %v", src, errs)
		}
		text, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		spec := filepath.Join(dir, pkg, filepath.Base(src))
		write(spec, string(text))
		if !g.State.Inline {
			if strings.Contains(g.State.Type, ".") {
				continue // a state of another package: not built here
			}
			// The state holds only what map edges map over, and their
			// item types are empty: the skeleton never reads them.
			var fields, items strings.Builder
			declared := map[string]bool{}
			for _, f := range g.Forks {
				switch {
				case f.Map == nil || declared[f.Map.Over+f.Map.Items]:
				case f.Map.Over != "":
					fmt.Fprintf(&fields, "\t%s []%sItem\n", f.Map.Over, f.Map.Over)
					fmt.Fprintf(&items, "type %sItem struct{}\n", f.Map.Over)
				default:
					fmt.Fprintf(&items, "type %s struct{}\n", f.Map.Items)
				}
				if f.Map != nil {
					declared[f.Map.Over+f.Map.Items] = true
				}
			}
			write(filepath.Join(dir, pkg, "state.go"), "package "+pkg+"\n\n// "+g.State.Type+" is empty but for map edges: the skeleton never reads it.\ntype "+g.State.Type+" struct{\n"+fields.String()+"}\n\n"+items.String())
		}
		files, errs := Generate([]string{spec}, Options{})
		if errs != nil {
			t.Fatalf("%s: %v", src, errs)
		}
		if err := Write(files); err != nil {
			t.Fatal(err)
		}
		out, errs := Stubs(spec, Options{})
		if errs != nil {
			t.Fatalf("stubs %s: %v", src, errs)
		}
		if !strings.HasPrefix(string(out), "package "+pkg+"\n") {
			t.Errorf("stubs %s: package clause: %.40q", src, out)
		}
		write(filepath.Join(dir, pkg, "stubs.go"), string(out))
		if len(g.Config.InterruptBefore)+len(g.Config.InterruptAfter) > 0 {
			continue // its runs pause and need a store: the skeleton is only built
		}
		write(filepath.Join(dir, pkg, "stubs_run_test.go"), fmt.Sprintf(`package %s

import (
	"context"
	"testing"
)

func TestStubRuns(t *testing.T) {
	if _, err := New%s(%s{}).Invoke(context.Background(), %s{}); err != nil {
		t.Fatal(err)
	}
}
`, pkg, g.Name, stubType(g, nil), g.State.Type))
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "-run", "^TestStubRuns$", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func TestStubType(t *testing.T) {
	g := &graph.Graph{Name: "Research"}
	if got := stubType(g, nil); got != "researchHandlers" {
		t.Errorf("got %q", got)
	}
	// The package declares researchHandlers already: a second skeleton beside
	// the first must not clash with it.
	files := []goFile{{decls: []string{"State"}}, {decls: []string{"researchHandlers"}}}
	if got := stubType(g, files); got != "researchHandlersImpl" {
		t.Errorf("with researchHandlers declared: got %q", got)
	}
}

// A state from another package is imported the way the package's own
// files import it.
func TestStubsForeignState(t *testing.T) {
	dir := t.TempDir()
	spec := strings.Replace(forkSpec, "state: State", "state: model.State\npackage: app", 1)
	os.WriteFile(filepath.Join(dir, "job.graph.yaml"), []byte(spec), 0o644)
	_, errs := Stubs(filepath.Join(dir, "job.graph.yaml"), Options{})
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "no Go file beside the spec imports a package named model") {
		t.Fatalf("no import: got %v", errs)
	}
	os.WriteFile(filepath.Join(dir, "state.go"), []byte("package app\n\nimport model \"example.com/app/internal/types\"\n\nvar _ model.State\n"), 0o644)
	out, errs := Stubs(filepath.Join(dir, "job.graph.yaml"), Options{})
	if errs != nil {
		t.Fatal(errs)
	}
	for _, want := range []string{"package app\n", "\tmodel \"example.com/app/internal/types\"\n", "func (jobHandlers) M(ctx context.Context, s model.State, in MBranches) (model.State, error) {"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("skeleton lacks %q:\n%s", want, out)
		}
	}
}
