package gen

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWrite: Write replaces a file's content, leaves an unchanged file
// alone (its modification time stays), removes a turned-off output only if
// graphc wrote it, and leaves no temporary file behind.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a_graph.go")
	keep := filepath.Join(dir, "keep.go")
	gone := filepath.Join(dir, "a_graph_test.go")
	mine := filepath.Join(dir, "b_graph_test.go")
	os.WriteFile(out, []byte("old"), 0o644)
	os.WriteFile(keep, []byte("same"), 0o644)
	os.WriteFile(gone, []byte(generatedHeader+"a.graph.yaml"), 0o644)
	os.WriteFile(mine, []byte("// written by the user"), 0o644)
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(keep, past, past)

	err := Write([]File{
		{Path: out, Content: []byte("new")},
		{Path: keep, Content: []byte("same")},
		{Path: gone, Remove: true},
		{Path: mine, Remove: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "new" {
		t.Errorf("%s holds %q, want %q", out, b, "new")
	}
	if fi, err := os.Stat(keep); err != nil || !fi.ModTime().Equal(past) {
		t.Errorf("an unchanged file was rewritten: %v", err)
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Errorf("graphc's turned-off output is still there: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file graphc did not write was removed: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("the directory holds %d files, want 3 (a temporary file left behind?)", len(entries))
	}
}
