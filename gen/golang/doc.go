// Package golang emits the Go source of a graph executor from a validated
// graph IR, with jennifer: the handler interface, route enums, branches
// structs, one join struct with its own lock per fork, the executor with
// Invoke and Stream, and the transition loops the runtime drives.
package golang
