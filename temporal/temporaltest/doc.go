// Package temporaltest is what the generated Test<Graph>Temporal uses: a
// probe whose decisions depend only on (seed, run, node, visit), and
// Differential, which runs a graph under the local executor and as a
// Temporal workflow on the SDK's test environment (no server) for many
// seeds and requires the same result, the same inputs at every node visit
// and the join invariants.
package temporaltest
