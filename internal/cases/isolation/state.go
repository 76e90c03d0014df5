package isolation

import (
	"bytes"
	"math/big"
)

// Ledger is the state of the Ledger graph: types of other packages whose
// unexported fields hold slices. The generated copy makes them independent
// through their own API (big.Int.Set, bytes.Buffer.Write).
type Ledger struct {
	Total *big.Int
	Log   bytes.Buffer
}

// Tree is the state of the Tree graph: its items point at their parent,
// so every tree with a kid is a cycle.
type Tree struct {
	Root *Item
}

// Item is a node of a Tree.
type Item struct {
	Name   string
	Parent *Item
	Kids   []*Item
}

// Layers is the state of the Layers graph: a tree of the same shape as a
// Tree, without parent pointers, of types that cannot reach themselves, so
// that the generated copy is the plain one (the benchmarks compare them).
type Layers struct {
	Root *Layer0
}

// Layer0 is the root of Layers.
type Layer0 struct {
	Name string
	Kids []*Layer1
}

// Layer1 is a kid of the root.
type Layer1 struct {
	Name string
	Kids []*Layer2
}

// Layer2 is a leaf.
type Layer2 struct {
	Name string
}

// Fragile is the state of the Fragile graph: its Clone method panics when
// its first note is "break".
type Fragile struct {
	Notes []string
}

// Clone returns a copy of f, or panics when its first note is "break".
func (f Fragile) Clone() Fragile {
	if len(f.Notes) > 0 && f.Notes[0] == "break" {
		panic("Fragile.Clone: broken on purpose")
	}
	f.Notes = append([]string(nil), f.Notes...)
	return f
}
