// Package zoo holds a state with every kind of type the deep copy handles.
package zoo

import (
	"maps"
	"math/big"
	"slices"
	"sync"
	"time"

	"example.com/zoo/other"
)

// State is the zoo.
type State struct {
	Name      string
	Count     int
	When      time.Time
	Flat      Flat
	Doc       Doc
	Docs      []Doc
	ByTag     map[string][]string
	Index     map[string]*Doc
	Meta      *Meta
	Grid      [2][]int
	Pairs     [3]Pair
	Head      *Node
	Tree      Tree
	Base                // embedded struct
	*Extra              // embedded pointer
	Names     Names     // named slice of strings
	Table     Table     // named map of slices
	Ext       other.Ext // another package, exported fields
	ExtPtr    *other.Ext
	Values    other.Values
	Opaque    other.Opaque // another package, unexported fields, a Clone method
	OpaquePtr *other.Opaque
	Big       *big.Int // copied with big.Int's Set
	Boxed     other.Box[[]int]
	Custom    Custom
	CustomP   CustomP
	CustomPtr *Custom
	Anon      struct {
		Tags []string `json:"tags"`
		N    int
	}
	Matrix  [][]float64
	Nested  map[string]map[string][]*Doc
	Bytes   []byte
	Mu      *sync.Mutex
	private []int
	Alias   DocAlias
	Ptrs    []*int
	Keyed   map[Pair][]int
	Grids   []Grid
	Arr     ArrDocs
	Mine    MyTime
}

// MyTime is a local name for a struct of another package with unexported
// fields: copied by value, since time.Time holds only values and an
// immutable *time.Location.
type MyTime time.Time

// Flat needs no more than an assignment.
type Flat struct {
	A int
	B string
	C [4]byte
	D Pair
}

// Pair is flat.
type Pair struct{ X, Y int }

// Doc holds a slice.
type Doc struct {
	Title string
	Tags  []string
	flat  Flat
}

// DocAlias is an alias.
type DocAlias = Doc

// Meta holds a map and points to its parent.
type Meta struct {
	Attrs  map[string]string
	Parent *Meta
}

// Node is a recursive linked type.
type Node struct {
	Val  int
	Next *Node
	Kids []*Node
}

// Tree recurses through a map.
type Tree struct {
	Root *Node
	Kids map[string]*Tree
}

// Base is embedded.
type Base struct {
	ID   int
	Refs []string
}

// Extra is embedded by pointer.
type Extra struct {
	Notes map[int]string
}

// Names is a named slice of strings.
type Names []string

// Table is a named map of slices.
type Table map[string][]int

// Grid is a named array of slices.
type Grid [2][]string

// ArrDocs is a named array of Docs.
type ArrDocs [2]Doc

// Custom has a func field, and a Clone method that copies it.
type Custom struct {
	Fn   func() int
	Data []int
}

// Clone returns a copy of c that shares Fn.
func (c Custom) Clone() Custom { return Custom{Fn: c.Fn, Data: slices.Clone(c.Data)} }

// CustomP has a Clone method with a pointer receiver.
type CustomP struct {
	Ch   chan int
	Data map[string]int
}

// Clone returns a copy of c with a channel of its own.
func (c *CustomP) Clone() CustomP {
	d := CustomP{Data: maps.Clone(c.Data)}
	if c.Ch != nil {
		d.Ch = make(chan int, cap(c.Ch))
	}
	return d
}

// FlatState needs no more than an assignment.
type FlatState struct {
	Name  string
	Count int
	Pairs [2]Pair
	When  time.Time
}
