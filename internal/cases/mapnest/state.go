package mapnest

// Num is one item.
type Num struct{ V int }

// State holds the items and what each branch made of them.
type State struct {
	Nums    []Num
	Doubled []int
	Squared []int
}
