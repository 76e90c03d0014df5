// Package loop is a Temporal case of graphc's tests: loop.graph.yaml generated with
// -temporal, and its differential test against the local executor.
package loop

//go:generate go tool graphc generate -temporal loop.graph.yaml
