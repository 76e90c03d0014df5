package gen

import (
	"bytes"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// goFile is one Go file beside a spec, read once for every question the
// driver asks of the directory: its package name, what the user declares,
// which files graphc wrote.
type goFile struct {
	path      string   // absolute
	pkg       string   // the package clause; "" when even that does not parse
	decls     []string // package-level names; nil when the file does not parse, and for generated files (see generatedDecls)
	generated bool     // written by graphc: it starts with graphc's header
	test      bool     // a _test.go file
	built     bool     // kept by the build constraints (tags) of the load
}

// scanDir reads the Go files of dir. A file that does not parse still
// counts, with what its package clause gives: stale graphc output often
// no longer parses against a new spec, and must still be recognised.
func scanDir(dir string, tags []string) ([]goFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ctxt := build.Default
	ctxt.BuildTags = tags
	fset := token.NewFileSet()
	var files []goFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		p, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		built, err := ctxt.MatchFile(dir, name)
		f := goFile{
			path:      p,
			generated: bytes.HasPrefix(src, []byte(generatedHeader)),
			test:      strings.HasSuffix(name, "_test.go"),
			built:     err == nil && built,
		}
		// A generated file is read for its package clause alone: it is most
		// often an output about to be rewritten, and parsing one (16 MB for
		// a 10,000-node graph) cost a regenerating run a second.
		if f.generated {
			if af, err := parser.ParseFile(fset, p, src, parser.PackageClauseOnly); err == nil {
				f.pkg = af.Name.Name
			}
		} else if af, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution); err == nil {
			f.pkg, f.decls = af.Name.Name, topLevelNames(af)
		} else if af, err := parser.ParseFile(fset, p, src, parser.PackageClauseOnly); err == nil {
			f.pkg = af.Name.Name
		}
		files = append(files, f)
	}
	return files, nil
}

// generatedDecls returns the package-level names of a generated file, which
// scanDir leaves out; nil when it does not parse.
func generatedDecls(f goFile) []string {
	af, err := parser.ParseFile(token.NewFileSet(), f.path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	return topLevelNames(af)
}
