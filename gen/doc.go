// Package gen is graphc's driver: it runs the pipeline spec -> graph ->
// (typecheck) -> golang for a set of spec files and returns what should be
// written, without writing it. The CLI is a thin shell around it.
package gen
