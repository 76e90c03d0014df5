// Command approval is a durable run with a human in the loop: it researches
// a topic in a fork, drafts an answer and pauses after review (an
// interrupt); a later invocation of the program — another process — resumes
// the thread with the reviewer's verdict, which decides the route.
//
//	approval -store file:/tmp/threads start -thread t1 -topic "graph executors"
//	approval -store file:/tmp/threads status -thread t1
//	approval -store file:/tmp/threads resume -thread t1 -verdict revise -note "cite more papers"
//	approval -store sqlite:/tmp/threads.db resume -thread t1 -verdict approve
package main

//go:generate go tool graphc generate approval.graph.yaml
