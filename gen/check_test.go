package gen

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCheckGolden checks every spec under testdata/check against the
// diagnostics in its .golden file (empty for a valid spec).
func TestCheckGolden(t *testing.T) {
	specs, err := filepath.Glob("../testdata/check/*.graph.yaml")
	if err != nil || len(specs) < 20 {
		t.Fatalf("want at least 20 check specs, found %d (%v)", len(specs), err)
	}
	for _, spec := range specs {
		name := strings.TrimSuffix(filepath.Base(spec), ".graph.yaml")
		t.Run(name, func(t *testing.T) {
			_, errs := Load(spec)
			got := ""
			if len(errs) > 0 {
				got = errs.Error() + "\n"
			}
			golden := strings.TrimSuffix(spec, ".graph.yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ (go test -update to accept)\n--- got\n%s--- want\n%s", got, want)
			}
			valid := strings.HasPrefix(name, "ok_")
			if valid != (len(errs) == 0) {
				t.Errorf("spec %s: valid=%v but got %d diagnostics", name, valid, len(errs))
			}
			for _, d := range errs {
				if d.Pos.File != spec || d.Pos.Line < 1 {
					t.Errorf("diagnostic without a position in the spec: %v", d)
				}
			}
		})
	}
}

// FuzzCheck feeds arbitrary bytes through the parser and the checker: they
// must never panic, and every problem must come with a position.
func FuzzCheck(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/*/*.graph.yaml")
	more, _ := filepath.Glob("../examples/*/*.graph.yaml")
	for _, p := range append(seeds, more...) {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		g, errs := Check("fuzz.graph.yaml", src)
		if (g == nil) == (len(errs) == 0) {
			t.Fatalf("got graph=%v with %d diagnostics", g != nil, len(errs))
		}
		for _, d := range errs {
			if d.Pos.File != "fuzz.graph.yaml" || d.Pos.Line < 1 || d.Message == "" {
				t.Fatalf("bad diagnostic %q", d)
			}
		}
		if g != nil && !bytes.Contains(src, []byte("version")) {
			t.Fatalf("a spec without a version was accepted")
		}
	})
}

// BenchmarkCheck10000 parses and checks a 10,000-node spec: a chain with a
// fork every 100 nodes and a conditional loop every 100.
func BenchmarkCheck10000(b *testing.B) {
	src := bigSpec(10000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, errs := Check("big.graph.yaml", src); errs != nil {
			b.Fatal(errs)
		}
	}
}

func bigSpec(n int) []byte {
	var nodes, edges strings.Builder
	edges.WriteString("  - {from: __start__, to: n0}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&nodes, "  - n%d\n", i)
	}
	for i := 0; i < n; i++ {
		next := fmt.Sprintf("n%d", i+1)
		if i == n-1 {
			next = "__end__"
		}
		switch {
		case i%100 == 10 && i+3 < n: // n10 forks to n11, n12; they meet at n13
			fmt.Fprintf(&edges, "  - {from: n%d, parallel: [n%d, n%d], fan_in: n%d}\n", i, i+1, i+2, i+3)
			fmt.Fprintf(&edges, "  - {from: n%d, to: n%d}\n  - {from: n%d, to: n%d}\n", i+1, i+3, i+2, i+3)
		case i%100 == 11 || i%100 == 12:
		case i%100 == 50:
			fmt.Fprintf(&edges, "  - from: n%d\n    when: {again: n%d, next: %s}\n", i, i-1, next)
		default:
			fmt.Fprintf(&edges, "  - {from: n%d, to: %s}\n", i, next)
		}
	}
	out := nodes.String()
	for i := 13; i < n; i += 100 {
		out = strings.Replace(out, fmt.Sprintf("  - n%d\n", i), fmt.Sprintf("  - {name: n%d, fan_in: true}\n", i), 1)
	}
	return []byte("version: 1\ngraph: Big\nstate: State\nnodes:\n" + out + "edges:\n" + edges.String())
}
