package templates

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/graphc/graphc/gen/graph"
	"github.com/graphc/graphc/gen/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// build assembles graph IR by hand, the way graph.Build wires it.
type build struct {
	g      *graph.Graph
	byName map[string]*graph.Node
}

func newBuild(name, doc string) *build {
	return &build{g: &graph.Graph{File: strings.ToLower(name) + ".graph.yaml", Name: name, Doc: doc}, byName: map[string]*graph.Node{}}
}

// nodes declares nodes in spec order; a trailing "+" marks a fan-in.
func (b *build) nodes(names ...string) *build {
	for _, name := range names {
		fanIn := strings.HasSuffix(name, "+")
		name = strings.TrimSuffix(name, "+")
		n := &graph.Node{ID: len(b.g.Nodes), Name: name, GoName: graph.CamelCase(name), FanIn: fanIn}
		b.g.Nodes = append(b.g.Nodes, n)
		b.byName[name] = n
	}
	return b
}

// n looks a node up; "__end__" is nil.
func (b *build) n(name string) *graph.Node {
	if name == "__end__" {
		return nil
	}
	n, ok := b.byName[name]
	if !ok {
		panic("no node " + name)
	}
	return n
}

func (b *build) entry(name string) *build { b.g.Entry = b.n(name); return b }

func (b *build) plain(from, to string) *build {
	n := b.n(from)
	n.Kind, n.Next = graph.Plain, b.n(to)
	return b
}

// cond adds a conditional edge from labels and targets: label, target, ...
func (b *build) cond(from string, pairs ...string) *build {
	n := b.n(from)
	n.Kind = graph.Cond
	n.RouteType, n.RouteMethod = n.GoName+"Route", "Route"+n.GoName
	for i := 0; i < len(pairs); i += 2 {
		label := graph.CamelCase(pairs[i])
		n.Cases = append(n.Cases, graph.Case{Label: pairs[i], GoName: label, Const: n.GoName + label, Target: b.n(pairs[i+1])})
	}
	return b
}

// fork adds a parallel group; region lists the nodes its branches run
// (nested regions excluded) and parent is the enclosing fork or nil.
func (b *build) fork(from string, branches []string, fanIn string, region []string, parent *graph.Fork) *graph.Fork {
	f := &graph.Fork{ID: len(b.g.Forks), From: b.n(from), FanIn: b.n(fanIn), Parent: parent, Depth: 1}
	if parent != nil {
		f.Depth = parent.Depth + 1
	}
	for _, name := range branches {
		f.Branches = append(f.Branches, b.n(name))
	}
	for _, name := range region {
		n := b.n(name)
		n.Region = f
		f.Nodes = append(f.Nodes, n)
	}
	f.BranchesType = f.FanIn.GoName + "Branches"
	f.From.Kind, f.From.Fork = graph.Parallel, f
	f.FanIn.JoinOf = f
	b.g.Forks = append(b.g.Forks, f)
	return f
}

// researchGraph is the graph of DESIGN.md.
func researchGraph() *graph.Graph {
	b := newBuild("Research", "Plans, searches two sources in parallel, merges, reviews.").
		nodes("plan", "search_web", "search_papers", "merge+", "review").
		entry("plan")
	b.fork("plan", []string{"search_web", "search_papers"}, "merge", []string{"search_web", "search_papers"}, nil)
	b.plain("search_web", "merge").plain("search_papers", "merge").plain("merge", "review").
		cond("review", "revise", "plan", "done", "__end__")
	b.n("review").Doc = "Decides whether the answer is good enough."
	b.n("search_papers").Policy = &graph.NodePolicy{Attempts: 3, Timeout: 20 * time.Second}
	b.n("search_web").Policy = &graph.NodePolicy{Attempts: 1, Timeout: 1500 * time.Millisecond}
	b.n("review").Policy = &graph.NodePolicy{Attempts: 2}
	return b.g
}

// nestedGraph forks inside a branch: plan forks into research and write;
// research forks again into web and papers, which meet at collect, still
// inside plan's region; collect loops back or goes on to merge.
func nestedGraph() *graph.Graph {
	b := newBuild("Nested", "").
		nodes("plan", "research", "web", "papers", "collect+", "write", "merge+").
		entry("plan")
	outer := b.fork("plan", []string{"research", "write"}, "merge", []string{"research", "collect", "write"}, nil)
	b.fork("research", []string{"web", "papers"}, "collect", []string{"web", "papers"}, outer)
	b.plain("web", "collect").plain("papers", "collect").
		cond("collect", "more", "research", "enough", "merge").
		plain("write", "merge").plain("merge", "__end__")
	return b.g
}

// linearGraph is a chain with docs that need escaping and a node named end,
// a Mermaid keyword.
func linearGraph() *graph.Graph {
	b := newBuild("Linear", "A chain:\n fetch, parse, end.").
		nodes("fetch", "parse", "end").
		entry("fetch").
		plain("fetch", "parse").plain("parse", "end").plain("end", "__end__")
	b.n("fetch").Doc = `Fetches the "page" <url> \ with # and ` + "`ticks`."
	b.n("parse").Doc = "Parses it,\nline by line."
	return b.g
}

// reforkGraph forks twice in a row: the fan-in of the first fork is the
// fork node of the second, and the first fork node is the target of a loop.
func reforkGraph() *graph.Graph {
	b := newBuild("Refork", "").
		nodes("split", "left", "right", "gather+", "fast", "slow", "done+").
		entry("split")
	b.fork("split", []string{"left", "right"}, "gather", []string{"left", "right"}, nil)
	b.fork("gather", []string{"fast", "slow"}, "done", []string{"fast", "slow"}, nil)
	b.plain("left", "gather").plain("right", "gather").
		plain("fast", "done").plain("slow", "done").
		cond("done", "again", "split", "stop", "__end__")
	return b.g
}

var cases = []struct {
	name string
	g    func() *graph.Graph
}{
	{"research", researchGraph},
	{"nested", nestedGraph},
	{"linear", linearGraph},
	{"refork", reforkGraph},
	{"mapped", mappedGraph},
}

// mappedGraph is internal/cases/mapped's spec: two map edges (over a field,
// over built items) and a select fork.
func mappedGraph() *graph.Graph {
	path := "../internal/cases/mapped/mapped.graph.yaml"
	src, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	f, errs := spec.Parse(path, src)
	if errs != nil {
		panic(errs)
	}
	g, errs := graph.Build(f)
	if errs != nil {
		panic(errs)
	}
	return g
}

var ext = map[string]string{"mermaid": ".mmd", "dot": ".dot"}

func TestGolden(t *testing.T) {
	for _, c := range cases {
		for _, format := range Formats {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				got, err := Diagram(c.g(), format)
				if err != nil {
					t.Fatal(err)
				}
				again, err := Diagram(c.g(), format)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, again) {
					t.Fatalf("two renderings differ:\n%s\n---\n%s", got, again)
				}
				path := filepath.Join("testdata", c.name+ext[format])
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, got)
				}
			})
		}
	}
}

var (
	mmdNode = regexp.MustCompile(`^\s*(\w+)(\(\["[^"]*"\]\):::terminal|\[\["[^"]*"\]\]:::fanin|\["[^"]*"\](:::item)?)$`)
	mmdFork = regexp.MustCompile(`^\s*(\w+)(\[\[|\[)"[a-z][a-z0-9_]*( [^"<]*)?<br/><small>(fork|select|for each [A-Za-z0-9_.]+) → [a-z][a-z0-9_]*</small>"`)
	mmdEdge = regexp.MustCompile(`^\s*(\w+) (-->|==>|-->\|"[a-z][a-z0-9_]*"\||==>\|"for each [A-Za-z0-9_.]+"\||-\.->\|"select"\|) (\w+)$`)
	mmdSub  = regexp.MustCompile(`^\s*subgraph (fork_[a-z][a-z0-9_]*) \[" "\]$`)
)

// TestMermaidShape checks every line of the Mermaid output against the few
// forms it may take: node ids are declared once, before any edge uses them,
// no id is a Mermaid keyword, subgraphs balance and follow the fork nesting,
// and are untitled. A fork node is declared first inside its own fork's
// subgraph, labelled with its fan-in, so that no arrow enters the box
// through a title at its top.
func TestMermaidShape(t *testing.T) {
	for _, c := range cases {
		g := c.g()
		out, err := Diagram(g, "mermaid")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if lines[0] != "flowchart TD" {
			t.Errorf("%s: first line %q", c.name, lines[0])
		}
		declared := map[string]bool{}
		var open []string // the open subgraphs
		where := map[string]string{}
		first := map[string]string{} // subgraph -> the first node declared in it
		forkLabel := map[string]bool{}
		edges := 0
		for _, l := range lines[1:] {
			switch {
			case strings.HasPrefix(strings.TrimSpace(l), "%%"), strings.HasPrefix(strings.TrimSpace(l), "classDef "):
			case mmdSub.MatchString(l):
				open = append(open, mmdSub.FindStringSubmatch(l)[1])
			case strings.TrimSpace(l) == "end":
				if len(open) == 0 {
					t.Fatalf("%s: unbalanced end", c.name)
				}
				open = open[:len(open)-1]
			case mmdNode.MatchString(l):
				id := mmdNode.FindStringSubmatch(l)[1]
				if declared[id] || id == "end" || edges > 0 {
					t.Errorf("%s: bad declaration %q", c.name, l)
				}
				declared[id] = true
				where[id] = strings.Join(open, "/")
				if len(open) > 0 && first[open[len(open)-1]] == "" {
					first[open[len(open)-1]] = id
				}
				if m := mmdFork.FindStringSubmatch(l); m != nil {
					forkLabel[m[1]] = true
				}
			case mmdEdge.MatchString(l):
				m := mmdEdge.FindStringSubmatch(l)
				if !declared[m[1]] || !declared[m[3]] {
					t.Errorf("%s: edge with an undeclared end: %q", c.name, l)
				}
				edges++
			default:
				t.Errorf("%s: unexpected line %q", c.name, l)
			}
		}
		if len(open) != 0 {
			t.Errorf("%s: subgraphs left open: %v", c.name, open)
		}
		// Each node sits in the subgraphs of its fork and the forks around
		// it; a fork node also in its own fork's, declared there first.
		for _, n := range g.Nodes {
			var path []string
			for f := n.Region; f != nil; f = f.Parent {
				path = append([]string{"fork_" + f.From.Name}, path...)
			}
			if n.Kind == graph.Parallel {
				sub := "fork_" + n.Name
				path = append(path, sub)
				if first[sub] != "n_"+n.Name {
					t.Errorf("%s: subgraph %s starts with %q, want its fork node n_%s", c.name, sub, first[sub], n.Name)
				}
			}
			if got, want := where["n_"+n.Name], strings.Join(path, "/"); got != want {
				t.Errorf("%s: node %s drawn in %q, want %q", c.name, n.Name, got, want)
			}
			if forkLabel["n_"+n.Name] != (n.Kind == graph.Parallel) {
				t.Errorf("%s: node %s: fork label %v, want %v", c.name, n.Name, forkLabel["n_"+n.Name], n.Kind == graph.Parallel)
			}
		}
		want := 1 // __start__
		for _, n := range g.Nodes {
			want += len(n.Successors())
			if n.Kind == graph.Parallel {
				want += len(n.Fork.Branches) - 1
			}
		}
		if edges != want {
			t.Errorf("%s: %d edges, want %d", c.name, edges, want)
		}
	}
}

func TestFormats(t *testing.T) {
	_, err := Diagram(researchGraph(), "svg")
	if err == nil || !strings.Contains(err.Error(), `"svg"`) || !strings.Contains(err.Error(), "mermaid, dot") {
		t.Errorf("unknown format: got error %v", err)
	}
	if _, err := Diagram(nil, "dot"); err == nil {
		t.Error("nil graph: no error")
	}
}

// A nil successor inside a branch stands for the branch's fan-in.
func TestNilTargetInBranch(t *testing.T) {
	g := researchGraph()
	for _, n := range g.Nodes {
		if n.Region != nil {
			n.Next = nil
		}
	}
	want, _ := Diagram(researchGraph(), "mermaid")
	got, err := Diagram(g, "mermaid")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("nil branch targets drawn differently:\n%s", got)
	}
}

func TestForeignNode(t *testing.T) {
	g := linearGraph()
	g.Nodes[0].Next = &graph.Node{Name: "ghost"}
	_, err := Diagram(g, "dot")
	if err == nil || !strings.Contains(err.Error(), `"ghost"`) {
		t.Errorf("got error %v, want one naming ghost", err)
	}
}

// TestTools feeds the golden outputs to Graphviz and the Mermaid CLI when
// they are installed.
func TestTools(t *testing.T) {
	tools := map[string][]string{"dot": {"dot", "-Tsvg", "-o", os.DevNull}, "mermaid": {"mmdc", "-o", "out.svg", "-i"}}
	for _, format := range Formats {
		cmd := tools[format]
		if _, err := exec.LookPath(cmd[0]); err != nil {
			t.Logf("%s not installed; %s output not checked by it", cmd[0], format)
			continue
		}
		for _, c := range cases {
			path, err := filepath.Abs(filepath.Join("testdata", c.name+ext[format]))
			if err != nil {
				t.Fatal(err)
			}
			x := exec.Command(cmd[0], append(cmd[1:], path)...)
			x.Dir = t.TempDir()
			if format == "dot" {
				x.Dir = ""
			}
			if out, err := x.CombinedOutput(); err != nil {
				t.Errorf("%s %s: %v\n%s", cmd[0], path, err, out)
			}
		}
	}
}
