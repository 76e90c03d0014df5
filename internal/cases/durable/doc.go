// Package durable is a graph with a fork inside a loop, a nested fork in one
// branch, a retry loop in another, and interrupts before and after main-flow
// nodes (durable.graph.yaml): its tests check durable runs — records,
// Resume after a crash at every record, interrupts, updates and snapshots.
package durable

//go:generate go tool graphc generate durable.graph.yaml
