package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graphc/graphc/gen"
)

// generateNodes is the size of the spec BenchmarkGenerate10000 compiles.
const generateNodes = 10000

// bigSpec returns a spec of n nodes (a multiple of 10): a chain of blocks of
// ten, each with a fork of two branches and its fan-in, a conditional edge
// that loops back to the block's start, and one that skips a node.
//
//	b0 -> b1 -> parallel [b2, b3] -> b4 (fan-in) -> b5
//	b5 when {again: b0, next: b6}
//	b6 -> b7 when {skip: b9, next: b8}; b8 -> b9 -> next block (or __end__)
func bigSpec(n int) []byte {
	var y bytes.Buffer
	y.WriteString("version: 1\ngraph: Big\ndoc: A generated graph for the generator benchmark.\nstate: State\nnodes:\n")
	name := func(i int) string { return fmt.Sprintf("n%d", i+1) }
	for i := range n {
		if i%10 == 4 {
			fmt.Fprintf(&y, "  - {name: %s, fan_in: true}\n", name(i))
		} else {
			fmt.Fprintf(&y, "  - %s\n", name(i))
		}
	}
	y.WriteString("edges:\n  - {from: __start__, to: n1}\n")
	for b := 0; b < n; b += 10 {
		at := func(i int) string { return name(b + i) }
		next := "__end__"
		if b+10 < n {
			next = name(b + 10)
		}
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(0), at(1))
		fmt.Fprintf(&y, "  - {from: %s, parallel: [%s, %s], fan_in: %s}\n", at(1), at(2), at(3), at(4))
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(2), at(4))
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(3), at(4))
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(4), at(5))
		fmt.Fprintf(&y, "  - {from: %s, when: {again: %s, next: %s}}\n", at(5), at(0), at(6))
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(6), at(7))
		fmt.Fprintf(&y, "  - {from: %s, when: {skip: %s, next: %s}}\n", at(7), at(9), at(8))
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(8), at(9))
		fmt.Fprintf(&y, "  - {from: %s, to: %s}\n", at(9), next)
	}
	return y.Bytes()
}

// writeBigModule writes, in a temporary directory, a module whose package
// declares the state and holds the spec, and returns the spec's path.
func writeBigModule(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/big\n\ngo 1.26\n",
		"state.go": `// Package big holds a generated graph.
package big

// State is the graph's state; Log makes its deep copy non-trivial.
type State struct {
	N   int
	Sum int
	Log []string
}
`,
		"big.graph.yaml": string(bigSpec(n)),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return filepath.Join(dir, "big.graph.yaml")
}

// BenchmarkGenerate10000 runs graphc's whole pipeline — parse, check, load
// the package with go/packages, derive the deep copy, emit, gofmt — on a
// 10,000-node spec, producing the executor and its stress test, like
// `graphc generate` (it writes nothing).
// It also reports the mean wall time of each stage (see gen.Options.Timings)
// as <stage>-ms.
func BenchmarkGenerate10000(b *testing.B) {
	spec := writeBigModule(b, generateNodes)
	var files []gen.File
	stages := map[string]time.Duration{}
	var order []string
	opts := gen.Options{Tests: true, Timings: func(stage string, d time.Duration) {
		if _, ok := stages[stage]; !ok {
			order = append(order, stage)
		}
		stages[stage] += d
	}}
	b.ReportAllocs()
	for b.Loop() {
		var errs error
		files, errs = generate(spec, opts)
		if errs != nil {
			b.Fatal(errs)
		}
	}
	for _, stage := range order {
		b.ReportMetric(float64(stages[stage].Milliseconds())/float64(b.N), stage+"-ms")
	}
	size := 0
	for _, f := range files {
		size += len(f.Content)
	}
	if len(files) != 2 || !bytes.Contains(files[0].Content, []byte("func NewBig(")) {
		b.Fatalf("unexpected output: %d files", len(files))
	}
	b.ReportMetric(float64(size), "bytes-out")
}

// BenchmarkGenerateCLI10000 runs the graphc binary, as a user does,
// `graphc generate` on the spec of BenchmarkGenerate10000, from a clean
// directory each time: ns/op is the wall time of one run, including the
// process's start, its GC settings (see cmd/graphc) and writing the files;
// user-ms and sys-ms are its CPU time.
func BenchmarkGenerateCLI10000(b *testing.B) {
	spec := writeBigModule(b, generateNodes)
	bin := filepath.Join(b.TempDir(), "graphc")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/graphc/graphc/cmd/graphc").CombinedOutput(); err != nil {
		b.Fatalf("building graphc: %v\n%s", err, out)
	}
	dir := filepath.Dir(spec)
	var user, sys time.Duration
	for b.Loop() {
		b.StopTimer()
		for _, name := range []string{"big_graph.go", "big_graph_test.go"} {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "generate", filepath.Base(spec))
		cmd.Dir = dir
		b.StartTimer()
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("graphc generate: %v\n%s", err, out)
		}
		user += cmd.ProcessState.UserTime()
		sys += cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(user.Milliseconds())/float64(b.N), "user-ms")
	b.ReportMetric(float64(sys.Milliseconds())/float64(b.N), "sys-ms")
}

// BenchmarkCheck10000 runs `graphc check` on the spec of
// BenchmarkGenerate10000: everything Generate checks, nothing rendered.
func BenchmarkCheck10000(b *testing.B) {
	spec := writeBigModule(b, generateNodes)
	for b.Loop() {
		if errs := gen.CheckAll([]string{spec}, gen.Options{Tests: true}); len(errs) > 0 {
			b.Fatal(errs[0])
		}
	}
}

func generate(spec string, opts gen.Options) ([]gen.File, error) {
	files, errs := gen.Generate([]string{spec}, opts)
	if len(errs) > 0 {
		var msg strings.Builder
		for i, d := range errs {
			if i == 10 {
				fmt.Fprintf(&msg, "... and %d more\n", len(errs)-10)
				break
			}
			fmt.Fprintln(&msg, d)
		}
		return nil, fmt.Errorf("%s", msg.String())
	}
	return files, nil
}
