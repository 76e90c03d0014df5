package typecheck

import (
	"errors"
	"go/types"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
)

const badSrc = `package research

import (
	"sync"
	"time"
	"unsafe"

	"example.com/m/model"
)

type State struct {
	Query string
	Hooks Hooks
}

type Hooks struct {
	OnChange func(string)
}

type WithChan struct{ C chan int }
type WithErr struct{ Err error }
type WithAny struct{ Items []any }
type WithUnsafe struct{ P unsafe.Pointer }
type WithMapKey struct{ ByKey map[any]string }
type WithNested struct {
	ByName map[string][]Hooks
	When   time.Time
}
type WithLock struct {
	mu sync.Mutex
	N  int
}
type WithLockPtr struct {
	mu *sync.Mutex
	N  []int
}
type Counter struct {
	sync.Mutex
	N int
}
type WithCounter struct{ C Counter }
type WithInvalid struct{ X Undefined }
type Many struct {
	A func()
	B chan int
	C []Hooks
}

// Opted out: Clone copies what the generated code cannot.
type Opt struct {
	Hooks Hooks
	Docs  []string
}

func (o Opt) Clone() Opt { return o }

type WithOpt struct{ O Opt; Os []Opt }

type Str string
type Gen[T any] struct{ V T }
type Alias = struct{ N int }
type Named = WithChan
var NotAType int

type Self struct{ N []int }

func (s *Self) Clone() Self { return Self{N: append([]int(nil), s.N...)} }

type WrongClone struct{ F func() }

func (w WrongClone) Clone() *WrongClone { return &w }

type Foreign struct{ M model.M }
`

func loadBad(t *testing.T) *Package {
	t.Helper()
	dir := writeModule(t, map[string]string{
		"research/research.go": badSrc,
		"model/model.go":       "package model\n\ntype M struct{ F func() }\n\ntype State struct{ Docs []string }\n\ntype hidden struct{}\n",
		"model2/model.go":      "package model\n\ntype State struct{ Docs []string }\n",
	})
	p, err := Load(Config{Dir: filepath.Join(dir, "research")})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStateErrors(t *testing.T) {
	p := loadBad(t)
	tests := []struct{ expr, want string }{
		{"State", "State.Hooks.OnChange has type func(string), which cannot be deep-copied: add a method Clone() Hooks to Hooks that copies it the way you mean"},
		{"WithChan", "WithChan.C has type chan int, which cannot be deep-copied: add a method Clone() WithChan to WithChan that copies it the way you mean"},
		{"WithErr", "WithErr.Err has type error, which cannot be deep-copied: add a method Clone() WithErr to WithErr that copies it the way you mean"},
		{"WithAny", "WithAny.Items[] has type any, which cannot be deep-copied: add a method Clone() WithAny to WithAny that copies it the way you mean"},
		{"WithUnsafe", "WithUnsafe.P has type unsafe.Pointer, which cannot be deep-copied: add a method Clone() WithUnsafe to WithUnsafe that copies it the way you mean"},
		{"WithMapKey", "key of WithMapKey.ByKey has type any, which cannot be deep-copied: add a method Clone() WithMapKey to WithMapKey that copies it the way you mean"},
		{"WithNested", "WithNested.ByName[key][].OnChange has type func(string), which cannot be deep-copied: add a method Clone() Hooks to Hooks that copies it the way you mean"},
		{"WithLock", "WithLock.mu has type sync.Mutex, which holds a lock and must not be copied: hold it by pointer to share it between branches"},
		{"WithCounter", "WithCounter.C has type Counter, which holds a lock and must not be copied: hold it by pointer to share it between branches"},
		{"WithInvalid", "WithInvalid.X has an invalid type: "},
		{"Foreign", "Foreign.M.F has type func(), which cannot be deep-copied: add a method Clone() model.M to model.M that copies it the way you mean"},
		{"WrongClone", "WrongClone.F has type func(), which cannot be deep-copied: add a method Clone() WrongClone to WrongClone that copies it the way you mean"},
		{"Missing", "no type Missing in package research (the package has errors, which may hide it: "},
		{"Str", "Str is a string type, not a struct: the state must be a struct"},
		{"Gen", "Gen is generic; the state must be a non-generic struct type"},
		{"Alias", "Alias is an alias for struct{N int}: the state must be a named struct type"},
		{"NotAType", "NotAType is a var, not a type: the state must be a struct type"},
		{"model.Missing", "no type Missing in package example.com/m/model"},
		{"model.hidden", "model.hidden is not exported: the state of another package must be an exported type"},
		{"nope.State", "no imported package nope in package research: import it in a file of the package, or name the state type by its import path"},
		{"a b", `invalid state type "a b": want a type name, like State, or a qualified one, like model.State`},
	}
	for _, tt := range tests {
		st, err := p.State(tt.expr)
		if err == nil {
			t.Errorf("State(%q) = %+v, want an error", tt.expr, st)
			continue
		}
		if got := err.Error(); got != tt.want && !(strings.HasSuffix(tt.want, ": ") && strings.HasPrefix(got, tt.want)) {
			t.Errorf("State(%q):\n got %s\nwant %s", tt.expr, got, tt.want)
		}
	}
}

func TestStateErrorTypes(t *testing.T) {
	p := loadBad(t)
	_, err := p.State("Many")
	var list CopyErrors
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("State(Many) = %v, want 3 CopyErrors", err)
	}
	paths := []string{"Many.A", "Many.B", "Many.C[].OnChange"}
	for i, e := range list {
		if e.Path != paths[i] || e.State != "Many" {
			t.Errorf("error %d: %+v", i, e)
		}
	}
	if list[0].Reason != "func" || list[1].Reason != "chan" || list[0].Type != "func()" {
		t.Errorf("reasons: %+v %+v", list[0], list[1])
	}
	if list[1].Pos.Line == 0 || filepath.Base(list[1].Pos.Filename) != "research.go" {
		t.Errorf("position: %v", list[1].Pos)
	}
	var one *CopyError
	if !errors.As(err, &one) || one != list[0] {
		t.Error("errors.As does not find the first *CopyError")
	}

	_, err = p.State("WithInvalid")
	if !errors.As(err, &one) || one.Reason != "invalid" || !strings.Contains(one.Detail, "undefined: Undefined") {
		t.Errorf("State(WithInvalid) = %#v", err)
	}
	_, err = p.State("Gen")
	var se *StateError
	if !errors.As(err, &se) || se.Kind != "generic" {
		t.Errorf("State(Gen) = %#v", err)
	}
}

func TestStateOK(t *testing.T) {
	p := loadBad(t)
	for _, tt := range []struct {
		expr                  string
		flat, clone, clonePtr bool
	}{
		{"WithOpt", false, false, false},
		{"Opt", false, true, false},
		{"Self", false, true, true},
		{"WithLockPtr", false, false, false},
		{"model.State", false, false, false},
		{"example.com/m/model.State", false, false, false},
		{"Named", false, false, false}, // alias of a named type: checked as WithChan
	} {
		st, err := p.State(tt.expr)
		if tt.expr == "Named" {
			if err == nil || !strings.HasPrefix(err.Error(), "Named.C has type chan int") {
				t.Errorf("State(Named) = %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("State(%q): %v", tt.expr, err)
			continue
		}
		if st.Flat != tt.flat || st.HasClone != tt.clone || st.ClonePointer != tt.clonePtr || st.Expr != tt.expr {
			t.Errorf("State(%q) = %+v", tt.expr, st)
		}
	}
}

func TestStateAmbiguousImport(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"x/a.go":          "package x\n\nimport m1 \"example.com/m/model\"\n\nvar _ m1.State\n",
		"x/b.go":          "package x\n\nimport m2 \"example.com/m/model2\"\n\nvar _ m2.State\n",
		"model/model.go":  "package model\n\ntype State struct{ Docs []string }\n",
		"model2/model.go": "package model\n\ntype State struct{ Docs []string }\n",
	})
	p, err := Load(Config{Dir: filepath.Join(dir, "x")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.State("model.State")
	want := "model is ambiguous: package x imports example.com/m/model and example.com/m/model2"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := p.State("model2.State"); err != nil {
		t.Error(err)
	}
}

func TestCopierCases(t *testing.T) {
	p := loadZoo(t)
	typ := func(name string) types.Type { return p.Types.Scope().Lookup(name).Type() }

	// A flat type: src itself, no helper.
	c := NewCopier("zoo", p.Types)
	src := jen.Id("s")
	if got := c.Copy(typ("FlatState"), src); got != src {
		t.Errorf("Copy(FlatState) = %#v, want src", got)
	}
	if got := c.Copy(typ("Flat"), src); got != src || len(c.Decls()) != 0 {
		t.Errorf("Copy(Flat) = %#v, %d decls", got, len(c.Decls()))
	}

	// Unnamed types get helpers of their own, registered once.
	c = NewCopier("zoo", p.Types)
	doc := typ("Doc")
	code := []jen.Code{
		c.Copy(types.NewSlice(doc), jen.Id("a")),
		c.Copy(types.NewPointer(typ("Meta")), jen.Id("b")),
		c.Copy(typ("CustomP"), jen.Id("c")),
		c.Copy(types.NewSlice(doc), jen.Id("d")),
		c.Copy(types.NewMap(types.Typ[types.String], types.Typ[types.Int]), jen.Id("e")),
	}
	decls := append(c.Decls(), jen.Var().Id("_").Op("=").Index().Any().Values(code...))
	golden(t, "cases.go.golden", render(t, "zoo", c.Imports(), decls...))
	if c.Err() != nil {
		t.Error(c.Err())
	}
	names := c.Names()
	if len(names) < 3 || names[0] != "zooCopySliceDoc" || names[1] != "zooCopyDoc" || names[2] != "zooCopyPtrMeta" {
		t.Errorf("names: %v", names)
	}
	if imps := c.Imports(); len(imps) != 2 || imps["maps"] != "maps" || imps["slices"] != "slices" {
		t.Errorf("imports: %v", imps)
	}
}

// A helper name that the package already declares gets a number.
func TestCopierNameCollision(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"x/x.go": "package x\n\ntype Doc struct{ Tags []string }\n\nfunc xCopyDoc() {}\n",
	})
	p, err := Load(Config{Dir: filepath.Join(dir, "x")})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCopier("x", p.Types)
	c.Copy(p.Types.Scope().Lookup("Doc").Type(), jen.Id("d"))
	if names := c.Names(); len(names) != 1 || names[0] != "xCopyDoc2" {
		t.Errorf("names: %v", names)
	}
}

// Copy of a type holding what cannot be copied copies it by value and
// reports it.
func TestCopierErr(t *testing.T) {
	p := loadBad(t)
	c := NewCopier("r", p.Types)
	c.Copy(p.Types.Scope().Lookup("State").Type(), jen.Id("s"))
	var list CopyErrors
	if err := c.Err(); !errors.As(err, &list) || len(list) != 1 || list[0].Path != "State.Hooks.OnChange" {
		t.Errorf("Err() = %v", err)
	}
}
