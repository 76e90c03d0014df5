// Command fanout runs the seed story's graph: one node forks to 20 workers,
// each sleeping a random 10–50 ms before it reports, and aggregate collects
// every result. Run it with go run ./examples/fanout.
package main

//go:generate go tool graphc generate fanout.graph.yaml
