// Command benchtable reads Go benchmark output (go test -bench, and the
// LangGraph.js peer's lines in the same format) and prints one markdown
// table: a row per graph, the MEDIAN ns/op, allocs/op and B/op of each
// system (graphc, hand, eino, langgraph; a column no graph has a value for
// is left out), and the ratios graphc/hand, eino/graphc and langgraph/graphc
// of the medians' ns/op (likewise left out when no graph has both). The
// system is the name's last element, so graphs may have slashes in their
// names (Matrix/<shape>/<handler>/W<w>/graphc). Benchmarks without a
// /system suffix (the generator's) get a second table.
//
// With -checkpoint it tabulates BenchmarkCheckpoint instead (graphc's
// lines, Checkpoint/<graph>/<store>-<mode>, and the LangGraph.js peer's,
// the same with a /langgraph suffix): a row per graph, store and
// durability mode with each system's median ns/op, graphc's ns/node, what
// checkpointing adds per node over the same system's run without a store,
// and langgraph/graphc. With -into FILE the output replaces the part of
// FILE between the lines "<!-- benchtable -->" and "<!-- /benchtable -->"
// instead of going to standard output.
//
// Usage:
//
//	benchtable [-checkpoint] [-into file.md] [file ...]   (standard input when no file is given)
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// systems are the table's column groups, in order.
var systems = []string{"graphc", "hand", "eino", "langgraph"}

// units are the metrics tabulated per system, in order.
var units = []string{"ns/op", "allocs/op", "B/op"}

// samples holds every value seen: benchmark name -> unit -> values.
type samples struct {
	order  []string // benchmark names in order of first appearance
	values map[string]map[string][]float64
	config []string // "key: value" lines (goos, cpu, pkg...), deduplicated
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads benchmark lines: "BenchmarkName[-procs] N value unit [value unit]...".
func (s *samples) parse(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, ": "); ok && (k == "cpu" || k == "goos" || k == "goarch" || k == "pkg") {
			if kv := k + ": " + v; !slices.Contains(s.config, kv) {
				s.config = append(s.config, kv)
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			s.add(name, f[i+1], v)
		}
	}
	return sc.Err()
}

func (s *samples) add(name, unit string, v float64) {
	if s.values == nil {
		s.values = map[string]map[string][]float64{}
	}
	m, ok := s.values[name]
	if !ok {
		m = map[string][]float64{}
		s.values[name] = m
		s.order = append(s.order, name)
	}
	m[unit] = append(m[unit], v)
}

// median returns the median of name's values in unit, and whether there are any.
func (s *samples) median(name, unit string) (float64, bool) {
	return median(s.values[name][unit])
}

func median(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2], true
	}
	return (vs[n/2-1] + vs[n/2]) / 2, true
}

// table writes the markdown tables.
func (s *samples) table(w io.Writer) {
	var graphs, others []string
	for _, name := range s.order {
		// The system is the last element: matrix cells are Matrix/<shape>/<handler>/W<w>/<system>.
		i := strings.LastIndex(name, "/")
		graph, sys, ok := name[:max(i, 0)], name[i+1:], i >= 0
		switch {
		case ok && slices.Contains(systems, sys):
			if !slices.Contains(graphs, graph) {
				graphs = append(graphs, graph)
			}
		default:
			others = append(others, name)
		}
	}

	if len(graphs) > 0 {
		// A column that no graph has a value for (LangGraph.js reports no
		// allocations) is left out.
		type column struct{ sys, unit string }
		var cols []column
		for _, sys := range systems {
			for _, u := range units {
				for _, g := range graphs {
					if _, ok := s.median(g+"/"+sys, u); ok {
						cols = append(cols, column{sys, u})
						break
					}
				}
			}
		}
		head := []string{"graph"}
		for _, c := range cols {
			head = append(head, c.sys+" "+c.unit)
		}
		// A ratio column whose two systems never both have a value is left out.
		var ratios [][2]string
		for _, r := range [][2]string{{"graphc", "hand"}, {"eino", "graphc"}, {"langgraph", "graphc"}} {
			for _, g := range graphs {
				_, ok1 := s.median(g+"/"+r[0], "ns/op")
				_, ok2 := s.median(g+"/"+r[1], "ns/op")
				if ok1 && ok2 {
					ratios = append(ratios, r)
					head = append(head, r[0]+"/"+r[1])
					break
				}
			}
		}
		row(w, head)
		row(w, align(len(head)))
		for _, g := range graphs {
			cells := []string{g}
			for _, c := range cols {
				cells = append(cells, s.cell(g+"/"+c.sys, c.unit))
			}
			for _, r := range ratios {
				cells = append(cells, s.ratio(g+"/"+r[0], g+"/"+r[1]))
			}
			row(w, cells)
		}
	}

	if len(others) > 0 {
		fmt.Fprintln(w)
		head := []string{"benchmark", "ns/op", "allocs/op", "B/op", "samples"}
		row(w, head)
		row(w, align(len(head)))
		for _, name := range others {
			row(w, []string{name, s.cell(name, "ns/op"), s.cell(name, "allocs/op"), s.cell(name, "B/op"),
				strconv.Itoa(len(s.values[name]["ns/op"]))})
		}
	}
}

func (s *samples) cell(name, unit string) string {
	v, ok := s.median(name, unit)
	if !ok {
		return "–"
	}
	switch unit {
	case "ns/op", "ns/node":
		return duration(v)
	case "B/op":
		return bytesize(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ratio is a/b of the medians' ns/op.
func (s *samples) ratio(a, b string) string {
	x, ok1 := s.median(a, "ns/op")
	y, ok2 := s.median(b, "ns/op")
	if !ok1 || !ok2 || y == 0 {
		return "–"
	}
	return sig3(x/y) + "×"
}

// duration formats ns with three significant digits and a unit.
func duration(ns float64) string {
	switch {
	case ns < 1e3:
		return sig3(ns) + " ns"
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	}
	return sig3(ns/1e9) + " s"
}

func bytesize(b float64) string {
	switch {
	case b < 1024:
		return strconv.FormatFloat(b, 'f', 0, 64) + " B"
	case b < 1024*1024:
		return sig3(b/1024) + " KiB"
	}
	return sig3(b/(1024*1024)) + " MiB"
}

// sig3 formats v with three significant digits (no exponent).
func sig3(v float64) string {
	if v == 0 {
		return "0"
	}
	d := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if p := math.Pow10(d); math.Abs(math.Round(v*p)/p) >= math.Pow10(3-d) {
		d-- // rounding carries into a new digit: 99.95 is 100, not 100.0
	}
	if d < 0 {
		d = 0
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

func row(w io.Writer, cells []string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

func align(n int) []string {
	a := make([]string, n)
	a[0] = "---"
	for i := 1; i < n; i++ {
		a[i] = "---:"
	}
	return a
}

func main() {
	checkpoint := flag.Bool("checkpoint", false, "tabulate BenchmarkCheckpoint and its LangGraph.js peer")
	into := flag.String("into", "", "replace the benchtable part of this markdown `file` instead of printing")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: benchtable [-checkpoint] [-into file.md] [file ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	var s samples
	files := flag.Args()
	if len(files) == 0 {
		if err := s.parse(os.Stdin); err != nil {
			fail(err)
		}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fail(err)
		}
		err = s.parse(f)
		f.Close()
		if err != nil {
			fail(err)
		}
	}
	if len(s.order) == 0 {
		fail(fmt.Errorf("no benchmark results in the input"))
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "Medians of %s; %s, %s/%s, %d CPUs.\n", samplesPhrase(&s), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(&out, "Run %s.", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	for _, c := range s.config {
		if k, v, _ := strings.Cut(c, ": "); k == "cpu" || k == "pkg" && strings.HasPrefix(v, "langgraph") {
			fmt.Fprintf(&out, " %s.", v)
		}
	}
	fmt.Fprint(&out, "\n\n")
	if *checkpoint {
		if !s.checkpointTable(&out) {
			fail(fmt.Errorf("no BenchmarkCheckpoint results in the input"))
		}
	} else {
		s.table(&out)
	}
	if *into == "" {
		os.Stdout.Write(out.Bytes())
		return
	}
	doc, err := os.ReadFile(*into)
	if err != nil {
		fail(err)
	}
	doc, err = splice(doc, out.Bytes())
	if err != nil {
		fail(fmt.Errorf("%s: %w", *into, err))
	}
	if err := os.WriteFile(*into, doc, 0o644); err != nil {
		fail(err)
	}
}

// The markers of the part of a markdown file that -into replaces.
const (
	beginMark = "<!-- benchtable -->\n"
	endMark   = "<!-- /benchtable -->\n"
)

// splice returns doc with what lies between its markers replaced by part.
func splice(doc, part []byte) ([]byte, error) {
	before, rest, ok := bytes.Cut(doc, []byte(beginMark))
	if !ok {
		return nil, errors.New(`no line "<!-- benchtable -->" to write the table after`)
	}
	_, after, ok := bytes.Cut(rest, []byte(endMark))
	if !ok {
		return nil, errors.New(`no line "<!-- /benchtable -->" after "<!-- benchtable -->"`)
	}
	var b bytes.Buffer
	b.Write(before)
	b.WriteString(beginMark)
	b.Write(part)
	if len(part) > 0 && part[len(part)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString(endMark)
	b.Write(after)
	return b.Bytes(), nil
}

// samplesPhrase says how many samples each median is of ("6 runs" when all agree).
func samplesPhrase(s *samples) string {
	counts := map[int]bool{}
	for _, name := range s.order {
		counts[len(s.values[name]["ns/op"])] = true
	}
	if len(counts) == 1 {
		for n := range counts {
			return fmt.Sprintf("%d runs", n)
		}
	}
	ns := make([]int, 0, len(counts))
	for n := range counts {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " or ") + " runs"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchtable:", err)
	os.Exit(1)
}
