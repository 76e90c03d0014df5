// Package policies is a Temporal case of graphc's tests: policies.graph.yaml generated with
// -temporal, and its differential test against the local executor.
package policies

//go:generate go tool graphc generate -temporal policies.graph.yaml
