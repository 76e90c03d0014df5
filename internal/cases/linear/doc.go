// Package linear is the simplest graph, three nodes in a row
// (linear.graph.yaml): its tests check ordering, Stream, errors, panics,
// cancellation and the step limit through the generated executor.
package linear

//go:generate go tool graphc generate linear.graph.yaml
