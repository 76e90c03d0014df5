package typecheck

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// Copier emits the deep-copy helpers of one generated file.
//
// Prefix makes helper names unique per generated file (two graphs in one
// package may both copy State): NewCopier("research", pkg) names its helpers
// researchCopyState, researchCopyDoc, ... It should start with a lower-case
// letter so that the helpers stay unexported. A name already declared in pkg
// gets a number appended.
type Copier struct {
	prefix  string
	pkg     *types.Package
	an      *analyzer
	helpers map[string]*helper // by typeKey; "clone:"+typeKey for Clone wrappers
	order   []*helper
	names   map[string]bool
	imports map[string]string // import path -> package name

	// The memo of cycle-aware copies (see doc.go): one map per pointer
	// type that can reach itself, in memoKeys order, in a struct type
	// named memoName, passed to helpers as memoParam.
	memoName  string
	memoParam string
	memoKeys  []*types.Pointer
	memoField map[string]string // typeKey of the pointer -> field name
	cyclic    map[string]bool   // typeKey of a pointer -> it can reach itself
	memo      map[string]bool   // typeKey -> copying the type reaches a cyclic pointer
}

type helper struct {
	name string
	decl jen.Code
}

// NewCopier returns a Copier for code generated in package pkg.
func NewCopier(prefix string, pkg *types.Package) *Copier {
	return &Copier{
		prefix:  prefix,
		pkg:     pkg,
		an:      newAnalyzer(pkg),
		helpers: map[string]*helper{},
		names:   map[string]bool{},
		imports: map[string]string{},

		memoField: map[string]string{},
		cyclic:    map[string]bool{},
		memo:      map[string]bool{},
	}
}

// Copy returns an expression that evaluates to a deep copy of src, which has
// type t, and registers the helper functions that it needs. For a type that
// a plain assignment copies (no pointer, slice or map in it), it returns src
// itself: no helper, no allocation. For a named type with a method Clone() T
// and a value receiver it returns src.Clone(); with a pointer receiver, a
// call of a small helper (src need not be addressable).
//
// Parts that cannot be copied (see State) are copied by value and reported
// by Err.
func (c *Copier) Copy(t types.Type, src jen.Code) jen.Code {
	c.an.root = c.an.typeString(t)
	if !c.an.deep(t, c.an.root, token.NoPos) {
		return src
	}
	if n, ok := types.Unalias(t).(*types.Named); ok && c.an.named[typeKey(n)].clone == clonePointer {
		return jen.Id(c.cloneHelper(n)).Call(src)
	}
	if c.needsMemo(t) {
		// copyStateMemo(src, &stateMemo{}): one memo per copy of the value.
		var name string
		switch u := types.Unalias(t).(type) {
		case *types.Named:
			name = c.namedHelper(u)
		case *types.Pointer:
			if c.isCyclic(u) {
				name = c.ptrHelper(u)
			}
		}
		if name == "" {
			name = c.unnamedHelper(t)
		}
		return jen.Id(name).Call(src, jen.Op("&").Id(c.memoType()).Values())
	}
	if e := c.expr(t, src); e != nil {
		return e
	}
	return jen.Id(c.unnamedHelper(t)).Call(src)
}

// Decls returns the helper function declarations registered so far, in the
// order they were first needed, each with a doc comment.
func (c *Copier) Decls() []jen.Code {
	decls := make([]jen.Code, 0, len(c.order)+1)
	for _, h := range c.order {
		decls = append(decls, h.decl)
	}
	if len(c.memoKeys) > 0 {
		decls = append(decls, c.memoDecl())
	}
	return decls
}

// Names returns the names of the helpers registered so far, in Decls order.
func (c *Copier) Names() []string {
	names := make([]string, 0, len(c.order)+1)
	for _, h := range c.order {
		names = append(names, h.name)
	}
	if len(c.memoKeys) > 0 {
		names = append(names, c.memoName)
	}
	return names
}

// Imports returns the packages that the helpers refer to, import path to
// package name, for jen.File.ImportNames (jennifer guesses a package's name
// from its path otherwise).
func (c *Copier) Imports() map[string]string {
	m := make(map[string]string, len(c.imports))
	for k, v := range c.imports {
		m[k] = v
	}
	return m
}

// Err returns the parts that could not be copied (CopyErrors), if any.
func (c *Copier) Err() error {
	if len(c.an.errs) == 0 {
		return nil
	}
	return c.an.errs
}

// Type returns the Go code for t as written in the generated file, and
// registers the imports it needs.
func (c *Copier) Type(t types.Type) jen.Code { return c.typeCode(t) }

func (c *Copier) qual(path, name string) *jen.Statement {
	c.imports[path] = path[strings.LastIndex(path, "/")+1:]
	return jen.Qual(path, name)
}

// expr returns an expression for a deep copy of x (of type t, which needs
// one), or nil when that takes statements. x is addressable.
func (c *Copier) expr(t types.Type, x jen.Code) jen.Code {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		info := c.an.named[typeKey(u)]
		if info == nil {
			c.an.isDeep(u)
			info = c.an.named[typeKey(u)]
		}
		if info.clone != noClone {
			return jen.Add(x).Dot("Clone").Call()
		}
		if info.api != nil {
			return jen.Id(c.apiHelper(u, info.api)).Call(x)
		}
		switch under := u.Underlying().(type) {
		case *types.Slice:
			if !c.an.isDeep(under.Elem()) {
				return c.qual("slices", "Clone").Call(x)
			}
		case *types.Map:
			if !c.an.isDeep(under.Elem()) {
				return c.qual("maps", "Clone").Call(x)
			}
		}
		return c.call(c.namedHelper(u), u, x)
	case *types.Pointer:
		if c.isCyclic(u) {
			return c.call(c.ptrHelper(u), u, x)
		}
	case *types.Slice:
		if !c.an.isDeep(u.Elem()) {
			return c.qual("slices", "Clone").Call(x)
		}
	case *types.Map:
		if !c.an.isDeep(u.Elem()) {
			return c.qual("maps", "Clone").Call(x)
		}
	}
	return nil
}

func varName(base string, depth int) string {
	if depth == 0 {
		return base
	}
	return base + strconv.Itoa(depth)
}

// deepen returns statements that make dst, which holds a plain copy of src
// (of type t), a deep copy of it. Variables introduced are suffixed with
// depth so that nested loops never shadow each other.
func (c *Copier) deepen(dst, src jen.Code, t types.Type, depth int) []jen.Code {
	if !c.an.isDeep(t) {
		return nil
	}
	if e := c.expr(t, src); e != nil {
		return []jen.Code{jen.Add(dst).Op("=").Add(e)}
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		body := append(c.pointerCopy(src, u.Elem(), depth), jen.Add(dst).Op("=").Op("&").Id(varName("v", depth)))
		return []jen.Code{jen.If(jen.Add(src).Op("!=").Nil()).Block(body...)}
	case *types.Slice:
		return append([]jen.Code{jen.Add(dst).Op("=").Add(c.qual("slices", "Clone").Call(src))},
			c.deepenElems(dst, u.Elem(), depth)...)
	case *types.Map:
		return append([]jen.Code{jen.Add(dst).Op("=").Add(c.qual("maps", "Clone").Call(src))},
			c.deepenValues(dst, u.Elem(), depth)...)
	case *types.Array:
		i := varName("i", depth)
		elemDst := jen.Add(dst).Index(jen.Id(i))
		elemSrc := jen.Add(src).Index(jen.Id(i))
		return []jen.Code{jen.For(jen.Id(i).Op(":=").Range().Add(dst)).Block(c.deepen(elemDst, elemSrc, u.Elem(), depth+1)...)}
	case *types.Struct:
		var stmts []jen.Code
		for f := range u.Fields() {
			if f.Name() == "_" {
				continue
			}
			stmts = append(stmts, c.deepen(jen.Add(dst).Dot(f.Name()), jen.Add(src).Dot(f.Name()), f.Type(), depth)...)
		}
		return stmts
	}
	return nil
}

// pointerCopy returns statements that declare v (suffixed with depth), a
// deep copy of *src, for a non-nil src.
func (c *Copier) pointerCopy(src jen.Code, elem types.Type, depth int) []jen.Code {
	v := varName("v", depth)
	switch {
	case !c.an.isDeep(elem):
		return []jen.Code{jen.Id(v).Op(":=").Op("*").Add(src)}
	case c.cloneOf(elem) != noClone:
		return []jen.Code{jen.Id(v).Op(":=").Add(src).Dot("Clone").Call()}
	}
	if e := c.expr(elem, jen.Op("*").Add(src)); e != nil {
		return []jen.Code{jen.Id(v).Op(":=").Add(e)}
	}
	return append([]jen.Code{jen.Id(v).Op(":=").Op("*").Add(src)}, c.deepen(jen.Id(v), jen.Id(v), elem, depth+1)...)
}

// deepenElems deep-copies, in place, the elements of the slice x (itself
// already a fresh copy).
func (c *Copier) deepenElems(x jen.Code, elem types.Type, depth int) []jen.Code {
	i := varName("i", depth)
	el := jen.Add(x).Index(jen.Id(i))
	return []jen.Code{jen.For(jen.Id(i).Op(":=").Range().Add(x)).Block(c.deepen(el, el, elem, depth+1)...)}
}

// deepenValues deep-copies, in place, the values of the map x (itself
// already a fresh copy). Keys are kept as they are.
func (c *Copier) deepenValues(x jen.Code, elem types.Type, depth int) []jen.Code {
	k, v := varName("k", depth), varName("v", depth)
	var body []jen.Code
	if e := c.expr(elem, jen.Id(v)); e != nil {
		body = []jen.Code{jen.Add(x).Index(jen.Id(k)).Op("=").Add(e)}
	} else {
		body = append(c.deepen(jen.Id(v), jen.Id(v), elem, depth+1), jen.Add(x).Index(jen.Id(k)).Op("=").Id(v))
	}
	return []jen.Code{jen.For(jen.List(jen.Id(k), jen.Id(v)).Op(":=").Range().Add(x)).Block(body...)}
}

func (c *Copier) cloneOf(t types.Type) cloneKind {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return noClone
	}
	if info := c.an.named[typeKey(n)]; info != nil {
		return info.clone
	}
	return cloneMethod(n)
}

// namedHelper returns the name of the helper that copies the named type n,
// registering it (and, while writing its body, the helpers it calls) the
// first time.
func (c *Copier) namedHelper(n *types.Named) string {
	key := typeKey(n)
	if h := c.helpers[key]; h != nil {
		return h.name
	}
	h := &helper{name: c.uniqueName(c.prefix + "Copy" + c.mangle(n))}
	c.helpers[key] = h
	c.order = append(c.order, h)

	body := c.helperBody(n.Underlying())
	h.decl = jen.Commentf("%s returns a deep copy of src.", h.name).Line().
		Func().Id(h.name).Params(c.params(n)...).Add(c.typeCode(n)).Block(body...)
	return h.name
}

// helperBody returns the statements of a helper that returns a deep copy of
// its parameter src, of a type whose underlying type is u.
func (c *Copier) helperBody(u types.Type) []jen.Code {
	src, dst := jen.Id("src"), jen.Id("dst")
	var body []jen.Code
	switch u := u.(type) {
	case *types.Slice:
		body = append([]jen.Code{jen.Id("dst").Op(":=").Add(c.qual("slices", "Clone").Call(src))}, c.deepenElems(dst, u.Elem(), 0)...)
	case *types.Map:
		body = append([]jen.Code{jen.Id("dst").Op(":=").Add(c.qual("maps", "Clone").Call(src))}, c.deepenValues(dst, u.Elem(), 0)...)
	case *types.Pointer:
		if c.isCyclic(u) {
			// A named pointer type: the pointer's own helper keeps the memo.
			return []jen.Code{jen.Return(c.call(c.ptrHelper(u), u, src))}
		}
		body = []jen.Code{jen.If(jen.Id("src").Op("==").Nil()).Block(jen.Return(jen.Nil()))}
		body = append(body, c.pointerCopy(src, u.Elem(), 0)...)
		return append(body, jen.Return(jen.Op("&").Id("v")))
	default:
		body = append([]jen.Code{jen.Id("dst").Op(":=").Add(src)}, c.deepen(dst, src, u, 0)...)
	}
	return append(body, jen.Return(dst))
}

// unnamedHelper returns the name of a helper that copies a value of the
// unnamed type t, for Copy on a type that takes statements to copy.
func (c *Copier) unnamedHelper(t types.Type) string {
	key := typeKey(t)
	if h := c.helpers[key]; h != nil {
		return h.name
	}
	h := &helper{name: c.uniqueName(c.prefix + "Copy" + c.mangle(t))}
	c.helpers[key] = h
	c.order = append(c.order, h)
	body := c.helperBody(t.Underlying())
	h.decl = jen.Commentf("%s returns a deep copy of src.", h.name).Line().
		Func().Id(h.name).Params(c.params(t)...).Add(c.typeCode(t)).Block(body...)
	return h.name
}

// cloneHelper wraps a Clone method with a pointer receiver, so that Copy
// works on values that are not addressable.
func (c *Copier) cloneHelper(n *types.Named) string {
	key := "clone:" + typeKey(n)
	if h := c.helpers[key]; h != nil {
		return h.name
	}
	h := &helper{name: c.uniqueName(c.prefix + "Clone" + c.mangle(n))}
	c.helpers[key] = h
	c.order = append(c.order, h)
	h.decl = jen.Commentf("%s returns src.Clone(): the copy that %s defines for itself.", h.name, c.an.typeString(n)).Line().
		Func().Id(h.name).Params(jen.Id("src").Add(c.typeCode(n))).Add(c.typeCode(n)).Block(
		jen.Return(jen.Id("src").Dot("Clone").Call()))
	return h.name
}

func (c *Copier) uniqueName(base string) string {
	name := base
	for i := 2; c.names[name] || (c.pkg != nil && c.pkg.Scope().Lookup(name) != nil); i++ {
		name = base + strconv.Itoa(i)
	}
	c.names[name] = true
	return name
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// mangle turns a type into the part of a helper name after "Copy":
// Doc, UrlValues (another package's type), PtrDoc, SliceDoc, Array3Doc,
// MapStringSliceInt, BoxInt (instantiated generic).
func (c *Copier) mangle(t types.Type) string {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		s := upperFirst(u.Obj().Name())
		if p := u.Obj().Pkg(); p != nil && p != c.pkg {
			s = upperFirst(p.Name()) + s
		}
		for a := range u.TypeArgs().Types() {
			s += c.mangle(a)
		}
		return s
	case *types.Basic:
		return upperFirst(strings.ReplaceAll(u.Name(), ".", ""))
	case *types.Pointer:
		return "Ptr" + c.mangle(u.Elem())
	case *types.Slice:
		return "Slice" + c.mangle(u.Elem())
	case *types.Array:
		return "Array" + strconv.FormatInt(u.Len(), 10) + c.mangle(u.Elem())
	case *types.Map:
		return "Map" + c.mangle(u.Key()) + c.mangle(u.Elem())
	case *types.Struct:
		return "Struct"
	}
	return "Value"
}

// typeCode renders t for the generated file.
func (c *Copier) typeCode(t types.Type) jen.Code {
	switch u := t.(type) {
	case *types.Alias:
		if obj := u.Obj(); obj.Pkg() == nil || obj.Pkg() == c.pkg || obj.Exported() && importable(c.pkg, obj.Pkg()) {
			if u.TypeArgs().Len() == 0 {
				if obj.Pkg() == nil || obj.Pkg() == c.pkg {
					return jen.Id(obj.Name())
				}
				return c.qual(obj.Pkg().Path(), obj.Name())
			}
		}
		return c.typeCode(types.Unalias(u))
	case *types.Named:
		obj := u.Obj()
		var s *jen.Statement
		if obj.Pkg() == nil || obj.Pkg() == c.pkg {
			s = jen.Id(obj.Name())
		} else {
			s = c.qual(obj.Pkg().Path(), obj.Name())
			c.imports[obj.Pkg().Path()] = obj.Pkg().Name()
		}
		if u.TypeArgs().Len() > 0 {
			var args []jen.Code
			for a := range u.TypeArgs().Types() {
				args = append(args, c.typeCode(a))
			}
			s = s.Types(args...)
		}
		return s
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			return c.qual("unsafe", "Pointer")
		}
		return jen.Id(u.Name())
	case *types.Pointer:
		return jen.Op("*").Add(c.typeCode(u.Elem()))
	case *types.Slice:
		return jen.Index().Add(c.typeCode(u.Elem()))
	case *types.Array:
		return jen.Index(jen.Lit(int(u.Len()))).Add(c.typeCode(u.Elem()))
	case *types.Map:
		return jen.Map(c.typeCode(u.Key())).Add(c.typeCode(u.Elem()))
	case *types.Struct:
		var fields []jen.Code
		for i := range u.NumFields() {
			f := u.Field(i)
			var s *jen.Statement
			if f.Embedded() {
				s = jen.Add(c.typeCode(f.Type()))
			} else {
				s = jen.Id(f.Name()).Add(c.typeCode(f.Type()))
			}
			if tag := u.Tag(i); tag != "" {
				// The tag is part of the type: keep it byte for byte.
				s = s.Op(strconv.Quote(tag))
			}
			fields = append(fields, s)
		}
		return jen.Struct(fields...)
	}
	// func, chan and interface types are refused before code is generated.
	return jen.Id(types.TypeString(t, types.RelativeTo(c.pkg)))
}
