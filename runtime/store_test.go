package runtime_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) runtime.Store { return runtime.NewMemoryStore() })
}

// fileStores remembers the directory of each file store a test made, for
// the damage hooks.
var fileStores sync.Map // runtime.Store -> dir

func newFileStore(t *testing.T) runtime.Store {
	dir := t.TempDir()
	st, err := runtime.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	fileStores.Store(st, dir)
	t.Cleanup(func() { fileStores.Delete(st) })
	return st
}

// threadFile finds the one file of thread id in st's directory (the id is
// plain a-z in the damage tests, so it is the file name).
func threadFile(t *testing.T, st runtime.Store, id string) string {
	dir, _ := fileStores.Load(st)
	return filepath.Join(dir.(string), id+".jsonl")
}

func TestFileStore(t *testing.T) {
	storetest.RunOptions(t, newFileStore, storetest.Options{
		// Tear cuts the last line in its middle, as a crash during the
		// write would, with no newline.
		Tear: func(t *testing.T, st runtime.Store, id string) {
			path := threadFile(t, st, id)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			start := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
			if err := os.Truncate(path, int64(start+(len(data)-start)/2)); err != nil {
				t.Fatal(err)
			}
		},
		// Corrupt overwrites the start of the record's line with bytes
		// that are not JSON, keeping the line's length and newline.
		Corrupt: func(t *testing.T, st runtime.Store, id string, seq uint64) {
			path := threadFile(t, st, id)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(data, []byte("\n"))
			for i, l := range lines {
				first := bytes.TrimPrefix(l, []byte("["))
				if bytes.HasPrefix(first, []byte(`{"seq":`+strconv.FormatUint(seq, 10)+`,`)) {
					copy(lines[i], "#garbage")
					break
				}
			}
			if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func BenchmarkMemoryStore(b *testing.B) {
	storetest.Benchmark(b, func(*testing.B) runtime.Store { return runtime.NewMemoryStore() })
}

func BenchmarkFileStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) runtime.Store {
		st, err := runtime.NewFileStore(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		return st
	})
}
