// Package fanout is a Temporal case of graphc's tests: fanout.graph.yaml generated with
// -temporal, and its differential test against the local executor.
package fanout

//go:generate go tool graphc generate -temporal fanout.graph.yaml
