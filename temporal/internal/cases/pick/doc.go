// Package pick is a Temporal case of graphc's tests: pick.graph.yaml, a
// select fork with a conditional fan-in, generated with -temporal, and its
// differential test against the local executor.
package pick

//go:generate go tool graphc generate -temporal pick.graph.yaml
