package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/graphc/graphc/gen/graph"
)

//go:embed mermaid.tmpl dot.tmpl
var files embed.FS

// Formats lists the diagram formats Diagram renders, in the order a CLI
// should offer them.
var Formats = []string{"mermaid", "dot"}

// diagrams maps a format to its template, parsed once from the embedded
// files.
var diagrams = map[string]*template.Template{
	"mermaid": parse("mermaid.tmpl"),
	"dot":     parse("dot.tmpl"),
}

// funcs are the helpers the templates share: indentation by depth, and
// each format's way of quoting a string.
var funcs = template.FuncMap{
	"indent": func(depth int) string { return strings.Repeat("    ", depth+1) },
	"mq":     mermaidQuote,
	"dq":     dotQuote,
	"mc":     mermaidComment,
}

func parse(name string) *template.Template {
	return template.Must(template.New(name).Funcs(funcs).ParseFS(files, name))
}

// Diagram renders g as a diagram in the given format, "mermaid" or "dot"
// (see Formats). The output is deterministic: the same graph gives the same
// bytes. Fork regions are drawn as nested subgraphs (clusters in DOT), the
// edges from a fork node to its branches are drawn thick, and fan-in nodes
// are styled apart.
func Diagram(g *graph.Graph, format string) ([]byte, error) {
	t, ok := diagrams[format]
	if !ok {
		return nil, fmt.Errorf("templates: unknown diagram format %q (formats: %s)", format, strings.Join(Formats, ", "))
	}
	if g == nil {
		return nil, errors.New("templates: nil graph")
	}
	v, err := newView(g)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("templates: %s diagram of %s: %w", format, g.Name, err)
	}
	return buf.Bytes(), nil
}

// mermaidQuote returns s as a double-quoted Mermaid string. Mermaid strings
// have no backslash escapes; characters that would end the string or be
// read as markup are written as Mermaid entity codes (#quot; and the like).
func mermaidQuote(s string) string {
	return `"` + mermaidEscaper.Replace(oneLine(s)) + `"`
}

var mermaidEscaper = strings.NewReplacer(
	"#", "#35;",
	`"`, "#quot;",
	"<", "#lt;",
	">", "#gt;",
	"`", "#96;",
)

// mermaidComment returns s, on one line, as the text of a Mermaid %%
// comment that holds no "%%": Mermaid looks for %%{...}%% directives in the
// whole diagram text, comments included, before it parses anything, so a doc
// could otherwise set the theme or the security level of the rendering.
func mermaidComment(s string) string {
	s = oneLine(s)
	for strings.Contains(s, "%%") {
		s = strings.ReplaceAll(s, "%%", "% %")
	}
	return s
}

// dotQuote returns s as a double-quoted DOT string.
func dotQuote(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

var dotEscaper = strings.NewReplacer(
	`\`, `\\`,
	`"`, `\"`,
	"\r\n", `\n`,
	"\n", `\n`,
	"\r", `\n`,
)
