package isolation

import (
	"strconv"
	"testing"
)

// The cost of the cycle-aware copy against the plain one, on trees of the
// same shape (a root, 10 kids, 100 grandchildren) and the same field
// sizes: Tree's items point at their parent, so its copy goes through the
// memo; Layers' types cannot reach themselves, so its copy is the plain one.
//
//	go test -run '^$' -bench 'Copy' -benchmem ./internal/cases/isolation

func bigTree() Tree {
	root := &Item{Name: "root"}
	for i := range 10 {
		kid := &Item{Name: "k" + strconv.Itoa(i), Parent: root}
		for j := range 10 {
			kid.Kids = append(kid.Kids, &Item{Name: "g" + strconv.Itoa(j), Parent: kid})
		}
		root.Kids = append(root.Kids, kid)
	}
	return Tree{Root: root}
}

func bigLayers() Layers {
	root := &Layer0{Name: "root"}
	for i := range 10 {
		kid := &Layer1{Name: "k" + strconv.Itoa(i)}
		for j := range 10 {
			kid.Kids = append(kid.Kids, &Layer2{Name: "g" + strconv.Itoa(j)})
		}
		root.Kids = append(root.Kids, kid)
	}
	return Layers{Root: root}
}

var sinkTree Tree
var sinkLayers Layers

func BenchmarkCopyPlain(b *testing.B) {
	s := bigLayers()
	b.ReportAllocs()
	for b.Loop() {
		sinkLayers = layersGraphCopyLayers(s)
	}
}

func BenchmarkCopyMemo(b *testing.B) {
	s := bigTree()
	b.ReportAllocs()
	for b.Loop() {
		sinkTree = treeGraphCopyTree(s, &treeGraphMemo{})
	}
}

// The copies are faithful: same shape, parents reproduced, no node shared.
func TestBenchCopies(t *testing.T) {
	s := bigTree()
	c := treeGraphCopyTree(s, &treeGraphMemo{})
	for i, k := range c.Root.Kids {
		if k == s.Root.Kids[i] || k.Parent != c.Root || len(k.Kids) != 10 || k.Kids[3].Parent != k || k.Kids[3].Name != "g3" {
			t.Fatalf("kid %d of the copy: %+v", i, k)
		}
	}
	l := bigLayers()
	d := layersGraphCopyLayers(l)
	if d.Root == l.Root || d.Root.Kids[4] == l.Root.Kids[4] || d.Root.Kids[4].Kids[5] == l.Root.Kids[4].Kids[5] || d.Root.Kids[4].Kids[5].Name != "g5" {
		t.Fatal("the plain copy is not a deep copy")
	}
}
