// Package nested is a Temporal case of graphc's tests: nested.graph.yaml generated with
// -temporal, and its differential test against the local executor.
package nested

//go:generate go tool graphc generate -temporal nested.graph.yaml
