package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPauseAndResumeAcrossInvocations runs the program's commands as the
// demo does — start, status, resume with a revision, resume with approval —
// each on a store it opens afresh, as another process would, on both kinds
// of store.
func TestPauseAndResumeAcrossInvocations(t *testing.T) {
	for _, where := range []string{"file:" + filepath.Join(t.TempDir(), "threads"), "sqlite:" + filepath.Join(t.TempDir(), "threads.db")} {
		t.Run(strings.SplitN(where, ":", 2)[0], func(t *testing.T) {
			step := func(args ...string) string {
				t.Helper()
				var b strings.Builder
				if err := run(append([]string{"-store", where}, args...), &b); err != nil {
					t.Fatalf("approval %s: %v\n%s", strings.Join(args, " "), err, b.String())
				}
				return b.String()
			}
			out := step("start", "-thread", "t1", "-topic", "graphs")
			if !strings.Contains(out, `paused for review. Draft: "graphs: 1 web sources and 2 papers"`) {
				t.Fatalf("start:\n%s", out)
			}
			if out := step("status", "-thread", "t1"); !strings.Contains(out, "thread t1: paused") {
				t.Fatalf("status:\n%s", out)
			}
			out = step("resume", "-thread", "t1", "-verdict", "revise", "-note", "more papers")
			if !strings.Contains(out, `Draft: "graphs: 2 web sources and 4 papers, revised for: more papers"`) {
				t.Fatalf("revise:\n%s", out)
			}
			out = step("resume", "-thread", "t1", "-verdict", "approve")
			if !strings.Contains(out, "done: PUBLISHED graphs: 2 web sources and 4 papers, revised for: more papers") {
				t.Fatalf("approve:\n%s", out)
			}
			if out := step("status", "-thread", "t1"); !strings.Contains(out, "thread t1: done after 19 steps") {
				t.Fatalf("final status:\n%s", out)
			}
			// A wrong verdict is a usage error; nothing is recorded.
			var b strings.Builder
			if err := run([]string{"-store", where, "resume", "-thread", "t1", "-verdict", "maybe"}, &b); err == nil {
				t.Fatal("a verdict of maybe was taken")
			}
		})
	}
}
