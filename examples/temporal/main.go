package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	temporalgraphc "github.com/graphc/graphc/temporal"
)

func main() {
	address := flag.String("address", client.DefaultHostPort, "the Temporal server's host:port")
	queue := flag.String("queue", "graphc-research", "the task queue of the worker")
	flag.Parse()

	c, err := client.Dial(client.Options{HostPort: *address})
	if err != nil {
		log.Fatalf("connecting to Temporal at %s: %v", *address, err)
	}
	defer c.Close()

	w := worker.New(c, *queue, worker.Options{})
	RegisterResearch(w)
	RegisterResearchActivities(w, agent{})
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	defer w.Stop()

	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: *queue}, ResearchWorkflowName, State{})
	if err != nil {
		log.Fatal(err)
	}
	var s State
	if err := temporalgraphc.Decode(run.Get(ctx, &s)); err != nil {
		log.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	fmt.Printf("workflow %s (%s): round %d, %d docs, best %q\n", run.GetID(), ResearchWorkflowName, s.Round, len(s.Docs), s.Best.Title)
}
