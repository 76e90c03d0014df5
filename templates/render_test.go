package templates_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/graphc/graphc/gen"
	"github.com/graphc/graphc/gen/graph"
	"github.com/graphc/graphc/templates"
)

// The render tests draw diagrams with the real renderers: Mermaid (npm,
// pinned by render/package-lock.json) in headless Chromium, and Graphviz.
// They take about two minutes, so they run under make test-diagrams (which
// sets GRAPHC_RENDER=1 and installs Mermaid), not make test. With the
// variable set, a missing tool fails the test under CI=true and skips it
// elsewhere, saying how to run it.

var imgDir = flag.String("diagrams.out", "", "write the examples' PNGs into this directory (make diagrams: docs/img)")

const mermaidJS = "render/node_modules/mermaid/dist/mermaid.min.js"

// tools skips the test unless render tests were asked for and every
// renderer is there; under CI=true a missing renderer is a failure.
func tools(t *testing.T) {
	t.Helper()
	if os.Getenv("GRAPHC_RENDER") != "1" {
		t.Skip("render tests run with GRAPHC_RENDER=1: make test-diagrams")
	}
	var missing []string
	for _, tool := range []string{"chromium", "dot"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if _, err := os.Stat(mermaidJS); err != nil {
		missing = append(missing, "templates/"+mermaidJS+" (npm ci in templates/render)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "render tests need " + strings.Join(missing, ", ") + ": apt-get install chromium graphviz nodejs npm, then make test-diagrams"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Page backgrounds: GitHub's light and dark ones.
var themes = map[string]string{"default": "#ffffff", "dark": "#0d1117"}

// renderMermaid renders text with Mermaid in headless Chromium and returns
// the SVG; with png set it also takes a screenshot of it there. A render
// error fails the test.
func renderMermaid(t *testing.T, text, theme, png string) string {
	t.Helper()
	js, err := filepath.Abs(mermaidJS)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := json.Marshal(text) // json escapes <, > and &: safe inside <script>
	th, _ := json.Marshal(theme)
	page := fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8">
<style>body{margin:0;padding:16px;background:%s}</style>
<script src="file://%s"></script></head><body><div id="out"></div>
<script>
mermaid.initialize({startOnLoad: false, theme: %s, securityLevel: "strict"});
mermaid.render("graphc", %s).then(r => {
  document.getElementById("out").innerHTML = r.svg;
  const svg = document.querySelector("#out svg"), box = svg.viewBox.baseVal;
  svg.setAttribute("width", box.width); // natural size, not the page's width
  svg.setAttribute("height", box.height);
  svg.style.maxWidth = "none";
  document.title = "rendered";
}).catch(e => {
  const p = document.createElement("pre");
  p.id = "error";
  p.textContent = String(e && e.message || e);
  document.body.appendChild(p);
  document.title = "error";
});
</script></body></html>`, themes[theme], js, th, src)
	html := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(html, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	chromium := func(args ...string) []byte {
		args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
			"--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=10000"}, args...)
		cmd := exec.Command("chromium", append(args, "file://"+html)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
		}
		return stdout.Bytes()
	}
	dom := string(chromium("--dump-dom"))
	if m := regexp.MustCompile(`(?s)<pre id="error">(.*?)</pre>`).FindStringSubmatch(dom); m != nil {
		t.Fatalf("mermaid: %s\n%s", m[1], text)
	}
	i, j := strings.Index(dom, "<svg"), strings.LastIndex(dom, "</svg>")
	if !strings.Contains(dom, "<title>rendered</title>") || i < 0 || j < i {
		t.Fatalf("mermaid rendered nothing:\n%.2000s", dom)
	}
	svg := dom[i : j+len("</svg>")]
	if strings.Contains(svg, "Syntax error") {
		t.Fatalf("mermaid drew its error diagram for:\n%s", text)
	}
	if png != "" {
		m := regexp.MustCompile(`viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"`).FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("no viewBox in the SVG")
		}
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		chromium("--screenshot="+png, fmt.Sprintf("--window-size=%d,%d", int(w)+33, int(h)+37))
	}
	return svg
}

// renderDot runs Graphviz on text; any output on stderr (a warning
// included) fails the test.
func renderDot(t *testing.T, text, format, out string) []byte {
	t.Helper()
	args := []string{"-T" + format}
	if out != "" {
		args = append(args, "-o", out)
	}
	cmd := exec.Command("dot", args...)
	cmd.Stdin = strings.NewReader(text)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("dot -T%s: %v\n%s\n%s", format, err, stderr.Bytes(), text)
	}
	return stdout.Bytes()
}

func diagram(t *testing.T, g *graph.Graph, format string) string {
	t.Helper()
	out, err := templates.Diagram(g, format)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// svgNodes counts the nodes Mermaid drew.
var svgNode = regexp.MustCompile(`<g class="node [^"]*" id="graphc-flowchart-([a-z_0-9]+)-\d+"`)

// layout reduces Mermaid's SVG to what decides how it looks, less the
// hand-drawn jitter of some shapes, which differs from one rendering to the
// next: the style sheet (theme and class definitions), the ids, classes and
// places and sizes of nodes, clusters and labels, and their texts.
func layout(svg string) string {
	var b strings.Builder
	for _, m := range svgLayout.FindAllString(svg, -1) {
		b.WriteString(m)
		b.WriteByte('\n')
	}
	return b.String()
}

var svgLayout = regexp.MustCompile(`<style>.*?</style>|<g class="[^"]*"( id="[^"]*")?| (id|transform|viewBox|x|y|width|height)="[^"]*"|<p>[^<]*</p>|<a |href|onclick|<img|<script`)

// TestRenderExamples renders every example's diagram with Mermaid (light
// and dark theme) and Graphviz to PNG, and checks that Mermaid drew every
// node. With -diagrams.out the PNGs are kept there (docs/img).
func TestRenderExamples(t *testing.T) {
	tools(t)
	specs, err := filepath.Glob("../examples/*/*.graph.yaml")
	if err != nil || len(specs) < 3 {
		t.Fatalf("examples: %v %v", specs, err)
	}
	out := *imgDir
	if out == "" {
		out = t.TempDir()
	}
	for _, spec := range specs {
		name := filepath.Base(filepath.Dir(spec))
		g, errs := gen.Load(spec)
		if errs != nil {
			t.Fatal(errs)
		}
		mmd := diagram(t, g, "mermaid")
		for theme, suffix := range map[string]string{"default": ".mermaid.png", "dark": ".mermaid-dark.png"} {
			svg := renderMermaid(t, mmd, theme, filepath.Join(out, name+suffix))
			drawn := map[string]bool{}
			for _, m := range svgNode.FindAllStringSubmatch(svg, -1) {
				drawn[m[1]] = true
			}
			for _, n := range g.Nodes {
				if !drawn["n_"+n.Name] {
					t.Errorf("%s (%s): node %s not drawn", name, theme, n.Name)
				}
			}
			if len(drawn) != len(g.Nodes)+2 {
				t.Errorf("%s (%s): %d nodes drawn, want %d", name, theme, len(drawn), len(g.Nodes)+2)
			}
		}
		renderDot(t, diagram(t, g, "dot"), "png", filepath.Join(out, name+".dot.png"))
	}
}

// hostile is text a spec may hold in a doc, meant to change a diagram:
// Mermaid directives and comments, click handlers, HTML, DOT syntax and
// comments, quotes, brackets and entity codes.
var hostile = []string{
	`%%{init: {"theme": "forest", "securityLevel": "loose", "themeVariables": {"primaryColor": "#ff0000"}}}%%`,
	`%%%{init: {"theme": "dark"}}%%% and %% end`,
	"\nend\nclick n_plan \"javascript:alert(1)\"\nstyle n_plan fill:#f00\n%%{init: {\"theme\": \"neutral\"}}%%",
	`<img src=x onerror="alert(1)"><b>bold</b> &amp; #quot; #35; ]] [[ (( )) {{ }} |x|`,
	`"]; "plan" [color=red, label="pwned"]; node [shape=star]; //`,
	"*/ /* \\\" \\N \\G \\L \\l \\n # ; -- -> => ==> --- classDef fanin fill:#f00",
}

// keywordGraph is a graph whose node and label names are Mermaid and DOT
// keywords, with the hostile docs.
func keywordGraph(t *testing.T, docs bool) *graph.Graph {
	t.Helper()
	spec := `version: 1
graph: Keywords
state: {type: State, fields: [{name: N, type: int}]}
nodes: [end, subgraph, graph, style, classdef, click, {name: node, fan_in: true}, edge, digraph, strict, direction, flowchart]
edges:
  - {from: __start__, to: end}
  - {from: end, parallel: [subgraph, graph, style], fan_in: node}
  - {from: subgraph, to: node}
  - {from: graph, to: classdef}
  - {from: classdef, when: {click: graph, end: node}}
  - {from: style, to: node}
  - {from: node, to: click}
  - {from: click, when: {subgraph: edge, graph: digraph}}
  - {from: edge, to: strict}
  - {from: digraph, to: strict}
  - {from: strict, to: direction}
  - {from: direction, when: {end: __end__, style: flowchart}}
  - {from: flowchart, to: end}
`
	path := filepath.Join(t.TempDir(), "keywords.graph.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	g, errs := gen.Load(path)
	if errs != nil {
		t.Fatal(errs)
	}
	if docs {
		g.Doc = strings.Join(hostile, "\n")
		for i, n := range g.Nodes {
			n.Doc = hostile[i%len(hostile)]
		}
	}
	return g
}

// TestRenderInert: docs hold directives, comments, HTML and syntax of both
// formats, names are keywords of both; the diagrams render, every node is
// drawn, and each rendering is exactly that of the same graph without docs.
func TestRenderInert(t *testing.T) {
	tools(t)
	bare, loaded := keywordGraph(t, false), keywordGraph(t, true)
	for theme := range themes {
		want := renderMermaid(t, diagram(t, bare, "mermaid"), theme, "")
		got := renderMermaid(t, diagram(t, loaded, "mermaid"), theme, "")
		if layout(got) != layout(want) {
			t.Errorf("mermaid (%s): the docs changed the rendering\nwith docs:\n%s\nwithout:\n%s", theme, layout(got), layout(want))
		}
		drawn := len(svgNode.FindAllString(got, -1))
		if drawn != len(bare.Nodes)+2 {
			t.Errorf("mermaid (%s): %d nodes drawn, want %d", theme, drawn, len(bare.Nodes)+2)
		}
	}
	// -Tplain lists every node, edge and label with its place; docs are
	// tooltips, which it leaves out, so nothing else may differ.
	want := renderDot(t, diagram(t, bare, "dot"), "plain", "")
	got := renderDot(t, diagram(t, loaded, "dot"), "plain", "")
	if !bytes.Equal(got, want) {
		t.Errorf("dot: the docs changed the layout\nwith docs:\n%s\nwithout:\n%s", got, want)
	}
	if nodes := bytes.Count(got, []byte("\nnode ")); nodes != len(bare.Nodes)+2 {
		t.Errorf("dot: %d nodes, want %d", nodes, len(bare.Nodes)+2)
	}
	svg := string(renderDot(t, diagram(t, loaded, "dot"), "svg", ""))
	if !strings.Contains(svg, "onerror=&quot;alert(1)&quot;") || strings.Contains(svg, "<img") {
		t.Errorf("dot: the HTML of a doc is not escaped text in the SVG tooltip")
	}
}
