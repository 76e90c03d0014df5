// Package isolation holds the inputs of issue 9 — a state of other
// packages' types with unexported fields (big.Int, bytes.Buffer) and a
// state whose pointers form a cycle — as graphs whose tests check the right
// values under -race; a state whose Clone method panics; and the benchmarks
// of the plain copy against the cycle-aware one.
package isolation

//go:generate go tool graphc generate ledger.graph.yaml tree.graph.yaml layers.graph.yaml fragile.graph.yaml
