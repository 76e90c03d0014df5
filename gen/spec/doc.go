// Package spec reads a graph spec (*.graph.yaml, version 1) into an AST in
// which every value keeps the file:line:col it came from. It checks only the
// shape of the document: YAML syntax, known keys, value types, duplicates.
// What the graph means is the business of package graph.
package spec
