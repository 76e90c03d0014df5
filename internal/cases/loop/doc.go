// Package loop is a graph of one node with a conditional edge back to itself
// (loop.graph.yaml): its tests check long loops, routes outside the enum, the
// step limit and cancellation mid-run.
package loop

//go:generate go tool graphc generate loop.graph.yaml
