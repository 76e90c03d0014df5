// Package uneven is a fork whose branches have uneven lengths, one with a
// retry loop (uneven.graph.yaml): its tests check branch isolation, the join,
// the cancel and wait policies and branch panics.
package uneven

//go:generate go tool graphc generate uneven.graph.yaml
