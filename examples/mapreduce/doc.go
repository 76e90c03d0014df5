// Command mapreduce summarizes a list of documents with a map edge: each
// document runs through its own summarize → check loop (retried until its
// summary is short enough, on its own copy of the document), and combine
// gets the summaries in input order. The list comes from the state at run
// time: the graph does not know how many documents there are.
package main

//go:generate go tool graphc generate mapreduce.graph.yaml
