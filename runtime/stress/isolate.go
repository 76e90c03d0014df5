package stress

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// This file holds what proves branch isolation for a graph's real state
// type: Fill gives the probe's fork nodes a state with something in every
// part, Mutate makes the probe's other nodes write, in place, every mutable
// part they can reach, and the harness fingerprints each fork-time state
// when the fork begins and again when it joins. Memory shared between two
// branches becomes a data race that -race reports; memory shared between a
// branch and the fork-time state becomes a changed fingerprint (a violation)
// or a race.
//
// All three walk any type with reflection. They look into the unexported
// fields of the user's types (of any package outside the standard library),
// and into the exported fields only of standard types, except these, which
// they handle through their API: big.Int, big.Rat, big.Float and
// bytes.Buffer (and time.Time, which Fill sets). A pointer to a type that
// holds a lock is left alone, as are funcs and chans: branches share those
// on purpose.

// fillDepth bounds the nesting of what Fill builds.
const fillDepth = 3

// domainFill keeps Fill's draws apart from Choose's and the jitter's.
const domainFill uint64 = 0x66696c6c // "fill"

// Fill is for probe handlers of fork nodes: it replaces *p with a value that
// has something in every part it can reach, drawn from the run's seeded
// source (a constant seed with a ctx that Run did not make): numbers,
// strings, slices and maps of one or two elements, pointers to new values
// (and now and then to a value built earlier in the same call, so that
// pointers are shared and may form cycles). Nesting stops at a depth of
// three: deeper pointers, slices and maps stay nil. Interfaces, funcs and
// chans stay nil. p must be a non-nil pointer.
func Fill[S any](ctx context.Context, node string, p *S) {
	seed := uint64(1)
	if src := sourceOf(ctx); src != nil {
		src.mu.Lock()
		visit := src.fills[node]
		if src.fills == nil {
			src.fills = map[string]int{}
		}
		src.fills[node] = visit + 1
		src.mu.Unlock()
		seed = draw(src.seed, src.run, domainFill, node, uint64(visit))
	}
	fill(p, seed, true)
}

// fill replaces *p with a value drawn from seed, pointers shared now and
// then when share is set.
func fill[S any](p *S, seed uint64, share bool) {
	f := &filler{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), made: map[reflect.Type][]reflect.Value{}, share: share}
	v := reflect.ValueOf(p).Elem()
	v.SetZero()
	f.fill(v, 0)
}

type filler struct {
	r     *rand.Rand
	made  map[reflect.Type][]reflect.Value // pointers built so far, by type
	share bool                             // point at values built earlier now and then
}

func (f *filler) fill(v reflect.Value, depth int) {
	t := v.Type()
	switch special(t) {
	case specialBigInt:
		// A small value in digits made for a large one, so that an
		// addition writes in place: what a shared copy would share.
		x := settable(v).Addr().Interface().(*big.Int)
		x.Lsh(big.NewInt(1), 256)
		x.SetInt64(f.r.Int64N(1000) + 1) // not 0, whose digits would be empty rather than nil
		return
	case specialBigRat:
		settable(v).Addr().Interface().(*big.Rat).SetFrac64(f.r.Int64N(1000)+1, f.r.Int64N(1000)+1)
		return
	case specialBigFloat:
		settable(v).Addr().Interface().(*big.Float).SetFloat64(f.r.Float64())
		return
	case specialBuffer:
		b := settable(v).Addr().Interface().(*bytes.Buffer)
		b.WriteString("fill" + strconv.Itoa(f.r.IntN(1000)))
		return
	case specialRawJSON:
		v.SetBytes([]byte(strconv.Itoa(f.r.IntN(1000))))
		return
	case specialTime, specialSkip:
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(f.r.Int64N(100) + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(f.r.Uint64N(100) + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.r.IntN(1000)) / 8)
	case reflect.Complex64, reflect.Complex128:
		v.SetComplex(complex(float64(f.r.IntN(100)), 1))
	case reflect.String:
		v.SetString("s" + strconv.Itoa(f.r.IntN(1000)))
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), depth)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if fv, ok := field(v, i); ok {
				f.fill(fv, depth)
			}
		}
	case reflect.Pointer:
		if depth >= fillDepth || holdsLock(t.Elem()) {
			return
		}
		if old := f.made[t]; f.share && len(old) > 0 && f.r.IntN(4) == 0 {
			v.Set(old[f.r.IntN(len(old))]) // shared, maybe a cycle
			return
		}
		n := reflect.New(t.Elem())
		f.made[t] = append(f.made[t], n)
		v.Set(n)
		f.fill(n.Elem(), depth+1)
	case reflect.Slice:
		if depth >= fillDepth {
			return
		}
		n := 1 + f.r.IntN(2)
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if depth >= fillDepth {
			return
		}
		m := reflect.MakeMap(t)
		for range 1 + f.r.IntN(2) {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			f.fill(k, depth+1)
			f.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// Mutate is for probe handlers: it changes, in place, every mutable part of
// *p that it can reach: numbers and strings in slices, arrays and pointees
// are changed where they are, map entries are rewritten, big numbers and
// buffers are changed through their API. Each shared value is changed once
// (cycles end). A copy that left anything shared with another branch or
// with the fork-time state makes this a data race, or a change that the
// harness sees at the join. p must be a non-nil pointer.
func Mutate[S any](p *S) {
	m := &mutator{seen: map[uintptr]bool{}}
	m.mutate(reflect.ValueOf(p).Elem())
}

type mutator struct{ seen map[uintptr]bool }

func (m *mutator) mutate(v reflect.Value) {
	t := v.Type()
	switch special(t) {
	case specialBigInt:
		x := settable(v).Addr().Interface().(*big.Int)
		x.Add(x, big.NewInt(1))
		return
	case specialBigRat:
		x := settable(v).Addr().Interface().(*big.Rat)
		x.Add(x, big.NewRat(1, 2))
		return
	case specialBigFloat:
		x := settable(v).Addr().Interface().(*big.Float)
		x.Add(x, big.NewFloat(1))
		return
	case specialBuffer:
		settable(v).Addr().Interface().(*bytes.Buffer).WriteString("+")
		return
	case specialTime, specialSkip:
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(v.Uint() + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float() + 1)
	case reflect.Complex64, reflect.Complex128:
		v.SetComplex(v.Complex() + 1)
	case reflect.String:
		v.SetString(v.String() + "'")
	case reflect.Array:
		for i := range v.Len() {
			m.mutate(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if fv, ok := field(v, i); ok {
				m.mutate(fv)
			}
		}
	case reflect.Pointer:
		if v.IsNil() || holdsLock(t.Elem()) || m.seen[v.Pointer()] {
			return
		}
		m.seen[v.Pointer()] = true
		m.mutate(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			m.mutate(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || m.seen[v.Pointer()] {
			return
		}
		m.seen[v.Pointer()] = true
		iter := v.MapRange()
		type entry struct{ k, e reflect.Value }
		var entries []entry
		for iter.Next() {
			e := reflect.New(t.Elem()).Elem()
			e.Set(iter.Value())
			entries = append(entries, entry{iter.Key(), e})
		}
		for _, en := range entries {
			m.mutate(en.e)
			v.SetMapIndex(en.k, en.e)
		}
	case reflect.Interface:
		if !v.IsNil() {
			switch v.Elem().Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map:
				m.mutate(v.Elem()) // what it refers to, not the value it holds
			}
		}
	}
}

// fingerprint renders every value reachable from v, one "path = value" line
// each, in a deterministic order (map entries sorted by their rendering); a
// pointer that is already on the path from v is rendered as the depth it
// was met at, so cycles end (a value reached twice otherwise is rendered
// twice). Pointers to a type holding a lock are left out: branches share
// them on purpose.
func fingerprint(v any) []string {
	fp := &printer{onPath: map[uintptr]int{}}
	fp.print("", reflect.ValueOf(v))
	return fp.lines
}

type printer struct {
	lines  []string
	onPath map[uintptr]int // pointers being printed -> how many were before them
}

func (p *printer) print(path string, v reflect.Value) {
	if !v.IsValid() {
		p.lines = append(p.lines, path+" = nil")
		return
	}
	switch v.Kind() {
	case reflect.Array:
		for i := range v.Len() {
			p.print(path+"["+strconv.Itoa(i)+"]", v.Index(i))
		}
	case reflect.Slice:
		if v.IsNil() {
			p.lines = append(p.lines, path+" = nil")
			return
		}
		p.lines = append(p.lines, path+" len "+strconv.Itoa(v.Len()))
		for i := range v.Len() {
			p.print(path+"["+strconv.Itoa(i)+"]", v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			p.print(path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Pointer:
		if v.IsNil() {
			p.lines = append(p.lines, path+" = nil")
			return
		}
		if holdsLock(v.Type().Elem()) {
			return
		}
		if at, ok := p.onPath[v.Pointer()]; ok {
			// A cycle: say how far up it goes (paths through maps
			// would depend on the order of iteration).
			p.lines = append(p.lines, path+" = cycle to pointer "+strconv.Itoa(at))
			return
		}
		p.onPath[v.Pointer()] = len(p.onPath)
		p.print(path+"*", v.Elem())
		delete(p.onPath, v.Pointer())
	case reflect.Map:
		if v.IsNil() {
			p.lines = append(p.lines, path+" = nil")
			return
		}
		var entries [][]string
		iter := v.MapRange()
		for iter.Next() {
			sub := &printer{onPath: p.onPath}
			sub.print("", iter.Key())
			key := strings.Join(sub.lines, ";")
			sub.lines = nil
			sub.print(path+"["+key+"]", iter.Value())
			entries = append(entries, sub.lines)
		}
		slices.SortFunc(entries, func(a, b []string) int { return strings.Compare(strings.Join(a, "\n"), strings.Join(b, "\n")) })
		p.lines = append(p.lines, path+" len "+strconv.Itoa(v.Len()))
		for _, e := range entries {
			p.lines = append(p.lines, e...)
		}
	case reflect.Interface:
		if v.IsNil() {
			p.lines = append(p.lines, path+" = nil")
			return
		}
		p.print(path+".("+v.Elem().Type().String()+")", v.Elem())
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		p.lines = append(p.lines, fmt.Sprintf("%s = %#x", path, v.Pointer()))
	case reflect.Bool:
		p.lines = append(p.lines, path+" = "+strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.lines = append(p.lines, path+" = "+strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.lines = append(p.lines, path+" = "+strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		p.lines = append(p.lines, path+" = "+strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Complex64, reflect.Complex128:
		p.lines = append(p.lines, path+" = "+strconv.FormatComplex(v.Complex(), 'g', -1, 128))
	case reflect.String:
		p.lines = append(p.lines, path+" = "+strconv.Quote(v.String()))
	}
}

// kinds of types Fill and Mutate handle by hand.
const (
	specialNone = iota
	specialBigInt
	specialBigRat
	specialBigFloat
	specialBuffer
	specialTime
	specialSkip    // another standard package's type with unexported fields
	specialRawJSON // json.RawMessage: must hold JSON
)

var (
	bigIntType   = reflect.TypeFor[big.Int]()
	bigRatType   = reflect.TypeFor[big.Rat]()
	bigFloatType = reflect.TypeFor[big.Float]()
	bufferType   = reflect.TypeFor[bytes.Buffer]()
)

func special(t reflect.Type) int {
	switch t {
	case bigIntType:
		return specialBigInt
	case bigRatType:
		return specialBigRat
	case bigFloatType:
		return specialBigFloat
	case bufferType:
		return specialBuffer
	}
	if t.PkgPath() == "time" && t.Name() == "Time" {
		return specialTime
	}
	if t.PkgPath() == "encoding/json" && t.Name() == "RawMessage" {
		return specialRawJSON
	}
	if t.Kind() == reflect.Struct && standard(t.PkgPath()) {
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				return specialSkip
			}
		}
	}
	return specialNone
}

// standard reports whether a package path is the standard library's: no
// dot in its first element.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return path != "" && !strings.Contains(first, ".")
}

// field returns field i of the struct v, made settable even when it is
// unexported, or false for a blank field.
func field(v reflect.Value, i int) (reflect.Value, bool) {
	sf := v.Type().Field(i)
	if sf.Name == "_" {
		return reflect.Value{}, false
	}
	return settable(v.Field(i)), true
}

// settable returns v, made settable when it is an unexported field of an
// addressable value.
func settable(v reflect.Value) reflect.Value {
	if v.CanSet() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// holdsLock reports whether a value of type t holds a lock: *t has methods
// Lock and Unlock (sync.Mutex, sync.RWMutex, the noCopy markers of sync
// and sync/atomic types), or a field or element of it does.
func holdsLock(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	if _, ok := p.MethodByName("Lock"); ok {
		if _, ok := p.MethodByName("Unlock"); ok {
			return true
		}
	}
	switch t.Kind() {
	case reflect.Struct:
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
