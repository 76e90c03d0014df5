// Command nested runs a build pipeline with a fork inside a branch: compile
// and test run in parallel, and the test branch forks again into unit and
// integration tests. go run ./examples/nested
package main

//go:generate go tool graphc generate nested.graph.yaml
