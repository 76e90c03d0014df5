// Package nested is a fork inside a branch of a fork (nested.graph.yaml): its
// tests check nesting, worker limits without deadlock and nested branch
// errors.
package nested

//go:generate go tool graphc generate nested.graph.yaml
