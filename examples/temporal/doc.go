// Command temporal runs the research graph of examples/research as a
// Temporal workflow: the same spec, generated with -temporal, and the same
// handlers, as activities of a worker. It connects to a Temporal server
// (-address), starts a worker for the graph on a task queue, runs one
// workflow and prints its final state.
//
// The differential test (research_temporal_test.go) needs no server: it
// runs the workflow in the SDK's test environment against the local
// executor. This directory is its own module so that graphc's root module
// never depends on the Temporal SDK.
package main

//go:generate go tool graphc generate -temporal research.graph.yaml
