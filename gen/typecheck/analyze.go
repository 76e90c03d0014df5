package typecheck

import (
	"cmp"
	"fmt"
	"go/token"
	"go/types"
	"strings"
)

// CopyError is a part of the state that the generated deep copy cannot copy.
type CopyError struct {
	Path   string // from the state type down: State.Hooks.OnChange, State.Items[], State.ByName[key], "key of State.ByName"
	Type   string // the part's type, qualified relative to the state's package: func(string)
	Reason string // what it is: "func", "chan", "interface", "unsafe.Pointer", "type parameter", "lock", "invalid", "opaque"
	State  string // the type being copied (the state)
	// Owner is the innermost of the user's named types (not the standard
	// library's) that holds the part: a method Clone() Owner on it is the
	// fix the message suggests. It is State when no other type is closer.
	Owner string
	// Pos is where the field that holds the part is declared, in the
	// user's code (the field of Owner, or of an unnamed struct in it), when
	// known.
	Pos    token.Position
	Detail string // for Reason "invalid": the type errors reported on the field's line
}

func (e *CopyError) Error() string {
	switch e.Reason {
	case "lock":
		return fmt.Sprintf("%s has type %s, which holds a lock and must not be copied: hold it by pointer to share it between branches", e.Path, e.Type)
	case "invalid":
		if e.Detail == "" {
			return fmt.Sprintf("%s has an invalid type", e.Path)
		}
		return fmt.Sprintf("%s has an invalid type: %s", e.Path, e.Detail)
	case "opaque":
		return fmt.Sprintf("%s has type %s, whose unexported fields hold pointers, slices or maps that the generated copy cannot reach, so branches would share them: add a method Clone() %s to %s that copies it through its own API",
			e.Path, e.Type, e.Owner, e.Owner)
	}
	return fmt.Sprintf("%s has type %s, which cannot be deep-copied: add a method Clone() %s to %s that copies it the way you mean",
		e.Path, e.Type, e.Owner, e.Owner)
}

// CopyErrors lists every part of a state that cannot be copied, in the
// order of the state's fields. errors.As finds each *CopyError in it too.
type CopyErrors []*CopyError

func (l CopyErrors) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors of the list.
func (l CopyErrors) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// cloneKind says whether, and with which receiver, a named type has a
// method Clone() T.
type cloneKind uint8

const (
	noClone cloneKind = iota
	cloneValue
	clonePointer
)

// cloneMethod finds a method Clone() T of the named type T, declared with a
// value or a pointer receiver (promoted methods return another type, so they
// never match). Interface types are not asked: a nil interface would panic.
func cloneMethod(n *types.Named) cloneKind {
	if types.IsInterface(n) {
		return noClone
	}
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(n), false, n.Obj().Pkg(), "Clone")
	fn, ok := obj.(*types.Func)
	if !ok {
		return noClone
	}
	sig := fn.Signature()
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), n) {
		return noClone
	}
	if _, ptr := types.Unalias(sig.Recv().Type()).(*types.Pointer); ptr {
		return clonePointer
	}
	return cloneValue
}

// namedInfo is what the analysis decided for one named type.
type namedInfo struct {
	deep   bool      // needs code (a Clone call or a helper) to copy
	clone  cloneKind // has Clone() T
	opaque bool      // of another package, copied by value
	api    *apiCopy  // a standard type copied through its own methods
}

// analyzer decides, for every type reachable from a root, whether a value
// copy suffices or what code it needs, and collects what cannot be copied.
type analyzer struct {
	pkg    *types.Package        // where the generated code lives
	named  map[string]*namedInfo // by typeKey
	root   string                // the type being copied, for paths and advice
	owner  string                // the innermost user type around the part being analyzed
	quiet  bool                  // do not collect errors (code generation re-walks types)
	errs   CopyErrors
	fset   *token.FileSet              // may be nil
	detail func(token.Position) string // type errors at a position; may be nil
}

func newAnalyzer(pkg *types.Package) *analyzer {
	return &analyzer{pkg: pkg, named: map[string]*namedInfo{}}
}

func typeKey(t types.Type) string { return types.TypeString(t, nil) }

// typeString writes t as the user would in the generated package: the
// package's own types bare, others qualified by package name (big.Int).
func (a *analyzer) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p == a.pkg {
			return ""
		}
		return p.Name()
	})
}

func (a *analyzer) refuse(path string, t types.Type, reason string, pos token.Pos) {
	if a.quiet {
		return
	}
	e := &CopyError{Path: path, Type: a.typeString(t), Reason: reason, State: a.root, Owner: cmp.Or(a.owner, a.root)}
	if a.fset != nil && pos.IsValid() {
		e.Pos = a.fset.Position(pos)
	}
	if reason == "invalid" && a.detail != nil {
		e.Detail = a.detail(e.Pos)
	}
	a.errs = append(a.errs, e)
}

// isDeep reports, without collecting errors, whether t needs code to copy.
func (a *analyzer) isDeep(t types.Type) bool {
	q := a.quiet
	a.quiet = true
	defer func() { a.quiet = q }()
	return a.deep(t, "", token.NoPos)
}

// deep reports whether copying a value of type t needs more than assigning
// it; path names the value for error messages and pos is where it is
// declared. A part that cannot be copied is recorded and counts as a value.
func (a *analyzer) deep(t types.Type, path string, pos token.Pos) bool {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		return a.namedDeep(u, path, pos)
	case *types.Basic:
		switch u.Kind() {
		case types.UnsafePointer:
			a.refuse(path, t, "unsafe.Pointer", pos)
		case types.Invalid:
			a.refuse(path, t, "invalid", pos)
		}
		return false
	case *types.Pointer:
		if containsLock(u.Elem()) || sharedByContract(u.Elem()) {
			// A lock is there to be shared; copying one is a bug. Immutable
			// values held by pointer (*time.Location) are shared too.
			return false
		}
		a.deep(u.Elem(), path, pos)
		return true
	case *types.Slice:
		a.deep(u.Elem(), path+"[]", pos)
		return true
	case *types.Array:
		return a.deep(u.Elem(), path+"[]", pos)
	case *types.Map:
		a.checkKey(u.Key(), "key of "+path, pos, map[string]bool{})
		a.deep(u.Elem(), path+"[key]", pos)
		return true
	case *types.Struct:
		if !a.accessible(u) {
			// Fields of another package's struct: generated code cannot
			// reach them, so the struct is copied by value, which is
			// only safe when nothing in it can be shared.
			switch {
			case containsLock(u):
				a.refuse(path, t, "lock", pos)
			case mutableInside(u, map[string]bool{}):
				a.refuse(path, t, "opaque", pos)
			}
			return false
		}
		d := false
		for f := range u.Fields() {
			if f.Name() == "_" {
				continue // unreachable; copied with the struct
			}
			fpos := pos
			if a.users(f.Pkg()) || !pos.IsValid() {
				// Point at the user's own field; inside a standard type,
				// at the user's field that leads there.
				fpos = f.Pos()
			}
			if a.deep(f.Type(), path+"."+f.Name(), fpos) {
				d = true
			}
		}
		return d
	case *types.Signature:
		a.refuse(path, t, "func", pos)
	case *types.Chan:
		a.refuse(path, t, "chan", pos)
	case *types.Interface:
		a.refuse(path, t, "interface", pos)
	case *types.TypeParam:
		a.refuse(path, t, "type parameter", pos)
	default:
		a.refuse(path, t, "invalid", pos)
	}
	return false
}

func (a *analyzer) namedDeep(n *types.Named, path string, pos token.Pos) bool {
	key := typeKey(n)
	if info, ok := a.named[key]; ok {
		// Seen, or being analyzed: a type that refers to itself does so
		// through a pointer, slice or map, so it needs code anyway.
		return info.deep
	}
	info := &namedInfo{deep: true}
	a.named[key] = info
	if info.clone = cloneMethod(n); info.clone != noClone {
		return true
	}
	if isLock(n) {
		info.deep = false
		a.refuse(path, n, "lock", pos)
		return false
	}
	if info.api = apiCopyOf(n); info.api != nil && a.transparent(n) {
		return true
	}
	info.api = nil
	if immutableByContract(n) {
		info.deep, info.opaque = false, true
		return false
	}
	if st, ok := n.Underlying().(*types.Struct); !a.transparent(n) || ok && !a.accessible(st) {
		// Generated code cannot reach its fields: copied by value, which
		// is only safe when nothing in it can be shared.
		info.deep, info.opaque = false, true
		switch {
		case containsLock(n):
			a.refuse(path, n, "lock", pos)
		case mutableInside(n, map[string]bool{}):
			if a.users(n.Obj().Pkg()) {
				// The user's own type of another package: it can copy itself.
				outer := a.owner
				a.owner = a.typeString(n)
				defer func() { a.owner = outer }()
			}
			a.refuse(path, n, "opaque", pos)
		}
		return false
	}
	if a.users(n.Obj().Pkg()) {
		// Parts found below are held by n: a Clone method on n is the
		// closest fix.
		outer := a.owner
		a.owner = a.typeString(n)
		defer func() { a.owner = outer }()
	}
	if kind := refusedKind(n.Underlying()); kind != "" {
		// Refused under the name the user wrote (error, not interface{...}).
		info.deep = false
		a.refuse(path, n, kind, pos)
		return false
	}
	info.deep = a.deep(n.Underlying(), path, pos)
	return info.deep
}

// transparent reports whether generated code in a.pkg can name n: always
// for the package's own types; for another package's, when n is exported and
// its package importable from a.pkg. (Whether it can reach a struct's fields
// is asked of the struct: see accessible.) Other types are copied by value.
func (a *analyzer) transparent(n *types.Named) bool {
	obj := n.Obj()
	if obj.Pkg() == nil || obj.Pkg() == a.pkg {
		return true
	}
	return obj.Exported() && importable(a.pkg, obj.Pkg())
}

// accessible reports whether generated code in a.pkg can read and set every
// named field of st: exported, or declared in a.pkg. That is not the case of
// a struct of another package with unexported fields, even under a local
// name (type MyTime time.Time).
func (a *analyzer) accessible(st *types.Struct) bool {
	for f := range st.Fields() {
		if f.Name() != "_" && !f.Exported() && f.Pkg() != a.pkg {
			return false
		}
	}
	return true
}

// importable reports whether package from may import package to.
func importable(from, to *types.Package) bool {
	if to == from {
		return true
	}
	if to.Name() == "main" {
		return false
	}
	parts := strings.Split(to.Path(), "/")
	for i, p := range parts {
		switch p {
		case "vendor":
			return false
		case "internal":
			parent := strings.Join(parts[:i], "/")
			if parent == "" || (from.Path() != parent && !strings.HasPrefix(from.Path(), parent+"/")) {
				return false
			}
		}
	}
	return true
}

// checkKey refuses map keys that hold something no copy could make
// independent (interface, chan, unsafe.Pointer). Keys are copied as they
// are: they are comparable values, and a pointer key is an identity.
func (a *analyzer) checkKey(t types.Type, path string, pos token.Pos, seen map[string]bool) {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		if seen[typeKey(u)] {
			return
		}
		seen[typeKey(u)] = true
		if types.IsInterface(u) {
			a.refuse(path, t, "interface", pos)
			return
		}
		a.checkKey(u.Underlying(), path, pos, seen)
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			a.refuse(path, t, "unsafe.Pointer", pos)
		}
	case *types.Chan:
		a.refuse(path, t, "chan", pos)
	case *types.Interface:
		a.refuse(path, t, "interface", pos)
	case *types.Array:
		a.checkKey(u.Elem(), path, pos, seen)
	case *types.Struct:
		for f := range u.Fields() {
			a.checkKey(f.Type(), path, pos, seen)
		}
	}
}

// isLock reports whether *n has methods Lock() and Unlock() that n lacks:
// the types go vet's copylocks check forbids to copy (sync.Mutex, the
// noCopy marker of sync/atomic types...).
func isLock(n *types.Named) bool {
	if types.IsInterface(n) {
		return false
	}
	has := func(t types.Type, name string) bool {
		obj, _, _ := types.LookupFieldOrMethod(t, false, n.Obj().Pkg(), name)
		fn, ok := obj.(*types.Func)
		if !ok {
			return false
		}
		sig := fn.Signature()
		return sig.Params().Len() == 0 && sig.Results().Len() == 0
	}
	p := types.NewPointer(n)
	return has(p, "Lock") && has(p, "Unlock") && !has(n, "Lock")
}

// containsLock reports whether a value of type t holds a lock.
func containsLock(t types.Type) bool {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		return isLock(u) || containsLock(u.Underlying())
	case *types.Struct:
		for f := range u.Fields() {
			if containsLock(f.Type()) {
				return true
			}
		}
	case *types.Array:
		return containsLock(u.Elem())
	}
	return false
}

// refusedKind names the kind of an underlying type that no copy can make
// independent, or returns "".
func refusedKind(t types.Type) string {
	switch u := t.(type) {
	case *types.Signature:
		return "func"
	case *types.Chan:
		return "chan"
	case *types.Interface:
		return "interface"
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			return "unsafe.Pointer"
		}
	}
	return ""
}
