package typecheck

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Config says what to load.
type Config struct {
	Dir     string            // directory of the package (the spec's directory); may be relative
	Tags    []string          // build tags (-tags)
	Overlay map[string][]byte // absolute file path -> contents, passed to packages.Config.Overlay
}

// Package is the loaded target package.
//
// A package whose files have type errors still loads: the errors are in
// Errors, and the declarations that did type-check are in Types. Only a
// package that cannot be listed at all (no such directory, not in a module,
// no Go files even with the overlay) makes Load fail.
type Package struct {
	Name    string // package name
	PkgPath string
	Dir     string // absolute directory
	Fset    *token.FileSet
	Types   *types.Package
	Syntax  []*ast.File // the package's files, overlay applied, in GoFiles order
	GoFiles []string    // absolute paths of the files type-checked
	// Errors holds the list, parse and type errors of the package itself,
	// in the order found. Errors inside function bodies are left out when
	// Load took its fast path, which skips bodies.
	Errors []packages.Error
}

// loadMode is what the single, slow path asks of go/packages: names, types
// and syntax of the target package; its imports come from export data.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedTypes | packages.NeedSyntax

// forcePath, when "fast" or "slow", makes Load take that path whatever the
// overlay (tests compare the two).
var forcePath = ""

// Load lists, parses and type-checks the package in cfg.Dir.
//
// How: go/packages treats any overlay as a reason to distrust every export
// data file, and then type-checks the whole dependency graph, standard
// library included, from source (about 5x slower on a small package, far
// worse on one with heavy dependencies). The driver always passes an overlay
// (it blanks previous outputs), and the overlay only ever touches files of
// the target directory, so Load does this instead:
//
//  1. go list the package with the overlay, for its files only
//     (NeedName|NeedFiles|NeedModule: go list -find, no dependency walk);
//  2. parse those files (overlay contents where given) and collect their
//     imports;
//  3. load the types of the imports from export data, without the overlay
//     (NeedName|NeedTypes on the import paths);
//  4. type-check the package with go/types against them (declarations only:
//     function bodies are skipped).
//
// Without an overlay, or when the overlay names a file outside cfg.Dir, Load
// makes one packages.Load (NeedName|NeedFiles|NeedTypes|NeedSyntax), with the
// overlay: the target package from source, its dependencies from export
// data unless there is an overlay.
func Load(cfg Config) (*Package, error) {
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	overlay := make(map[string][]byte, len(cfg.Overlay))
	local := true
	for name, src := range cfg.Overlay {
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, err
		}
		overlay[abs] = src
		if filepath.Dir(abs) != dir {
			local = false
		}
	}
	var flags []string
	if len(cfg.Tags) > 0 {
		flags = append(flags, "-tags="+strings.Join(cfg.Tags, ","))
	}
	if forcePath == "fast" || forcePath == "" && len(overlay) > 0 && local {
		return loadFast(dir, flags, overlay)
	}
	return loadSlow(dir, flags, overlay)
}

func loadSlow(dir string, flags []string, overlay map[string][]byte) (*Package, error) {
	fset := token.NewFileSet()
	pkgs, err := packages.Load(&packages.Config{
		Mode:       loadMode,
		Dir:        dir,
		BuildFlags: flags,
		Overlay:    overlay,
		Fset:       fset,
	}, ".")
	if err != nil {
		return nil, fmt.Errorf("loading package in %s: %w", dir, err)
	}
	lp, err := onePackage(dir, pkgs)
	if err != nil {
		return nil, err
	}
	return &Package{
		Name:    lp.Name,
		PkgPath: lp.PkgPath,
		Dir:     dir,
		Fset:    fset,
		Types:   lp.Types,
		Syntax:  lp.Syntax,
		GoFiles: lp.GoFiles,
		Errors:  lp.Errors,
	}, nil
}

func loadFast(dir string, flags []string, overlay map[string][]byte) (*Package, error) {
	// 1. The package's files, with the overlay.
	pkgs, err := packages.Load(&packages.Config{
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule,
		Dir:        dir,
		BuildFlags: flags,
		Overlay:    overlay,
	}, ".")
	if err != nil {
		return nil, fmt.Errorf("loading package in %s: %w", dir, err)
	}
	lp, err := onePackage(dir, pkgs)
	if err != nil {
		return nil, err
	}
	p := &Package{
		Name:    lp.Name,
		PkgPath: lp.PkgPath,
		Dir:     dir,
		Fset:    token.NewFileSet(),
		GoFiles: lp.GoFiles,
		Errors:  slices.Clone(lp.Errors),
	}
	// 2. Parse them, overlay contents first.
	var paths []string
	for _, name := range lp.GoFiles {
		src, ok := overlay[name]
		if !ok {
			src, err = os.ReadFile(name)
			if err != nil {
				p.Errors = append(p.Errors, packages.Error{Pos: name + ":1", Msg: err.Error(), Kind: packages.ParseError})
				continue
			}
		}
		f, err := parser.ParseFile(p.Fset, name, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			var list scanner.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					p.Errors = append(p.Errors, packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError})
				}
			} else {
				p.Errors = append(p.Errors, packages.Error{Pos: name + ":1", Msg: err.Error(), Kind: packages.ParseError})
			}
		}
		if f == nil {
			continue
		}
		p.Syntax = append(p.Syntax, f)
		for _, imp := range f.Imports {
			if path, err := strconv.Unquote(imp.Path.Value); err == nil && validImport(path) {
				paths = append(paths, path)
			}
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)

	// 3. The types of its imports, from export data (compiled once, then
	// cached by the go command), without the overlay, which concerns none of
	// them.
	byPath := map[string]*types.Package{}
	importErrs := map[string]error{}
	if len(paths) > 0 {
		deps, err := packages.Load(&packages.Config{
			Mode:       packages.NeedName | packages.NeedTypes,
			Dir:        dir,
			BuildFlags: flags,
			Fset:       p.Fset,
		}, paths...)
		if err != nil {
			return nil, fmt.Errorf("loading the imports of %s: %w", lp.PkgPath, err)
		}
		for _, d := range deps {
			if d.Types != nil && d.Types.Complete() {
				byPath[d.PkgPath] = d.Types
			} else if len(d.Errors) > 0 {
				importErrs[d.PkgPath] = errors.New(d.Errors[0].Msg)
			}
		}
	}

	// 4. Type-check the package against them.
	tc := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if t := byPath[path]; t != nil {
				return t, nil
			}
			if err := importErrs[path]; err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("could not import %s", path)
		}),
		// The copy needs declarations, not what function bodies do.
		IgnoreFuncBodies: true,
		FakeImportC:      true,
		Sizes:            types.SizesFor("gc", goarch()),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				p.Errors = append(p.Errors, packages.Error{Pos: te.Fset.Position(te.Pos).String(), Msg: te.Msg, Kind: packages.TypeError})
			}
		},
	}
	if lp.Module != nil && lp.Module.GoVersion != "" {
		tc.GoVersion = "go" + lp.Module.GoVersion
	}
	p.Types = types.NewPackage(lp.PkgPath, lp.Name)
	// Errors were recorded through tc.Error; the checker goes on after them.
	_ = types.NewChecker(tc, p.Fset, p.Types, nil).Files(p.Syntax)
	return p, nil
}

// validImport reports whether path can be handed to go list as a pattern
// (the type checker reports the others).
func validImport(path string) bool {
	return path != "" && path != "C" && path != "unsafe" && !strings.HasPrefix(path, "-") &&
		!strings.HasPrefix(path, ".") && !strings.ContainsAny(path, " \t\n\\\"'`")
}

// onePackage picks the package of dir from a load of "." and turns a package
// that could not be listed into an error.
func onePackage(dir string, pkgs []*packages.Package) (*packages.Package, error) {
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("loading package in %s: got %d packages, want 1", dir, len(pkgs))
	}
	lp := pkgs[0]
	if lp.Name == "" || len(lp.GoFiles) == 0 {
		var msgs []string
		for _, e := range lp.Errors {
			msgs = append(msgs, e.Error())
		}
		if len(msgs) == 0 {
			msgs = append(msgs, "no Go files")
		}
		return nil, fmt.Errorf("loading package in %s: %s", dir, strings.Join(msgs, "; "))
	}
	return lp, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func goarch() string {
	if a := os.Getenv("GOARCH"); a != "" {
		return a
	}
	return runtime.GOARCH
}

// Lookup reports whether the package scope declares name, and where (for
// collision messages). The position is the zero Position for objects without
// one.
func (p *Package) Lookup(name string) (token.Position, bool) {
	obj := p.Types.Scope().Lookup(name)
	if obj == nil {
		return token.Position{}, false
	}
	return p.Fset.Position(obj.Pos()), true
}

// Names returns the identifiers declared in the package scope, sorted.
func (p *Package) Names() []string { return p.Types.Scope().Names() }
