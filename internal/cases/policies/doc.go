// Package policies is a graph whose nodes have retry and timeout policies
// (policies.graph.yaml), some inside a fork: its tests run retries,
// timeouts, permanent errors, panics and backoffs under testing/synctest,
// with both branch-error policies, and check the logger and the node hook.
package policies

//go:generate go tool graphc generate policies.graph.yaml
