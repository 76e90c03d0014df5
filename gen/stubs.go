package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/graphc/graphc/gen/diag"
	"github.com/graphc/graphc/gen/graph"
	"github.com/graphc/graphc/gen/typecheck"
)

// Stubs returns a Go file that implements the handler interface of the
// graph of the spec at specPath: a struct type with every method
// <Graph>Handlers asks for, each with a doc comment saying what to
// implement. Node handlers return the state unchanged; each route returns
// the label that leaves the node's loops soonest (graph.Node.Exit), so the
// skeleton, handed to New<Graph>, runs to the end as it is. The package
// clause is the one Generate would write; a state type of another package
// (pkg.Type) is imported as the directory's Go files import it.
//
// The file is a starting point to edit, not generated output: graphc never
// writes or verifies it. Problems in the spec are returned as diagnostics.
func Stubs(specPath string, opts Options) ([]byte, diag.List) {
	g, errs := Load(specPath)
	if errs != nil {
		return nil, errs
	}
	dir := filepath.Dir(specPath)
	files, err := scanDir(dir, opts.Tags)
	if err != nil {
		return nil, diag.List{{Pos: diag.Pos{File: specPath}, Message: err.Error()}}
	}
	pkgName, err := packageName(g, dir, files, opts)
	if err != nil {
		return nil, diag.List{{Pos: g.Pos, Message: err.Error()}}
	}
	imports := []string{`"context"`}
	if pkg, _, ok := strings.Cut(g.State.Type, "."); ok {
		p, found := importPath(files, pkg)
		if !found {
			return nil, diag.List{{Pos: g.State.Pos, Message: fmt.Sprintf("state %s: no Go file beside the spec imports a package named %s: import it in one (graphc stubs writes the import as that file does)", g.State.Type, pkg)}}
		}
		imports = append(imports, p)
	}
	slices.Sort(imports)

	items, errs := stubItemTypes(g, specPath, files, pkgName, opts)
	if errs != nil {
		return nil, errs
	}
	typ := stubType(g, files)
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n%s\n)\n\n", pkgName, strings.Join(imports, "\n"))
	comment(&b, "", fmt.Sprintf("%s implements %sHandlers, the node handlers of the %s graph: pass it to New%s. Give it the clients and settings the nodes need as fields.", typ, g.Name, g.Name, g.Name), g.Doc)
	fmt.Fprintf(&b, "type %s struct{}\n\nvar _ %sHandlers = %s{}\n", typ, g.Name, typ)
	for _, n := range g.Nodes {
		arg, val := "s", g.State.Type
		if n.IsItem() {
			arg, val = "d", items[n.Region]
		}
		b.WriteString("\n")
		comment(&b, "", nodeDoc(n), n.Doc)
		if f := n.JoinOf; f != nil {
			fmt.Fprintf(&b, "func (%s) %s(ctx context.Context, s %s, in %s) (%s, error) {\n\treturn s, nil\n}\n", typ, n.GoName, g.State.Type, f.BranchesType, g.State.Type)
		} else {
			fmt.Fprintf(&b, "func (%s) %s(ctx context.Context, %s %s) (%s, error) {\n\treturn %s, nil\n}\n", typ, n.GoName, arg, val, val, arg)
		}
		if n.Kind == graph.Cond {
			b.WriteString("\n")
			comment(&b, "", routeDoc(n))
			fmt.Fprintf(&b, "func (%s) %s(ctx context.Context, %s %s) (%s, error) {\n\treturn %s, nil\n}\n", typ, n.RouteMethod, arg, val, n.RouteType, n.Cases[n.Exit].Const)
		}
		if f := n.Fork; f != nil && f.Map != nil && f.Map.ItemsMethod != "" {
			b.WriteString("\n")
			comment(&b, "", fmt.Sprintf("%s builds the items the map at %q runs through %q, each on its own copy, given the state %s returned. As written it returns none, so the fan-in %q runs at once.", f.Map.ItemsMethod, n.Name, f.Branches[0].Name, n.GoName, f.FanIn.Name))
			fmt.Fprintf(&b, "func (%s) %s(ctx context.Context, s %s) ([]%s, error) {\n\treturn nil, nil\n}\n", typ, f.Map.ItemsMethod, g.State.Type, items[f])
		}
		if f := n.Fork; f != nil && f.Select {
			var all []string
			for _, br := range f.Branches {
				all = append(all, f.SetType+br.GoName)
			}
			b.WriteString("\n")
			comment(&b, "", fmt.Sprintf("%s picks which branches forked at %q run, given the state %s returned. As written it picks all.", f.SelectMethod(), n.Name, n.GoName))
			fmt.Fprintf(&b, "func (%s) %s(ctx context.Context, s %s) (%s, error) {\n\treturn %s, nil\n}\n", typ, f.SelectMethod(), g.State.Type, f.SetType, strings.Join(all, " | "))
		}
	}
	out, err := format.Source([]byte(b.String()))
	if err != nil { // a bug in this function, not in the spec
		return nil, diag.List{{Pos: g.Pos, Message: "graphc stubs: formatting the skeleton: " + err.Error()}}
	}
	return out, nil
}

// stubItemTypes names the item type of each map edge of g as the package
// spells it: the element type of the state's field (over:, which needs the
// package loaded) or the type items: names.
func stubItemTypes(g *graph.Graph, specPath string, files []goFile, pkgName string, opts Options) (map[*graph.Fork]string, diag.List) {
	out := map[*graph.Fork]string{}
	load := false
	for _, f := range g.Forks {
		if f.Map == nil {
			continue
		}
		out[f] = f.Map.Items
		load = load || f.Map.Over != ""
	}
	if !load {
		return out, nil
	}
	at := func(p diag.Pos) diag.Pos {
		if p.IsValid() {
			return p
		}
		return diag.Pos{File: specPath, Line: 1, Col: 1}
	}
	absOut, err := filepath.Abs(filepath.Join(filepath.Dir(specPath), OutputName(specPath)))
	if err != nil {
		return nil, diag.List{{Pos: at(g.Pos), Message: err.Error()}}
	}
	var decl bytes.Buffer
	fmt.Fprintf(&decl, "package %s\n\n", pkgName)
	stubTypes(&decl, g, userNames(files))
	if g.State.Inline {
		fmt.Fprintf(&decl, "type %s struct {\n", g.State.Type)
		for _, fd := range g.State.Fields {
			if typ, err := TypeExpr(fd.Type); err == nil {
				fmt.Fprintf(&decl, "\t%s %s\n", fd.Name, typ)
			}
		}
		decl.WriteString("}\n")
	}
	overlay := staleOverlay(files)
	overlay[absOut] = decl.Bytes()
	pkg, err := typecheck.Load(typecheck.Config{Dir: filepath.Dir(specPath), Tags: opts.Tags, Overlay: overlay})
	if err != nil {
		return nil, diag.List{{Pos: at(g.Pos), Message: "loading the package: " + err.Error()}}
	}
	st, err := pkg.State(g.State.Type)
	if err != nil {
		return nil, stateErrors(g, err, absOut, at)
	}
	types_, errs := mapItems(g, pkg, st, absOut, false, at)
	if errs != nil {
		return nil, errs
	}
	for f, t := range types_ {
		out[f] = types.TypeString(t, types.RelativeTo(pkg.Types))
	}
	return out, nil
}

// stubType names the skeleton's type: <graph>Handlers (researchHandlers),
// or <graph>HandlersImpl when the package's own files (files, the Go files
// beside the spec) already declare that name.
func stubType(g *graph.Graph, files []goFile) string {
	name := strings.ToLower(g.Name[:1]) + g.Name[1:] + "Handlers"
	for _, f := range files {
		if !f.generated && slices.Contains(f.decls, name) {
			return name + "Impl"
		}
	}
	return name
}

// nodeDoc says what the handler of n must do: what it receives, and where
// the state it returns goes.
func nodeDoc(n *graph.Node) string {
	next := func(to *graph.Node) string {
		switch {
		case to != nil:
			return strconv.Quote(to.Name)
		case n.Region != nil:
			return "its fan-in " + strconv.Quote(n.Region.FanIn.Name)
		}
		return "__end__"
	}
	var then string
	switch n.Kind {
	case graph.Plain:
		then = " The run goes on to " + next(n.Next) + " with the state it returns."
	case graph.Cond:
		then = fmt.Sprintf(" %s then picks where the run goes with the state it returns.", n.RouteMethod)
	case graph.Parallel:
		f := n.Fork
		if m := f.Map; m != nil {
			what := "the items " + m.ItemsMethod + " builds from the state it returns"
			if m.Over != "" {
				what = "each item of " + m.Over + " in the state it returns"
			}
			then = fmt.Sprintf(" Then %s runs through %q on its own copy, and fan-in %q receives that state with the results.", what, f.Branches[0].Name, f.FanIn.Name)
			break
		}
		var names []string
		for _, br := range f.Branches {
			names = append(names, strconv.Quote(br.Name))
		}
		then = fmt.Sprintf(" The state it returns is copied to each branch (%s), and is the state fan-in %q receives.", strings.Join(names, ", "), f.FanIn.Name)
	}
	in := ""
	if n.IsItem() {
		return fmt.Sprintf("%s runs node %q on one item of the map at %q, its own copy: do its work on d and return the item.%s", n.GoName, n.Name, n.Region.From.Name, strings.ReplaceAll(then, "state", "item"))
	}
	if n.Region != nil {
		in = fmt.Sprintf(" (in a branch of the fork at %q, on its own copy of the state)", n.Region.From.Name)
	}
	if f := n.JoinOf; f != nil && f.Map != nil {
		return fmt.Sprintf("%s runs fan-in %q%s once every item mapped at %q has arrived (at once for none). s is the state %q returned; in.%s holds each item as its flow ended, in input order. Return s with the results merged in.%s",
			n.GoName, n.Name, in, f.From.Name, f.From.Name, f.Map.Field, then)
	}
	if f := n.JoinOf; f != nil {
		var fields []string
		for _, br := range f.Branches {
			fields = append(fields, "in."+br.GoName)
		}
		return fmt.Sprintf("%s runs fan-in %q%s once every branch forked at %q has arrived. s is the state %q returned when it forked; %s are the states the branches ended with, each grown from a copy of s. Return s with the branches' results merged in: take from each branch the fields only it writes, or what it added since the fork (in.X.Items[len(s.Items):]), so that what s held at the fork is not counted twice.%s",
			n.GoName, n.Name, in, f.From.Name, f.From.Name, joinWords(fields), then)
	}
	return fmt.Sprintf("%s runs node %q%s: do its work on s and return the new state.%s", n.GoName, n.Name, in, then)
}

// routeDoc says what the route of n returns, label by label.
func routeDoc(n *graph.Node) string {
	var cases []string
	for _, c := range n.Cases {
		to := "__end__"
		switch {
		case c.Target != nil:
			to = strconv.Quote(c.Target.Name)
		case n.Region != nil:
			to = "the fan-in " + strconv.Quote(n.Region.FanIn.Name)
		}
		cases = append(cases, c.Const+" goes to "+to)
	}
	return fmt.Sprintf("%s picks the edge out of %q, given the state %s returned: %s. As written it returns %s, the label that leaves the node's loops soonest, so the graph runs to its end.",
		n.RouteMethod, n.Name, n.GoName, joinWords(cases), n.Cases[n.Exit].Const)
}

// joinWords joins items as prose: "a", "a and b", "a, b and c".
func joinWords(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// comment writes paragraphs as a // comment, wrapped at about 80 columns.
// Spec text is folded onto single lines first: no newline it holds can end
// the comment.
func comment(b *strings.Builder, indent string, paragraphs ...string) {
	first := true
	for _, p := range paragraphs {
		words := strings.Fields(p)
		if len(words) == 0 {
			continue
		}
		if !first {
			b.WriteString(indent + "//\n")
		}
		first = false
		line := indent + "//"
		for _, w := range words {
			if len(line) > len(indent)+2 && len(line)+1+len(w) > 80 {
				b.WriteString(line + "\n")
				line = indent + "//"
			}
			line += " " + w
		}
		b.WriteString(line + "\n")
	}
}

// importPath finds, in the non-generated Go files of a directory, the
// import that the package name pkg refers to, quoted as in the source.
func importPath(files []goFile, pkg string) (string, bool) {
	fset := token.NewFileSet()
	for _, f := range files {
		if f.generated {
			continue
		}
		af, err := parser.ParseFile(fset, f.path, nil, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, imp := range af.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			name := path.Base(p) // the usual package name; an explicit one wins
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name == pkg {
				if imp.Name != nil {
					return imp.Name.Name + " " + imp.Path.Value, true
				}
				return imp.Path.Value, true
			}
		}
	}
	return "", false
}
