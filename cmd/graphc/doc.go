// Command graphc compiles state-graph specs (*.graph.yaml) into plain,
// type-safe Go. Run it from go:generate:
//
//	//go:generate go tool graphc generate research.graph.yaml
//
// Commands:
//
//	graphc generate [-tags list] [-tests=false] SPEC...  write <spec>_graph.go (and its stress test) beside each spec
//	graphc check [-tags list] [-tests=false] SPEC...     report every problem generate would, writing nothing (with the package loaded when the spec sits beside Go files)
//	graphc verify [-tags list] [-tests=false] [SPEC...]  exit 1 with a diff if generated files are stale (default: every *.graph.yaml below ., and every spec a //go:generate line names)
//	graphc diagram [-format mermaid|dot] SPEC            print the graph as a diagram
//	graphc schema                                        print the JSON Schema of the spec format
//	graphc version                                       print graphc's version
//
// Exit codes: 0 success, 1 problems in a spec (or stale output for verify), 2 wrong usage.
package main
