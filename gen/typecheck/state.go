package typecheck

import (
	"fmt"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// State is the resolved state type.
type State struct {
	Named *types.Named
	// Expr is the expression that named it in the spec ("State", "model.State").
	Expr string
	// Pos is where the type is declared.
	Pos token.Position
	// HasClone: the type has a method Clone() T, with a value or a pointer
	// receiver, and the generated copy calls it instead of copying field by
	// field. ClonePointer says the receiver is a pointer.
	HasClone     bool
	ClonePointer bool
	// Flat: a plain assignment copies the state (no pointer, slice or map
	// anywhere in it): Copier.Copy returns its source unchanged.
	Flat bool
}

// StateError says why the spec's state expression names no usable type.
type StateError struct {
	Expr string // as written in the spec
	Kind string // "syntax", "package", "missing", "not a type", "unexported", "not named", "not a struct", "generic"
	Msg  string
}

func (e *StateError) Error() string { return e.Msg }

// State resolves the spec's state type expression and checks that it can be
// deep-copied.
//
// expr is "Name", a type of the package, or "pkg.Name", an exported type of a
// package that the package imports, where pkg is the package's name, the last
// element of its import path, or the whole import path (when several imports
// match, the expression is ambiguous and refused).
//
// Errors: *StateError when the expression names no non-generic struct type;
// CopyErrors when parts of it cannot be copied (every such part is listed).
// A type with a method Clone() T is not looked into.
func (p *Package) State(expr string) (*State, error) {
	qual, name := "", expr
	if i := strings.LastIndex(expr, "."); i >= 0 {
		qual, name = expr[:i], expr[i+1:]
	}
	if !token.IsIdentifier(name) || (qual == "" && strings.Contains(expr, ".")) {
		return nil, &StateError{expr, "syntax", fmt.Sprintf("invalid state type %q: want a type name, like State, or a qualified one, like model.State", expr)}
	}
	scope, where := p.Types.Scope(), "package "+p.Name
	if qual != "" {
		imp, err := p.imported(expr, qual)
		if err != nil {
			return nil, err
		}
		scope, where = imp.Scope(), "package "+imp.Path()
		if !token.IsExported(name) {
			return nil, &StateError{expr, "unexported", fmt.Sprintf("%s is not exported: the state of another package must be an exported type", expr)}
		}
	}
	obj := scope.Lookup(name)
	if obj == nil {
		msg := fmt.Sprintf("no type %s in %s", name, where)
		if qual == "" && len(p.Errors) > 0 {
			msg += " (the package has errors, which may hide it: " + p.errorSummary(p.Errors) + ")"
		}
		return nil, &StateError{expr, "missing", msg}
	}
	tn, ok := obj.(*types.TypeName)
	if !ok {
		return nil, &StateError{expr, "not a type", fmt.Sprintf("%s is a %s, not a type: the state must be a struct type", expr, objectKind(obj))}
	}
	named, ok := types.Unalias(tn.Type()).(*types.Named)
	if !ok {
		return nil, &StateError{expr, "not named", fmt.Sprintf("%s is an alias for %s: the state must be a named struct type", expr, types.TypeString(tn.Type().Underlying(), types.RelativeTo(p.Types)))}
	}
	if named.TypeParams().Len() > 0 {
		return nil, &StateError{expr, "generic", fmt.Sprintf("%s is generic; the state must be a non-generic struct type", expr)}
	}
	if _, ok := named.Underlying().(*types.Struct); !ok {
		if b, ok := named.Underlying().(*types.Basic); ok && b.Kind() == types.Invalid {
			pos := p.Fset.Position(tn.Pos())
			return nil, &StateError{expr, "not a struct", fmt.Sprintf("%s has an invalid type: %s", expr, p.errorsAt(pos, true))}
		}
		return nil, &StateError{expr, "not a struct", fmt.Sprintf("%s is %s type, not a struct: the state must be a struct", expr, kindPhrase(named.Underlying()))}
	}

	a := newAnalyzer(p.Types)
	a.root, a.fset = expr, p.Fset
	a.detail = func(pos token.Position) string { return p.errorsAt(pos, false) }
	flat := !a.deep(named, expr, tn.Pos())
	if len(a.errs) > 0 {
		return nil, a.errs
	}
	ck := a.named[typeKey(named)].clone
	return &State{
		Named:        named,
		Expr:         expr,
		Pos:          p.Fset.Position(tn.Pos()),
		HasClone:     ck != noClone,
		ClonePointer: ck == clonePointer,
		Flat:         flat,
	}, nil
}

// imported finds the imported package that qual names.
func (p *Package) imported(expr, qual string) (*types.Package, error) {
	var found []*types.Package
	for _, imp := range p.Types.Imports() {
		if imp.Path() == qual || imp.Name() == qual || path.Base(imp.Path()) == qual {
			found = append(found, imp)
		}
	}
	switch len(found) {
	case 0:
		return nil, &StateError{expr, "package", fmt.Sprintf("no imported package %s in package %s: import it in a file of the package, or name the state type by its import path", qual, p.Name)}
	case 1:
		return found[0], nil
	}
	var paths []string
	for _, f := range found {
		paths = append(paths, f.Path())
	}
	slices.Sort(paths)
	return nil, &StateError{expr, "package", fmt.Sprintf("%s is ambiguous: package %s imports %s", qual, p.Name, strings.Join(paths, " and "))}
}

// errorsAt returns the package errors reported on pos's line (or, if none
// and all is set, every error), summarized.
func (p *Package) errorsAt(pos token.Position, all bool) string {
	prefix := fmt.Sprintf("%s:%d:", pos.Filename, pos.Line)
	var errs = p.Errors[:0:0]
	for _, e := range p.Errors {
		if strings.HasPrefix(e.Pos, prefix) {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 && all {
		errs = p.Errors
	}
	return p.errorSummary(errs)
}

func (p *Package) errorSummary(errs []packages.Error) string {
	const max = 3
	var msgs []string
	for i, e := range errs {
		if i == max {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(errs)-max))
			break
		}
		msgs = append(msgs, e.Error())
	}
	return strings.Join(msgs, "; ")
}

func objectKind(obj types.Object) string {
	switch obj.(type) {
	case *types.Func:
		return "func"
	case *types.Var:
		return "var"
	case *types.Const:
		return "const"
	case *types.PkgName:
		return "package"
	}
	return "declaration"
}

// kindPhrase names the kind of a non-struct underlying type: "a string",
// "a slice", "an interface"...
func kindPhrase(t types.Type) string {
	word := "a"
	var kind string
	switch u := t.(type) {
	case *types.Basic:
		kind = u.Name()
	case *types.Pointer:
		kind = "pointer"
	case *types.Slice:
		kind = "slice"
	case *types.Array:
		kind = "array"
	case *types.Map:
		kind = "map"
	case *types.Chan:
		kind = "channel"
	case *types.Signature:
		kind = "func"
	case *types.Interface:
		kind = "interface"
	default:
		kind = "non-struct"
	}
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		word = "an"
	}
	return word + " " + kind
}
