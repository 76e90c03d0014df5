package copyzoo

// Reflection over the zoo, for copy_test.go: a builder of random states, a
// comparison that knows about Clone counters, the memory a value can write
// through, and a mutation of every part of a state. All of them walk any
// type, so a field added to State is built, compared, checked and mutated
// without touching this file.

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// ---------------------------------------------------------------------------
// Types.

// class is what the copy rules say about a type.
type class uint8

const (
	plain    class = iota
	timeT          // time.Time: opaque, built and mutated by hand
	userinfo       // url.Userinfo: opaque, built and mutated by hand
	opaqueT        // another package's struct with unexported fields: copied by value, not looked into
	cloner         // has a method Clone() T: copied by calling it, not looked into
)

// typeInfo is what the walkers need to know about a type, computed once.
type typeInfo struct {
	class  class
	lock   bool        // a value of the type holds a lock: a pointer to it is shared
	keyPtr bool        // a map type whose keys hold pointers
	flat   bool        // holds no pointer, slice or map: == compares it, nothing in it can be shared
	clones bool        // a value of the type may hold a value of a type with a Clone method
	fields []fieldInfo // of a struct, blank fields left out
	cloned int         // of a cloner: the index of its Cloned counter
}

type fieldInfo struct {
	index    int
	name     string
	exported bool
}

// infos holds the typeInfo of every type reachable from State, filled by
// init and only read afterwards (by concurrent branches too).
var infos = map[reflect.Type]*typeInfo{}

var (
	timeType     = reflect.TypeFor[time.Time]()
	userinfoType = reflect.TypeFor[url.Userinfo]()
	zooPkg       = reflect.TypeFor[State]().PkgPath()
)

func init() {
	learn(reflect.TypeFor[State]())
	for t, ti := range infos {
		ti.flat = flat(t)
		ti.clones = reaches(t, hasClone, map[reflect.Type]bool{})
	}
}

// flat reports whether t holds no pointer, slice or map.
func flat(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return flat(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !flat(t.Field(i).Type) {
				return false
			}
		}
	}
	return true
}

// reaches reports whether a value of type t may hold a value of a type
// for which is holds.
func reaches(t reflect.Type, is func(reflect.Type) bool, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if is(t) {
		return true
	}
	if opaque(t) {
		return false // not looked into
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return reaches(t.Elem(), is, seen)
	case reflect.Map:
		return reaches(t.Key(), is, seen) || reaches(t.Elem(), is, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if reaches(t.Field(i).Type, is, seen) {
				return true
			}
		}
	}
	return false
}

// info returns what is known of t, which must be reachable from State.
func info(t reflect.Type) *typeInfo {
	ti := infos[t]
	if ti == nil {
		panic(fmt.Sprintf("type %s is not reachable from State", t))
	}
	return ti
}

// learn records the typeInfo of t and of every type reachable from it.
func learn(t reflect.Type) {
	if infos[t] != nil {
		return
	}
	ti := &typeInfo{lock: holdsLock(t)}
	infos[t] = ti
	switch {
	case t == timeType:
		ti.class = timeT
	case t == userinfoType:
		ti.class = userinfo
	case opaque(t):
		ti.class = opaqueT
	case hasClone(t):
		ti.class = cloner
		f, _ := t.FieldByName("Cloned")
		ti.cloned = f.Index[0]
	}
	if ti.class != plain && ti.class != cloner {
		return
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		learn(t.Elem())
	case reflect.Map:
		ti.keyPtr = hasPointers(t.Key())
		learn(t.Key())
		learn(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Name != "_" {
				ti.fields = append(ti.fields, fieldInfo{i, f.Name, f.IsExported()})
				learn(f.Type)
			}
		}
	}
}

// hasClone reports whether t has a method Clone() t, with a value or a
// pointer receiver: the generated copy calls it and does not look inside.
func hasClone(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false
	}
	m, ok := reflect.PointerTo(t).MethodByName("Clone")
	return ok && m.Type.NumIn() == 1 && m.Type.NumOut() == 1 && m.Type.Out(0) == t
}

// opaque reports whether t is a struct of another package with unexported
// fields (time.Time, url.Userinfo): the generated copy copies it by value,
// sharing whatever it points to.
func opaque(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.PkgPath() == "" || t.PkgPath() == zooPkg {
		return false
	}
	for i := range t.NumField() {
		if f := t.Field(i); !f.IsExported() && f.Name != "_" {
			return true
		}
	}
	return false
}

// holdsLock reports whether a value of type t holds a lock (a type whose
// pointer has Lock and Unlock and which itself has no Lock, as go vet's
// copylocks sees it): the generated copy shares a pointer to such a type.
func holdsLock(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct:
		_, pl := reflect.PointerTo(t).MethodByName("Lock")
		_, pu := reflect.PointerTo(t).MethodByName("Unlock")
		_, vl := t.MethodByName("Lock")
		if pl && pu && !vl {
			return true
		}
		for i := range t.NumField() {
			if holdsLock(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return holdsLock(t.Elem())
	}
	return false
}

// hasPointers reports whether t, a map key type, holds a pointer.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer:
		return true
	case reflect.Array:
		return hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// field returns field f of the addressable struct v, settable even when it
// is unexported (the builder and the mutation write State.secret and co.;
// values read through it are not read-only either, so Interface and Set
// work on everything below it).
func field(v reflect.Value, f fieldInfo) reflect.Value {
	fv := v.Field(f.index)
	if f.exported {
		return fv
	}
	return reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
}

// addressable returns an addressable copy of v (a map value, say).
func addressable(v reflect.Value) reflect.Value {
	a := reflect.New(v.Type()).Elem()
	a.Set(v)
	return a
}

// keyString names a map key, through pointers: two pointer keys to equal
// values get the same name.
func keyString(k reflect.Value) string {
	switch k.Kind() {
	case reflect.Pointer:
		if k.IsNil() {
			return "nil"
		}
		return "&" + keyString(k.Elem())
	case reflect.String:
		return strconv.Quote(k.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	case reflect.Bool:
		return strconv.FormatBool(k.Bool())
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(k.Float(), 'g', -1, 64)
	case reflect.Array:
		parts := make([]string, k.Len())
		for i := range parts {
			parts[i] = keyString(k.Index(i))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case reflect.Struct:
		parts := make([]string, k.NumField())
		for i := range parts {
			parts[i] = keyString(k.Field(i))
		}
		return k.Type().Name() + "{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprintf("%#v", k.Interface())
}

// path is where a value is, from the State down, built as the walkers go
// and turned into text only for messages.
type path struct {
	up   *path
	op   byte // 0: the root, named name; '.': field name; '[': index i; 'k': map key; '*': pointee
	name string
	i    int
	key  reflect.Value
}

func root(name string) *path { return &path{name: name} }

// The methods that extend a path return nil on a nil path: the walkers run
// without paths first, and again with paths only to explain a failure.

func (p *path) field(name string) *path {
	if p == nil {
		return nil
	}
	return &path{up: p, op: '.', name: name}
}

func (p *path) index(i int) *path {
	if p == nil {
		return nil
	}
	return &path{up: p, op: '[', i: i}
}

func (p *path) mapKey(k reflect.Value) *path {
	if p == nil {
		return nil
	}
	return &path{up: p, op: 'k', key: k}
}

func (p *path) deref() *path {
	if p == nil {
		return nil
	}
	return &path{up: p, op: '*'}
}

func (p *path) suffix(s string) *path {
	if p == nil {
		return nil
	}
	return &path{up: p, op: '+', name: s}
}

func (p *path) String() string { return p.text(false) }
func (p *path) text(underStruct bool) string {
	switch p.op {
	case '.':
		return p.up.text(true) + "." + p.name
	case '[':
		return p.up.text(false) + "[" + strconv.Itoa(p.i) + "]"
	case 'k':
		return p.up.text(false) + "[" + keyString(p.key) + "]"
	case '*':
		if underStruct { // Go's own shorthand: p.Field for (*p).Field
			return p.up.text(false)
		}
		return "(*" + p.up.text(false) + ")"
	case '+':
		return p.up.text(false) + p.name
	}
	return p.name
}

// ---------------------------------------------------------------------------
// Building random states.

// source draws the choices of a builder.
type source interface {
	intn(n int) int // in [0, n)
}

// bytesSource draws from fuzz input: a byte per choice (two when n > 256).
// Once the bytes run out every choice is 0, which picks nil, so every input
// builds a finite state and a short one builds a small state.
type bytesSource struct{ b []byte }

func (s *bytesSource) next() int {
	if len(s.b) == 0 {
		return 0
	}
	x := int(s.b[0])
	s.b = s.b[1:]
	return x
}

func (s *bytesSource) intn(n int) int {
	x := s.next()
	if n > 256 {
		x = x<<8 | s.next()
	}
	return x % n
}

// randSource draws from a seeded generator.
type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int { return s.r.IntN(n) }

func newRand(a, b uint64) randSource { return randSource{rand.New(rand.NewPCG(a, b))} }

// builder fills values at random: every pointer nil or not, every slice
// and map nil, empty or of 1 to 5 elements (slices sometimes with spare
// capacity), every value random. Pointers always point to fresh values, so
// what it builds is a tree (linked lists included): the copy rules require
// no cycles and promise no sharing to be kept.
type builder struct {
	src    source
	budget int  // pointers, slices, maps and elements left to allocate
	full   bool // no nil and no empty while the budget and depth last
}

const (
	buildDepth  = 7  // pointers, slices and maps nested at most this deep
	fieldBudget = 10 // allocations per field of State
)

// build returns a random State, drawn from src.
func build(src source, full bool) State {
	var s State
	b := &builder{src: src, full: full}
	v := reflect.ValueOf(&s).Elem()
	for _, f := range info(v.Type()).fields {
		b.budget = fieldBudget // so that the fields last in State are not always empty
		b.fill(field(v, f), buildDepth)
	}
	return s
}

// some decides whether a pointer is non-nil.
func (b *builder) some(depth int) bool {
	if depth <= 0 || b.budget <= 0 {
		return false
	}
	if !b.full && b.src.intn(3) == 0 {
		return false
	}
	b.budget--
	return true
}

// length decides the length of a slice or map; ok is false for nil.
func (b *builder) length(depth int) (n int, ok bool) {
	if depth <= 0 || b.budget <= 0 {
		return 0, false
	}
	c := b.src.intn(8)
	if b.full {
		c = 3 + c%5
	}
	switch {
	case c < 2:
		return 0, false
	case c == 2:
		n = 0
	default:
		n = c - 2
	}
	b.budget -= 1 + n
	return n, true
}

func (b *builder) str() string {
	const alphabet = "abxyz"
	n := b.src.intn(5)
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = alphabet[b.src.intn(len(alphabet))]
	}
	return string(buf)
}

func (b *builder) time() time.Time {
	sec, nsec := int64(b.src.intn(1<<16))*10007, int64(b.src.intn(1000))
	switch b.src.intn(4) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(sec, nsec).UTC()
	case 2:
		return time.Unix(sec, nsec).In(time.FixedZone("Z", (b.src.intn(25)-12)*3600))
	}
	return time.Unix(sec, nsec).In(time.Local)
}

// fill sets v, addressable and settable and holding its zero value, to a
// random value.
func (b *builder) fill(v reflect.Value, depth int) {
	t := v.Type()
	ti := info(t)
	switch ti.class {
	case timeT:
		v.Set(reflect.ValueOf(b.time()))
		return
	case userinfo:
		u := url.User(b.str())
		if b.src.intn(2) == 1 {
			u = url.UserPassword(b.str(), b.str())
		}
		v.Set(reflect.ValueOf(u).Elem())
		return
	case opaqueT:
		return // another package's insides: leave it zero
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(b.src.intn(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(b.src.intn(201) - 100))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(uint64(b.src.intn(256)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(b.src.intn(2001)-1000) / 8) // never NaN: DeepEqual would fail
	case reflect.String:
		v.SetString(b.str())
	case reflect.Pointer:
		if !b.some(depth) {
			return
		}
		p := reflect.New(t.Elem())
		if !info(t.Elem()).lock { // a lock stays zero
			b.fill(p.Elem(), depth-1)
		}
		v.Set(p)
	case reflect.Slice:
		n, ok := b.length(depth)
		if !ok {
			return
		}
		spare := 0
		if b.src.intn(4) == 3 {
			spare = 1 + b.src.intn(3) // capacity beyond the length: append writes there
		}
		s := reflect.MakeSlice(t, n, n+spare)
		for i := range n {
			b.fill(s.Index(i), depth-1)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			b.fill(v.Index(i), depth)
		}
	case reflect.Map:
		n, ok := b.length(depth)
		if !ok {
			return
		}
		m := reflect.MakeMapWithSize(t, n)
		for range n {
			k := reflect.New(t.Key()).Elem()
			b.fill(k, depth-1)
			e := reflect.New(t.Elem()).Elem()
			b.fill(e, depth-1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for _, f := range ti.fields {
			b.fill(field(v, f), depth)
		}
	default:
		panic(fmt.Sprintf("builder: unexpected kind %s (%s)", t.Kind(), t))
	}
}

// ---------------------------------------------------------------------------
// Comparing.

// differ compares a value got (k) with the value wanted (o) the way
// reflect.DeepEqual does, except that the Cloned counter of a type with a
// Clone method (Counted, Ledger) must be delta more in k than in o. It
// records where they differ, as "path: got, want".
type differ struct {
	delta int64
	errs  []string
}

func (d *differ) errorf(format string, args ...any) {
	if len(d.errs) < 10 {
		d.errs = append(d.errs, fmt.Sprintf(format, args...))
	}
}

// compare compares o and k, addressable values of one type.
func (d *differ) compare(o, k reflect.Value, p *path) {
	t := o.Type()
	ti := info(t)
	switch ti.class {
	case timeT, userinfo, opaqueT:
		if !reflect.DeepEqual(o.Interface(), k.Interface()) {
			d.errorf("%s: %v, want %v", p, k.Interface(), o.Interface())
		}
		return
	case cloner:
		oc, kc := o.Field(ti.cloned).Int(), k.Field(ti.cloned).Int()
		if kc != oc+d.delta {
			d.errorf("%s.Cloned: %d, want %d (was its Clone called once?)", p, kc, oc+d.delta)
		}
		// The rest of it must be equal: go on, with Cloned out of the way.
		o, k = addressable(o), addressable(k)
		o.Field(ti.cloned).SetInt(0)
		k.Field(ti.cloned).SetInt(0)
	}
	if ti.flat {
		if !o.Equal(k) {
			d.errorf("%s: %v, want %v", p, k.Interface(), o.Interface())
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if o.IsNil() || k.IsNil() {
			if o.IsNil() != k.IsNil() {
				d.errorf("%s: nil in one only (got nil: %v)", p, k.IsNil())
			}
			return
		}
		if o.Pointer() != k.Pointer() {
			d.compare(o.Elem(), k.Elem(), p.deref())
		}
	case reflect.Slice:
		if o.IsNil() != k.IsNil() {
			d.errorf("%s: nil in one only (got nil: %v)", p, k.IsNil())
			return
		}
		if o.Len() != k.Len() {
			d.errorf("%s: length %d, want %d", p, k.Len(), o.Len())
			return
		}
		for i := range o.Len() {
			d.compare(o.Index(i), k.Index(i), p.index(i))
		}
	case reflect.Array:
		for i := range o.Len() {
			d.compare(o.Index(i), k.Index(i), p.index(i))
		}
	case reflect.Map:
		if o.IsNil() != k.IsNil() {
			d.errorf("%s: nil in one only (got nil: %v)", p, k.IsNil())
			return
		}
		if o.Len() != k.Len() {
			d.errorf("%s: %d keys, want %d", p, k.Len(), o.Len())
		}
		for it := o.MapRange(); it.Next(); {
			kv := k.MapIndex(it.Key())
			if !kv.IsValid() {
				d.errorf("%s: key %s missing", p, keyString(it.Key()))
				continue
			}
			d.compare(addressable(it.Value()), addressable(kv), p.mapKey(it.Key()))
		}
	case reflect.Struct:
		for _, f := range ti.fields {
			d.compare(field(o, f), field(k, f), p.field(f.name))
		}
	default:
		panic(fmt.Sprintf("compare: unexpected kind %s (%s)", t.Kind(), t))
	}
}

// diff returns where k (got) differs from o (want), Clone counters delta
// more in k.
func diff(o, k State, delta int64) []string {
	ov, kv := reflect.ValueOf(&o).Elem(), reflect.ValueOf(&k).Elem()
	d := &differ{delta: delta}
	d.compare(ov, kv, nil)
	if len(d.errs) > 0 { // again, with paths
		d = &differ{delta: delta}
		d.compare(ov, kv, root("State"))
	}
	return d.errs
}

// bump adds delta to the Cloned counter of every value of v, addressable and
// settable, whose type has a Clone method.
func bump(v reflect.Value, delta int64) {
	t := v.Type()
	ti := info(t)
	if !ti.clones {
		return
	}
	switch ti.class {
	case timeT, userinfo, opaqueT:
		return
	case cloner:
		c := v.Field(ti.cloned)
		c.SetInt(c.Int() + delta)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if !v.IsNil() && !info(t.Elem()).lock {
			bump(v.Elem(), delta)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			bump(v.Index(i), delta)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := addressable(it.Value())
			bump(e, delta)
			v.SetMapIndex(it.Key(), e) // an existing key: allowed while ranging
		}
	case reflect.Struct:
		for _, f := range ti.fields {
			bump(field(v, f), delta)
		}
	}
}

// bumpState adds delta to every Clone counter of s.
func bumpState(s *State, delta int64) { bump(reflect.ValueOf(s).Elem(), delta) }

// ---------------------------------------------------------------------------
// Memory.

// span is memory that a value can write through: a pointee, the backing
// array of a slice up to its capacity (append writes there), a map.
type span struct {
	lo, hi uintptr
	path   *path
}

// collect appends to spans the memory that v (addressable) can write
// through, except where the copy rules say that sharing it is expected:
//
//   - what a struct of another package with unexported fields points to
//     (time.Time's *Location, meant to be shared): such a struct is copied
//     by value, so its own fields are not shared, but it is not looked into;
//   - what is inside a value whose type has a Clone method (Counted,
//     Ledger): the copy calls Clone and does not look inside, so what Clone
//     shares is the type's business (theirs share nothing; diff checks that
//     Clone was called);
//   - the pointee of a pointer to a type that holds a lock (*Tally): the
//     copy keeps the pointer, a lock is there to be shared;
//   - map keys: they are kept as they are (a pointer key, as in
//     State.ByRef, is an identity) and cannot be written in place;
//   - strings: immutable.
func collect(v reflect.Value, p *path, spans *[]span) {
	t := v.Type()
	ti := info(t)
	if ti.class != plain || ti.flat {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() || info(t.Elem()).lock {
			return
		}
		if n := t.Elem().Size(); n > 0 {
			*spans = append(*spans, span{v.Pointer(), v.Pointer() + n, p})
		}
		collect(v.Elem(), p.deref(), spans)
	case reflect.Slice:
		if n := t.Elem().Size() * uintptr(v.Cap()); n > 0 {
			lo := v.Pointer()
			*spans = append(*spans, span{lo, lo + n, p.suffix("[:cap]")})
		}
		for i := range v.Len() {
			collect(v.Index(i), p.index(i), spans)
		}
	case reflect.Array:
		for i := range v.Len() {
			collect(v.Index(i), p.index(i), spans)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		*spans = append(*spans, span{v.Pointer(), v.Pointer() + 1, p}) // empty maps too: a branch could write one
		for it := v.MapRange(); it.Next(); {
			collect(addressable(it.Value()), p.mapKey(it.Key()), spans)
		}
	case reflect.Struct:
		for _, f := range ti.fields {
			collect(field(v, f), p.field(f.name), spans)
		}
	}
}

// spansOf returns the memory that s can write through (see collect), with
// paths when name is not empty.
func spansOf(s *State, name string) []span {
	var p *path
	if name != "" {
		p = root(name)
	}
	var spans []span
	collect(reflect.ValueOf(s).Elem(), p, &spans)
	return spans
}

// sharedStates returns a message for each part of b that shares memory with
// a (see collect for what may be shared), naming both with an and bn.
func sharedStates(a *State, an string, b *State, bn string) []string {
	if len(shared(spansOf(a, ""), spansOf(b, ""))) == 0 {
		return nil
	}
	return shared(spansOf(a, an), spansOf(b, bn)) // again, with paths
}

// shared returns, for each span of b that overlaps a span of a, a message
// naming both.
func shared(a, b []span) []string {
	a = slices.Clone(a)
	slices.SortFunc(a, func(x, y span) int { return cmp.Compare(x.lo, y.lo) })
	maxHi := make([]uintptr, len(a)) // maxHi[i]: the highest end among a[:i+1]
	for i, s := range a {
		maxHi[i] = s.hi
		if i > 0 {
			maxHi[i] = max(maxHi[i], maxHi[i-1])
		}
	}
	var msgs []string
	for _, s := range b {
		n, _ := slices.BinarySearchFunc(a, s.hi, func(x span, hi uintptr) int { return cmp.Compare(x.lo, hi) })
		if n == 0 || maxHi[n-1] <= s.lo {
			continue
		}
		for j := n - 1; j >= 0; j-- {
			if a[j].hi > s.lo {
				msgs = append(msgs, fmt.Sprintf("%s shares memory with %s", s.path, a[j].path))
				break
			}
		}
		if len(msgs) == 10 {
			break
		}
	}
	return msgs
}

// ---------------------------------------------------------------------------
// Mutating.

// mix hashes x with a string.
func mix(x uint64, s string) uint64 {
	for i := range len(s) {
		x = (x ^ uint64(s[i])) * 0x100000001b3
	}
	return (x ^ 0xff) * 0x100000001b3
}

// grow returns a new value of type t, drawn from seed h.
func grow(t reflect.Type, h uint64) reflect.Value {
	b := &builder{src: newRand(h, 1), budget: 6}
	v := reflect.New(t).Elem()
	b.fill(v, 3)
	return v
}

// mutate changes every part of v (addressable and settable) that a branch
// owns once the state was copied for it: it changes every value, appends to
// every slice, writes every element, writes and deletes map keys, writes
// through every pointer (walking linked lists to their end, which it
// extends) and gives every nil pointer a value. What it does depends only on
// v and h, a hash of the tag and the path, so that mutating equal values
// with one tag gives equal values.
//
// It leaves alone what the branches share by design: the pointee of a
// pointer to a lock-holding type (the handlers add to *Tally under its
// lock), the insides of another package's struct with unexported fields
// (the struct itself is written as a whole), map keys (new keys are added,
// except to maps with pointer keys: a new pointer would be a new identity).
func mutate(v reflect.Value, tag string, h uint64) {
	t := v.Type()
	ti := info(t)
	d := int64(h%50) + 1
	switch ti.class {
	case timeT:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Duration(d) * time.Second)))
		return
	case userinfo:
		v.Set(reflect.ValueOf(url.UserPassword(tag, strconv.FormatUint(h, 36))).Elem())
		return
	case opaqueT:
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + d)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(v.Uint() + uint64(d))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float() + float64(d))
	case reflect.String:
		v.SetString(v.String() + "+" + tag)
	case reflect.Pointer:
		switch {
		case info(t.Elem()).lock:
		case v.IsNil():
			p := reflect.New(t.Elem())
			p.Elem().Set(grow(t.Elem(), h))
			v.Set(p)
		default:
			mutate(v.Elem(), tag, mix(h, "*"))
		}
	case reflect.Slice:
		for i := range v.Len() {
			mutate(v.Index(i), tag, mix(h, strconv.Itoa(i)))
		}
		v.Set(reflect.Append(v, grow(t.Elem(), mix(h, "append"))))
	case reflect.Array:
		for i := range v.Len() {
			mutate(v.Index(i), tag, mix(h, strconv.Itoa(i)))
		}
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		// Each key on its own: the map's order does not matter.
		for _, k := range v.MapKeys() {
			kh := mix(h, keyString(k))
			if kh%4 == 0 {
				v.SetMapIndex(k, reflect.Value{}) // delete
				continue
			}
			e := addressable(v.MapIndex(k))
			mutate(e, tag, kh)
			v.SetMapIndex(k, e)
		}
		if !ti.keyPtr {
			v.SetMapIndex(grow(t.Key(), mix(h, "new key")), grow(t.Elem(), mix(h, "new value")))
		}
	case reflect.Struct:
		for _, f := range ti.fields {
			mutate(field(v, f), tag, mix(h, f.name))
		}
	default:
		panic(fmt.Sprintf("mutate: unexpected kind %s (%s)", t.Kind(), t))
	}
}

// mutateState mutates all of s (see mutate) with tag.
func mutateState(s *State, tag string) {
	mutate(reflect.ValueOf(s).Elem(), tag, mix(0xcbf29ce484222325, tag))
}
