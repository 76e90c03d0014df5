package typecheck

import (
	"go/types"
	"strconv"

	"github.com/dave/jennifer/jen"
)

// This file holds the cycle-aware part of the copy, and the helpers of the
// standard types copied through their own API.
//
// A pointer type *T is cyclic when a value of T can reach a *T again (a
// linked list, a tree with parent pointers, two types that point at each
// other). Copying such pointers one by one would recurse forever on a
// cycle and turn a DAG into a tree, so each cyclic pointer type gets a
// helper that remembers, in a memo that lives for one copy of the state,
// the copy made of each pointer it met:
//
//	func xCopyPtrNode(src *Node, m *xMemo) *Node {
//		if src == nil {
//			return nil
//		}
//		if dst, ok := m.p0[src]; ok {
//			return dst
//		}
//		if m.p0 == nil {
//			m.p0 = make(map[*Node]*Node)
//		}
//		dst := new(Node)
//		m.p0[src] = dst
//		*dst = xCopyNode(*src, m)
//		return dst
//	}
//
// Every helper of a type that reaches a cyclic pointer takes the memo too;
// the helpers of the other types keep their plain, allocation-free form.

// isCyclic reports whether a value of p's element type can reach a value of
// type p, through what the copy walks (Clone types, opaque types and the
// types copied through their API are not walked).
func (c *Copier) isCyclic(p *types.Pointer) bool {
	key := typeKey(p)
	if v, ok := c.cyclic[key]; ok {
		return v
	}
	c.cyclic[key] = false // while walking: a pointer met again is not p
	v := c.reaches(p.Elem(), func(q *types.Pointer) bool { return typeKey(q) == key }, map[string]bool{})
	c.cyclic[key] = v
	return v
}

// needsMemo reports whether copying a value of type t reaches a cyclic
// pointer, so that its helper takes the memo.
func (c *Copier) needsMemo(t types.Type) bool {
	key := typeKey(t)
	if v, ok := c.memo[key]; ok {
		return v
	}
	c.memo[key] = false
	v := c.reaches(t, c.isCyclic, map[string]bool{})
	c.memo[key] = v
	return v
}

// reaches reports whether a pointer type for which match holds is t or is
// reachable from t through what the generated copy walks.
func (c *Copier) reaches(t types.Type, match func(*types.Pointer) bool, seen map[string]bool) bool {
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		key := typeKey(u)
		if seen[key] {
			return false
		}
		seen[key] = true
		if !c.an.isDeep(u) {
			return false
		}
		if info := c.an.named[key]; info == nil || info.clone != noClone || info.api != nil || info.opaque {
			return false
		}
		return c.reaches(u.Underlying(), match, seen)
	case *types.Pointer:
		if !c.an.isDeep(u) {
			return false // shared on purpose (a lock), or flat
		}
		if match(u) {
			return true
		}
		key := typeKey(u)
		if seen[key] {
			return false
		}
		seen[key] = true
		return c.reaches(u.Elem(), match, seen)
	case *types.Slice:
		return c.reaches(u.Elem(), match, seen)
	case *types.Array:
		return c.reaches(u.Elem(), match, seen)
	case *types.Map:
		return c.reaches(u.Elem(), match, seen)
	case *types.Struct:
		if !c.an.accessible(u) {
			return false
		}
		for f := range u.Fields() {
			if f.Name() != "_" && c.reaches(f.Type(), match, seen) {
				return true
			}
		}
	}
	return false
}

// call returns a call of the helper name for a value x of type t, passing
// the memo along when t's helper takes it.
func (c *Copier) call(name string, t types.Type, x jen.Code) jen.Code {
	if c.needsMemo(t) {
		return jen.Id(name).Call(x, jen.Id(c.memoVar()))
	}
	return jen.Id(name).Call(x)
}

// params returns the parameters of the helper of type t.
func (c *Copier) params(t types.Type) []jen.Code {
	ps := []jen.Code{jen.Id("src").Add(c.typeCode(t))}
	if c.needsMemo(t) {
		ps = append(ps, jen.Id(c.memoVar()).Op("*").Id(c.memoType()))
	}
	return ps
}

// memoVar is the name of the memo parameter: m, unless the package
// declares an m that helper bodies might refer to.
func (c *Copier) memoVar() string {
	if c.memoParam == "" {
		c.memoParam = "m"
		for i := 2; c.pkg != nil && c.pkg.Scope().Lookup(c.memoParam) != nil; i++ {
			c.memoParam = "m" + strconv.Itoa(i)
		}
	}
	return c.memoParam
}

// memoType returns the name of the memo struct type, reserving it.
func (c *Copier) memoType() string {
	if c.memoName == "" {
		c.memoName = c.uniqueName(c.prefix + "Memo")
	}
	return c.memoName
}

// memoDecl declares the memo struct: one map per cyclic pointer type met.
func (c *Copier) memoDecl() jen.Code {
	fields := make([]jen.Code, 0, len(c.memoKeys))
	for _, p := range c.memoKeys {
		fields = append(fields, jen.Id(c.memoField[typeKey(p)]).Map(c.typeCode(p)).Add(c.typeCode(p)))
	}
	return jen.Commentf("%s maps each pointer met during one copy of a value to its copy, so that cycles end and shared pointees stay shared.", c.memoType()).Line().
		Type().Id(c.memoType()).Struct(fields...)
}

// ptrHelper returns the name of the memoizing helper of the cyclic pointer
// type p, registering it the first time.
func (c *Copier) ptrHelper(p *types.Pointer) string {
	key := "ptr:" + typeKey(p)
	if h := c.helpers[key]; h != nil {
		return h.name
	}
	h := &helper{name: c.uniqueName(c.prefix + "Copy" + c.mangle(p))}
	c.helpers[key] = h
	c.order = append(c.order, h)
	field := "p" + strconv.Itoa(len(c.memoKeys))
	c.memoKeys = append(c.memoKeys, p)
	c.memoField[typeKey(p)] = field

	m := c.memoVar()
	memo := jen.Id(m).Dot(field)
	body := []jen.Code{
		jen.If(jen.Id("src").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.If(jen.List(jen.Id("dst"), jen.Id("ok")).Op(":=").Add(memo).Index(jen.Id("src")), jen.Id("ok")).Block(jen.Return(jen.Id("dst"))),
		jen.If(jen.Add(memo).Op("==").Nil()).Block(jen.Add(memo).Op("=").Make(jen.Map(c.typeCode(p)).Add(c.typeCode(p)))),
		jen.Id("dst").Op(":=").New(c.typeCode(p.Elem())),
		jen.Add(memo).Index(jen.Id("src")).Op("=").Id("dst"),
	}
	if e := c.expr(p.Elem(), jen.Op("*").Id("src")); e != nil {
		body = append(body, jen.Op("*").Id("dst").Op("=").Add(e))
	} else {
		body = append(body, jen.Id("v").Op(":=").Op("*").Id("src"))
		body = append(body, c.deepen(jen.Id("v"), jen.Id("v"), p.Elem(), 1)...)
		body = append(body, jen.Op("*").Id("dst").Op("=").Id("v"))
	}
	body = append(body, jen.Return(jen.Id("dst")))
	h.decl = jen.Commentf("%s returns a deep copy of src, the same copy for the same pointer within one copy of the value m belongs to.", h.name).Line().
		Func().Id(h.name).Params(jen.Id("src").Add(c.typeCode(p)), jen.Id(m).Op("*").Id(c.memoType())).Add(c.typeCode(p)).Block(body...)
	return h.name
}

// apiHelper returns the name of the helper that copies n, a standard type,
// through its own methods, registering it the first time.
func (c *Copier) apiHelper(n *types.Named, api *apiCopy) string {
	key := "api:" + typeKey(n)
	if h := c.helpers[key]; h != nil {
		return h.name
	}
	h := &helper{name: c.uniqueName(c.prefix + "Copy" + c.mangle(n))}
	c.helpers[key] = h
	c.order = append(c.order, h)
	var set jen.Code
	if api.Method == "Write" {
		// _, _ = dst.Write(src.Bytes()): a bytes.Buffer's Write never fails.
		set = jen.List(jen.Id("_"), jen.Id("_")).Op("=").Id("dst").Dot("Write").Call(jen.Id("src").Dot("Bytes").Call())
	} else {
		// dst.Set(&src)
		set = jen.Id("dst").Dot(api.Method).Call(jen.Op("&").Id("src"))
	}
	h.decl = jen.Commentf("%s returns a copy of src that shares no memory with it, made with %s.%s.", h.name, n.Obj().Name(), api.Method).Line().
		Func().Id(h.name).Params(jen.Id("src").Add(c.typeCode(n))).Add(c.typeCode(n)).Block(
		jen.Var().Id("dst").Add(c.typeCode(n)),
		set,
		jen.Return(jen.Id("dst")),
	)
	return h.name
}
