package main

import (
	"io"
	"math"
	"slices"
	"strings"
)

// A checkpoint row: one graph with one store under one durability mode
// ("none" for the run without a store).
type checkpointRow struct {
	graph, store, mode string
}

// name is the row's benchmark name without the system: Checkpoint/<graph>/<store>-<mode>.
func (r checkpointRow) name() string {
	if r.store == "none" {
		return "Checkpoint/" + r.graph + "/none"
	}
	return "Checkpoint/" + r.graph + "/" + r.store + "-" + r.mode
}

// checkpointRows returns the rows of BenchmarkCheckpoint in the input, in
// order of first appearance, whichever system reported them.
func (s *samples) checkpointRows() []checkpointRow {
	var rows []checkpointRow
	for _, name := range s.order {
		f := strings.Split(name, "/")
		if f[0] != "Checkpoint" || len(f) < 3 || len(f) == 4 && f[3] != "langgraph" || len(f) > 4 {
			continue
		}
		r := checkpointRow{graph: f[1], store: f[2]}
		if f[2] != "none" {
			store, mode, ok := strings.Cut(f[2], "-")
			if !ok {
				continue
			}
			r.store, r.mode = store, mode
		}
		if !slices.Contains(rows, r) {
			rows = append(rows, r)
		}
	}
	return rows
}

// nodes returns how many nodes a run of the benchmark name executes, from
// its first sample's ns/op and ns/node, or 0 if it reported no ns/node.
func (s *samples) nodes(name string) int {
	op, node := s.values[name]["ns/op"], s.values[name]["ns/node"]
	if len(op) == 0 || len(node) == 0 || node[0] == 0 {
		return 0
	}
	return int(math.Round(op[0] / node[0]))
}

// checkpointTable writes the table of BenchmarkCheckpoint and its
// LangGraph.js peer; false if the input has neither.
//
// "+/node" is what checkpointing adds per node: the row's median ns/op
// less the same system's median ns/op without a store, over the nodes of a
// run. It is negative when noise outweighs the checkpoint's cost.
func (s *samples) checkpointTable(w io.Writer) bool {
	rows := s.checkpointRows()
	if len(rows) == 0 {
		return false
	}
	head := []string{"graph", "store", "durability", "graphc ns/op", "graphc ns/node", "graphc +/node",
		"langgraph ns/op", "langgraph +/node", "langgraph/graphc"}
	row(w, head)
	row(w, append([]string{"---", "---", "---"}, align(len(head) - 2)[1:]...))
	for _, r := range rows {
		g, lg := r.name(), r.name()+"/langgraph"
		mode := r.mode
		if mode == "" {
			mode = "–"
		}
		row(w, []string{r.graph, r.store, mode,
			s.cell(g, "ns/op"), s.cell(g, "ns/node"), s.added(g, r),
			s.cell(lg, "ns/op"), s.added(lg, r),
			s.ratio(lg, g)})
	}
	return true
}

// added is the "+/node" cell of benchmark name, in row r.
func (s *samples) added(name string, r checkpointRow) string {
	if r.store == "none" {
		return "–"
	}
	none := checkpointRow{graph: r.graph, store: "none"}.name()
	if strings.HasSuffix(name, "/langgraph") {
		none += "/langgraph"
	}
	x, ok1 := s.median(name, "ns/op")
	y, ok2 := s.median(none, "ns/op")
	n := s.nodes(name)
	if !ok1 || !ok2 || n == 0 {
		return "–"
	}
	d := (x - y) / float64(n)
	if d < 0 {
		return "−" + duration(-d)
	}
	return duration(d)
}
