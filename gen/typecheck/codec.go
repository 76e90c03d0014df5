package typecheck

import (
	"fmt"
	"go/token"
	"go/types"
	"reflect"
)

// CodecError is a part of the state that encoding/json would silently
// change on a checkpoint's way to a store and back: the resumed run would
// see another state than the one that was saved.
type CodecError struct {
	Path   string         // from the state type down, as in CopyError
	Type   string         // the part's type
	Reason string         // "unexported", "json:\"-\"", "map key", "interface", "func", "chan", "complex", "unsafe.Pointer", "opaque"
	Owner  string         // the innermost user type that holds it: where MarshalJSON and UnmarshalJSON would go
	Pos    token.Position // the user's field that holds it, when known
	// Temporal: the state also crosses encoding/json at every activity call
	// of the graph's Temporal workflow (graphc generate -temporal).
	Temporal bool
}

func (e *CodecError) Error() string {
	var what string
	carriers, zero, alt := "checkpoints", "a resumed run would see it zero", "or set checkpoints: false in the spec's config if the graph never runs with a store"
	if e.Temporal {
		carriers, zero, alt = "the Temporal workflow's activity calls", "the next node would see it zero", "or generate without -temporal (and delete the _temporal.go file)"
	}
	switch e.Reason {
	case "unexported":
		what = "is unexported, so encoding/json leaves it out of " + carriers + ": " + zero
	case `json:"-"`:
		what = `is tagged json:"-", so encoding/json leaves it out of ` + carriers + ": " + zero
	case "map key":
		what = fmt.Sprintf("is a map whose keys (%s) encoding/json cannot encode: keys must be strings, integers or implement encoding.TextMarshaler", e.Type)
	case "opaque":
		what = fmt.Sprintf("has type %s, whose unexported fields encoding/json leaves out of %s", e.Type, carriers)
	default:
		what = fmt.Sprintf("has type %s, which encoding/json cannot restore as it was", e.Type)
	}
	fix := ""
	switch e.Reason {
	case "unexported":
		fix = "export it, or "
	case `json:"-"`:
		fix = "remove the tag, or "
	}
	return fmt.Sprintf("%s %s: %sadd methods MarshalJSON and UnmarshalJSON to %s, %s",
		e.Path, what, fix, e.Owner, alt)
}

// CheckCodec lists the parts of the state that encoding/json, the codec of
// checkpoints, would not bring back as they were: unexported fields (and
// embedded non-struct types of unexported names), fields tagged json:"-",
// map keys that are neither strings, integers nor encoding.TextMarshaler,
// interface, func, chan, complex and unsafe.Pointer values, and types of
// other packages with unexported fields. A type that implements
// json.Marshaler and json.Unmarshaler, or encoding.TextMarshaler and
// encoding.TextUnmarshaler, is trusted and not looked into. Pointer
// sharing and cycles are not checked: JSON writes a shared value twice, and
// fails on a cycle, with an error.
func (p *Package) CheckCodec(st *State) []*CodecError {
	c := &codecChecker{an: newAnalyzer(p.Types), fset: p.Fset, seen: map[string]bool{}}
	c.an.root = st.Expr
	c.owner = st.Expr
	c.walk(st.Named, st.Expr, st.Named.Obj().Pos())
	return c.errs
}

type codecChecker struct {
	an    *analyzer
	fset  *token.FileSet
	seen  map[string]bool
	owner string
	errs  []*CodecError
}

func (c *codecChecker) refuse(path string, t types.Type, reason string, pos token.Pos) {
	e := &CodecError{Path: path, Type: c.an.typeString(t), Reason: reason, Owner: c.owner}
	if pos.IsValid() {
		e.Pos = c.fset.Position(pos)
	}
	c.errs = append(c.errs, e)
}

func (c *codecChecker) walk(t types.Type, path string, pos token.Pos) {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		if hasJSONCodec(u) {
			return
		}
		key := typeKey(u)
		if c.seen[key] {
			return
		}
		c.seen[key] = true
		if c.an.users(u.Obj().Pkg()) {
			outer := c.owner
			c.owner = c.an.typeString(u)
			defer func() { c.owner = outer }()
		} else if st, ok := u.Underlying().(*types.Struct); ok && !exportedOnly(st) {
			c.refuse(path, u, "opaque", pos)
			return
		}
		c.walk(u.Underlying(), path, pos)
	case *types.Basic:
		switch {
		case u.Info()&types.IsComplex != 0:
			c.refuse(path, t, "complex", pos)
		case u.Kind() == types.UnsafePointer:
			c.refuse(path, t, "unsafe.Pointer", pos)
		}
	case *types.Pointer:
		c.walk(u.Elem(), path, pos)
	case *types.Slice:
		c.walk(u.Elem(), path+"[]", pos)
	case *types.Array:
		c.walk(u.Elem(), path+"[]", pos)
	case *types.Map:
		if !jsonKey(u.Key()) {
			c.refuse(path, u.Key(), "map key", pos)
		}
		c.walk(u.Elem(), path+"[key]", pos)
	case *types.Struct:
		for i := range u.NumFields() {
			f := u.Field(i)
			fpos := pos
			if c.an.users(f.Pkg()) || !pos.IsValid() {
				fpos = f.Pos()
			}
			fpath := path + "." + f.Name()
			if f.Name() == "_" {
				continue
			}
			if reflect.StructTag(u.Tag(i)).Get("json") == "-" { // json:"-," names a field "-"
				c.refuse(fpath, f.Type(), `json:"-"`, fpos)
				continue
			}
			if !f.Exported() {
				// An embedded struct of an unexported type still has its
				// exported fields promoted; anything else is dropped.
				if f.Embedded() {
					if _, ok := derefStruct(f.Type()); ok {
						c.walk(f.Type(), fpath, fpos)
						continue
					}
				}
				c.refuse(fpath, f.Type(), "unexported", fpos)
				continue
			}
			c.walk(f.Type(), fpath, fpos)
		}
	case *types.Signature:
		c.refuse(path, t, "func", pos)
	case *types.Chan:
		c.refuse(path, t, "chan", pos)
	case *types.Interface:
		c.refuse(path, t, "interface", pos)
	}
}

// derefStruct returns the struct under t or under the type t points to.
func derefStruct(t types.Type) (*types.Struct, bool) {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return st, ok
}

// exportedOnly reports whether every named field of st is exported.
func exportedOnly(st *types.Struct) bool {
	for f := range st.Fields() {
		if f.Name() != "_" && !f.Exported() && !f.Embedded() {
			return false
		}
	}
	return true
}

// jsonKey reports whether encoding/json can encode and decode a map key of
// type t: a string or integer kind, or an encoding.TextMarshaler (and
// TextUnmarshaler through a pointer).
func jsonKey(t types.Type) bool {
	if b, ok := t.Underlying().(*types.Basic); ok && b.Info()&(types.IsString|types.IsInteger) != 0 {
		return true
	}
	return implements(t, "MarshalText", false) && implements(types.NewPointer(t), "UnmarshalText", true)
}

// hasJSONCodec reports whether n encodes and decodes itself: MarshalJSON
// and UnmarshalJSON, or MarshalText and UnmarshalText (for decoding, on a
// pointer).
func hasJSONCodec(n *types.Named) bool {
	p := types.NewPointer(n)
	return implements(p, "MarshalJSON", false) && implements(p, "UnmarshalJSON", true) ||
		implements(p, "MarshalText", false) && implements(p, "UnmarshalText", true)
}

// implements reports whether t has the method name with the signature of
// json.Marshaler's / encoding.TextMarshaler's (unmarshal: the
// Unmarshaler's).
func implements(t types.Type, name string, unmarshal bool) bool {
	bytes := types.NewSlice(types.Typ[types.Byte])
	errT := types.Universe.Lookup("error").Type()
	var sig *types.Signature
	if unmarshal {
		sig = types.NewSignatureType(nil, nil, nil, types.NewTuple(types.NewParam(token.NoPos, nil, "", bytes)), types.NewTuple(types.NewParam(token.NoPos, nil, "", errT)), false)
	} else {
		sig = types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewParam(token.NoPos, nil, "", bytes), types.NewParam(token.NoPos, nil, "", errT)), false)
	}
	iface := types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, name, sig)}, nil).Complete()
	return types.Implements(t, iface)
}
