// Package graph turns a spec AST into a validated graph IR. All static
// analysis lives here: names and their Go identifiers, edges by kind, fork
// groups with their branches and fan-in, branch regions and their nesting,
// reachability, termination and escape checks. Later stages (typecheck, Go
// emission, diagrams) read only the IR and never look at YAML again.
package graph
