package main

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"strings"
)

type pipeline struct{}

var _ PipelineHandlers = pipeline{}

func step(s State, what string) State {
	s.Log = append(s.Log, what)
	return s
}

func (pipeline) Checkout(ctx context.Context, s State) (State, error) {
	s.Version = "v1.2.3"
	s.Artifacts = map[string]string{"source": "graphc@" + s.Version}
	return step(s, "checkout"), nil
}
func (pipeline) Compile(ctx context.Context, s State) (State, error) {
	s.Artifacts["objects"] = "graphc.o"
	return step(s, "compile"), nil
}
func (pipeline) Link(ctx context.Context, s State) (State, error) {
	s.Artifacts["binary"] = "graphc"
	return step(s, "link"), nil
}
func (pipeline) Test(ctx context.Context, s State) (State, error) { return step(s, "test"), nil }
func (pipeline) Unit(ctx context.Context, s State) (State, error) {
	s.Artifacts["unit.xml"] = "412 passed"
	return step(s, "unit"), nil
}
func (pipeline) Integration(ctx context.Context, s State) (State, error) {
	s.Artifacts["integration.xml"] = "37 passed"
	return step(s, "integration"), nil
}

// Tested joins the nested fork: s is the state test returned.
func (pipeline) Tested(ctx context.Context, s State, in TestedBranches) (State, error) {
	maps.Copy(s.Artifacts, in.Unit.Artifacts)
	maps.Copy(s.Artifacts, in.Integration.Artifacts)
	n := len(s.Log) // the branches' logs start with test's
	return step(s, "tested("+strings.Join(in.Unit.Log[n:], ",")+" + "+strings.Join(in.Integration.Log[n:], ",")+")"), nil
}

// Release joins the outer fork: s is the state checkout returned.
func (pipeline) Release(ctx context.Context, s State, in ReleaseBranches) (State, error) {
	n := len(s.Log) // each branch's log starts with what checkout wrote
	for name, b := range in.All() {
		maps.Copy(s.Artifacts, b.Artifacts)
		s.Log = append(s.Log, name+"["+strings.Join(b.Log[n:], ",")+"]")
	}
	return step(s, "release"), nil
}

func main() {
	s, err := NewPipeline(pipeline{}).Invoke(context.Background(), State{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("log:", strings.Join(s.Log, " -> "))
	for _, k := range slices.Sorted(maps.Keys(s.Artifacts)) {
		fmt.Printf("  %-16s %s\n", k, s.Artifacts[k])
	}
}
