// Package mapped is a test case of map edges and select forks: a map over
// a slice field of the state whose per-item flow loops, a map over items an
// Items handler builds, and a select fork, checked for results in input
// order, bad input, cancellation, leaks and crash-resume.
package mapped

//go:generate go tool graphc generate mapped.graph.yaml
