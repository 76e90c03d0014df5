// Package diag holds the positions and diagnostics that every stage of graphc
// reports: a Pos is a file:line:col, a Diagnostic is a message at a Pos, and a
// List collects them, sorted, so that all problems in a spec surface at once.
package diag
