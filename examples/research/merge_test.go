package main

import (
	"context"
	"slices"
	"testing"
)

// TestMergeCountsEachDocOnce: two rounds of plan, searches and merge leave
// every document in Docs once. A merge that appends the branches' whole
// Docs, fork-time documents included, duplicates the first round's.
func TestMergeCountsEachDocOnce(t *testing.T) {
	s, err := NewResearch(agent{}).Invoke(context.Background(), State{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"web: graph executors, round 1",
		"paper 1: graph executors, round 1",
		"paper 2: graph executors, round 1",
		"web: graph executors, round 2",
		"paper 3: graph executors, round 2",
		"paper 4: graph executors, round 2",
	}
	if !slices.Equal(s.Docs, want) {
		t.Errorf("after %d rounds, Docs =\n%q\nwant\n%q", s.Round, s.Docs, want)
	}
}
