package runtime_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
)

var fileProcs = storetest.Processes{
	Open: func(t *testing.T, dir string) runtime.Store {
		st, err := runtime.NewFileStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		return st
	},
	ChildTest: "TestFileStoreChild",
}

// TestFileStoreChild is the child process of the two tests below.
func TestFileStoreChild(t *testing.T) { fileProcs.Child(t) }

// TestFileStoreKill9: see storetest.Processes.Kill9.
func TestFileStoreKill9(t *testing.T) { fileProcs.Kill9(t) }

// TestFileStoreProcessesRace: flock makes the Seq check and the write one
// step across processes (see storetest.Processes.Race).
func TestFileStoreProcessesRace(t *testing.T) { fileProcs.Race(t) }

func rec(seq uint64) runtime.Record {
	return runtime.Record{Seq: seq, Kind: runtime.NodeRecord, Node: "n", Time: time.Unix(int64(seq), 0).UTC(), State: []byte(`{"a":1}`)}
}

// TestFileStoreFiles checks what the store leaves on disk: file names stay
// inside its directory and are lower case, and a thread file is JSON lines
// that another tool can read.
func TestFileStoreFiles(t *testing.T) {
	dir := t.TempDir()
	st, err := runtime.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{"../up", "/abs", "Mixed", "mixed", strings.Repeat("x", 450)} {
		if err := st.Append(ctx, id, []runtime.Record{rec(1)}); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"%2e%2e%2fup.jsonl", "%2fabs.jsonl", "%4dixed.jsonl", "mixed.jsonl",
		strings.Repeat("x", 200) + "/" + strings.Repeat("x", 200) + "/" + strings.Repeat("x", 50) + ".jsonl"}
	if fmt.Sprint(files) != fmt.Sprint(want) {
		t.Errorf("files %q, want %q", files, want)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "mixed.jsonl"))
	if r, err := runtime.DecodeRecord([]byte(strings.TrimSuffix(string(data), "\n"))); err != nil || r.Seq != 1 {
		t.Errorf("mixed.jsonl is not one JSON line of record 1: %q (%v)", data, err)
	}
	// A last line that ends in a newline but does not decode (its blocks
	// were not written before a crash) is torn too; earlier, it is damage.
	path := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(path, append(data, "{\"seq\":2,\x00\x00\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if recs, err := st.Load(ctx, "mixed"); err != nil || len(recs) != 1 {
		t.Fatalf("Load with an undecodable last line: %d records, %v; want 1, nil", len(recs), err)
	}
	if err := os.WriteFile(path, append(data, "{\"seq\":2,\x00\x00\n{\"seq\":3,"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, "mixed"); err == nil || !strings.Contains(err.Error(), `"mixed"`) || !strings.Contains(err.Error(), "line 2 (record 2)") {
		t.Fatalf("Load with an undecodable line before a torn one: %v, want an error naming thread and line", err)
	}
	if err := st.Append(ctx, "mixed", []runtime.Record{rec(2)}); err == nil || !strings.Contains(err.Error(), "line 2 (record 2)") {
		t.Fatalf("Append after damage: %v, want an error naming the line", err)
	}
}
