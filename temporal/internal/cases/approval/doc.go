// Package approval is a Temporal case of graphc's tests: approval.graph.yaml generated with
// -temporal, and its differential test against the local executor.
package approval

//go:generate go tool graphc generate -temporal approval.graph.yaml
