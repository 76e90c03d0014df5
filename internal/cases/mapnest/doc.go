// Package mapnest is a test case of maps nested in forks: each branch of a
// parallel edge maps over its own items, so item goroutines and branch
// goroutines share the worker limit; with any limit, the run must finish
// (no deadlock) with every item in order.
package mapnest

//go:generate go tool graphc generate mapnest.graph.yaml
