package copyzoo

import (
	"maps"
	"net/url"
	"slices"
	"sync"
	"time"
)

// State holds every shape of value that the generated deep copy
// (copyZooCopyState) has a rule for; the comments name the rules (see
// gen/typecheck/doc.go). copy_test.go fills it at random and checks that the
// copy equals the original and shares no memory that a branch could write.
type State struct {
	// Values: copied by assignment.
	Name  string
	Count int
	Ratio float64
	OK    bool
	Flags [4]int // [N]int
	Point Point  // a struct of values only
	Bytes []byte

	// Structs, field by field.
	Inner           // embedded struct with slices and maps
	*Extra          // embedded pointer
	Meta   Meta     // nested struct, recursive through a pointer
	Anon   struct { // unnamed struct type
		Tags []string
		Ptr  *int
	}

	// Slices, element by element; nil stays nil, empty stays empty.
	Items []Item   // slices of structs
	Ptrs  []*Item  // slices of pointers
	Grid  [][]int  // slices of slices
	Names Names    // named slice of values (slices.Clone)
	Shelf Shelf    // named slice of deep values (a helper)
	Alias IntList  // alias of []int
	Runes []rune   // more values
	Spans [][2]int // slice of arrays of values

	// Arrays, element by element.
	Matrix [3][]int             // array of slices
	Boxes  [2]*Item             // array of pointers
	Trio   Trio                 // named array of pointers
	Cube   [2][2]map[string]int // array of arrays of maps
	PArr   *[2][]string         // pointer to an array of slices

	// Maps, key by key; nil stays nil, empty stays empty.
	Groups map[string][]int        // maps of slices
	ByID   map[string]*Item        // map[string]*T
	Index  Index                   // named map of named slices
	Nested map[string]map[int]Item // maps of maps of structs
	Cells  map[[2]int]Point        // array keys, values of values (maps.Clone)
	ByRef  map[*Key][]string       // pointer keys are kept as they are: an identity

	// Pointers: nil stays nil, otherwise a new value holding a copy.
	Owner *Owner  // pointer to a struct holding maps
	Num   *int    // pointer to a value
	PP    **Item  // pointer to a pointer
	Ref   ItemRef // named pointer type

	// Recursive types.
	List *Node // a linked list whose nodes also hold trees: Next and Kids
	Tree Tree  // recursive through a slice of values
	Dir  Dir   // recursive through a map of values

	// Instantiated generic types.
	Pair  Pair[string, *Item]
	Pairs []Pair[int, []int]

	// Types of other packages.
	At    time.Time  // unexported fields: copied by value; its *Location is shared, as it is meant to be
	Due   *time.Time // a pointer to one: a new time.Time
	Times []time.Time
	Link  *url.URL   // exported fields only: copied like our own; its *Userinfo gets a new value
	Query url.Values // another package's named map of slices

	// Types with their own Clone method: called, and not looked into.
	Counter  Counted // value receiver
	Counters []Counted
	CounterP *Counted
	CByName  map[string]Counted
	Ledger   Ledger // pointer receiver
	Ledgers  map[string]Ledger
	LedgerP  *Ledger
	LArr     [2]Ledger

	// Unexported fields, copied like the others.
	secret  []byte
	private *Owner
	hidden  map[string][]int
	nodes   []*Node

	// A pointer to a type holding a lock is copied as a pointer: the
	// branches share it, which is what a lock is for.
	Tally *Tally
}

// Point is a struct of values: copied by assignment.
type Point struct{ X, Y int }

// Inner is embedded in State by value.
type Inner struct {
	Labels  []string
	Weights map[string]float64
	Sub     *Point
}

// Extra is embedded in State by pointer.
type Extra struct {
	Notes []string
	Attrs map[string]string
}

// Meta is a nested struct, recursive through Parent.
type Meta struct {
	Created time.Time
	Tags    map[string][]string
	Parent  *Meta
}

// Item is an element of slices, maps and arrays.
type Item struct {
	ID    int
	Tags  []string
	Attrs map[string]int
	At    Point
	Child *Item
}

// Key is the pointee of pointer map keys.
type Key struct{ ID int }

// Owner is pointed to, and holds maps.
type Owner struct {
	Name   string
	Scores map[string]float64
	Roles  map[string][]string
	Pets   map[string]*Item
	Backup *Owner
}

// Names is a named slice of values.
type Names []string

// Shelf is a named slice of structs that need a deep copy.
type Shelf []Item

// IntList is an alias.
type IntList = []int

// Trio is a named array of pointers.
type Trio [3]*Point

// Index is a named map of named slices.
type Index map[string]Names

// ItemRef is a named pointer type.
type ItemRef *Item

// Node is a linked list, and a tree.
type Node struct {
	Val  int
	Next *Node
	Kids []*Node
}

// Tree is recursive through a slice of values.
type Tree struct {
	Label    string
	Children []Tree
}

// Dir is recursive through a map of values.
type Dir struct {
	Name string
	Sub  map[string]Dir
}

// Pair is generic.
type Pair[K comparable, V any] struct {
	Key   K
	Vals  []V
	ByKey map[K]V
}

// Counted copies itself. Clone copies Vals and counts, in Cloned, the copies
// made since the value was built, so that a test sees that the generated
// copy called Clone instead of copying the fields itself.
type Counted struct {
	Name   string
	Vals   []int
	Cloned int
}

// Clone returns a deep copy of c whose Cloned is one more.
func (c Counted) Clone() Counted {
	c.Vals = slices.Clone(c.Vals)
	c.Cloned++
	return c
}

// Ledger copies itself through a pointer receiver, counting like Counted.
type Ledger struct {
	Entries map[string]int
	Cloned  int
}

// Clone returns a deep copy of l whose Cloned is one more.
func (l *Ledger) Clone() Ledger {
	return Ledger{Entries: maps.Clone(l.Entries), Cloned: l.Cloned + 1}
}

// Tally holds a lock: branches share a *Tally.
type Tally struct {
	mu sync.Mutex
	n  int
}

// Add adds n to the tally.
func (t *Tally) Add(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n += n
}

// N returns the tally.
func (t *Tally) N() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}
