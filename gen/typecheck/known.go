package typecheck

import (
	"go/types"
	"strings"
)

// The standard types whose insides the generated copy cannot reach
// (unexported fields of another package) get one of three treatments,
// decided here type by type; every other such type that holds a pointer,
// slice, map, chan, func or interface is refused (Reason "opaque").

// apiCopy is a type copied through its own methods: the generated helper
// declares dst of the type and calls Method on it (dst.Set(&src)), or,
// for bytes.Buffer, writes the unread bytes of src into it.
type apiCopy struct {
	Path, Name string // the type: math/big Int
	Method     string // dst.Method(&src) makes dst an independent copy of src
}

var apiCopies = []apiCopy{
	{"math/big", "Int", "Set"},
	{"math/big", "Rat", "Set"},
	{"math/big", "Float", "Copy"}, // Copy keeps precision, mode and accuracy; Set rounds
	{"bytes", "Buffer", "Write"},  // the unread portion: a copy reads what src would read
}

// immutableTypes are copied by value: their documentation promises that a
// value never changes once made, so what they point to may be shared.
var immutableTypes = map[string]bool{
	"time.Time":          true, // its *Location is immutable
	"time.Location":      true,
	"net/netip.Addr":     true,
	"net/netip.AddrPort": true,
	"net/netip.Prefix":   true,
	"unique.Handle":      true, // a canonical, immutable value
	"regexp.Regexp":      true, // safe for concurrent use; held by pointer
	"net/url.Userinfo":   true, // "an immutable encapsulation of username and password details"
}

// sharedTypes are shared when held by pointer: immutable values, or values
// made to be used concurrently (*regexp.Regexp).
var sharedTypes = map[string]bool{
	"time.Location": true,
	"regexp.Regexp": true,
}

func qualifiedName(n *types.Named) string {
	obj := n.Origin().Obj()
	if obj.Pkg() == nil {
		return obj.Name()
	}
	return obj.Pkg().Path() + "." + obj.Name()
}

// apiCopyOf returns how to copy n through its own methods, or nil.
func apiCopyOf(n *types.Named) *apiCopy {
	obj := n.Obj()
	if obj.Pkg() == nil {
		return nil
	}
	for i := range apiCopies {
		if c := &apiCopies[i]; c.Path == obj.Pkg().Path() && c.Name == obj.Name() {
			return c
		}
	}
	return nil
}

// immutableByContract reports whether values of t are copied by value
// although they hold pointers: see immutableTypes.
func immutableByContract(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && immutableTypes[qualifiedName(n)]
}

// sharedByContract reports whether a pointer to t is shared between
// branches rather than copied: see sharedTypes.
func sharedByContract(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && sharedTypes[qualifiedName(n)]
}

// mutableInside reports whether a value of type t, looked at down to its
// unexported fields, reaches memory that a copy by value would share: a
// pointer (other than to a type shared by contract), slice, map, chan, func,
// interface or unsafe.Pointer.
func mutableInside(t types.Type, seen map[string]bool) bool {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		if immutableByContract(u) || seen[typeKey(u)] {
			return false
		}
		seen[typeKey(u)] = true
		return mutableInside(u.Underlying(), seen)
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Pointer:
		return !sharedByContract(u.Elem())
	case *types.Array:
		return mutableInside(u.Elem(), seen)
	case *types.Struct:
		for f := range u.Fields() {
			if mutableInside(f.Type(), seen) {
				return true
			}
		}
		return false
	}
	return true // slice, map, chan, func, interface, type parameter
}

// users reports whether pkg is the user's: not a package of the standard
// library. A standard package's path has no dot in its first element; so
// may a module's without a domain, which is recognised when it is the
// generated package's own module root.
func (a *analyzer) users(pkg *types.Package) bool {
	if pkg == nil {
		return false
	}
	first := func(p string) string { return strings.SplitN(p, "/", 2)[0] }
	f := first(pkg.Path())
	return pkg == a.pkg || strings.Contains(f, ".") || a.pkg != nil && f == first(a.pkg.Path())
}
