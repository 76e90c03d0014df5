// Command research runs a research-agent shaped graph: plan, then search the
// web (one node) and papers (fetch and rank, retried until the ranking is
// good) in parallel, merge both, and review — looping back to plan once.
// It prints the event stream as the graph runs. go run ./examples/research
package main

//go:generate go tool graphc generate research.graph.yaml
