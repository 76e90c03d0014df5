// Package model holds the state and the node bodies that every system in the
// benchmark runs: graphc's generated executors, the hand-written Go and Eino.
// The nodes are trivial on purpose, so that the benchmarks measure what the
// executor itself costs per node, per fork and per join.
package model

// State is the state of every benchmark graph. It is flat (no pointer, slice
// or map), so a deep copy is a plain assignment in every system.
type State struct {
	N   int // incremented or increased by the nodes
	Sum int // set by fan-in nodes: what the branches ended with, added up
}

// Inc is the body of a chain, loop or fork node: N++.
func Inc(s State) State {
	s.N++
	return s
}

// Add is the body of branch node i: N += i, so that a join that lost or
// doubled a branch gets a wrong Sum.
func Add(s State, i int) State {
	s.N += i
	return s
}

// FanInSum is what a fan-in of W branches, each of which added its own number
// 1..W to a fork-time N of 1, must find: the sum over i of 1+i.
func FanInSum(w int) int { return w + w*(w+1)/2 }

// Nested4x4Sum is what the outer join of the nested 4 x 4 fork must find:
// start sets N to 1, outer branch k adds k, inner branch j adds j, each inner
// join sums its four branches' N, and the outer join sums the inner Sums.
func Nested4x4Sum() int {
	sum := 0
	for k := 1; k <= 4; k++ {
		for j := 1; j <= 4; j++ {
			sum += 1 + k + j
		}
	}
	return sum
}
