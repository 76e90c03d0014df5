// Package templates holds the embedded text templates for graphc's non-Go
// outputs (Mermaid and DOT diagrams) and renders them from a graph IR.
package templates
