// Package copyzoo is a fork over a state that exercises every deep-copy rule
// (copyzoo.graph.yaml): its tests check, by fuzzing and under -race, that each
// branch's copy equals the original and shares no mutable memory.
package copyzoo

//go:generate go tool graphc generate copyzoo.graph.yaml
