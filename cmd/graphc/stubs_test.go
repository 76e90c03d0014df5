package main

import (
	"strings"
	"testing"
)

func TestStubsCommand(t *testing.T) {
	for _, args := range [][]string{{"stubs"}, {"stubs", "a.graph.yaml", "b.graph.yaml"}, {"stubs", "-format", "x", "a.graph.yaml"}} {
		if code, _, stderr := run(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("graphc %q: exit %d, stderr %q; want exit 2 with a message", args, code, stderr)
		}
	}
	code, stdout, stderr := run(t, "stubs", "../../examples/research/research.graph.yaml")
	if code != exitOK || !strings.HasPrefix(stdout, "package main\n") || !strings.Contains(stdout, "func (researchHandlers) Merge(ctx context.Context, s State, in MergeBranches) (State, error) {") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, "stubs", "../../testdata/check/nosuch.graph.yaml")
	if code != exitSpec || !strings.Contains(stderr, "nosuch.graph.yaml") {
		t.Fatalf("missing spec: exit %d, stderr %q", code, stderr)
	}
}
