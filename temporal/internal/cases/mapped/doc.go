// Package mapped is a Temporal case of graphc's tests: mapped.graph.yaml, a
// graph with map edges (over a field, over an items handler's list, and
// inside a fork's branch), generated with -temporal, and its differential
// test against the local executor.
package mapped

//go:generate go tool graphc generate -temporal mapped.graph.yaml
