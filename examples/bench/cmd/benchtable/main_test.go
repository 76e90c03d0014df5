package main

import (
	"strings"
	"testing"
)

const input = `goos: linux
cpu: Some CPU
BenchmarkFanIn20/graphc-2   	  100	  3000 ns/op	  1491 B/op	  25 allocs/op
BenchmarkFanIn20/graphc-2   	  100	  1000 ns/op	  1491 B/op	  25 allocs/op
BenchmarkFanIn20/graphc-2   	  100	  2000 ns/op	  1491 B/op	  25 allocs/op
BenchmarkFanIn20/hand-2     	  100	  1000 ns/op	  3097 B/op	  47 allocs/op
--- SKIP: BenchmarkFanIn20/eino
BenchmarkFanIn20/langgraph 	       27	     8983088 ns/op
BenchmarkFanIn20/langgraph 	       27	     9000000 ns/op
BenchmarkMatrix/slice/heavy/W20/graphc-2 	  100	  1200 ns/op	  0 B/op	  21 allocs/op
BenchmarkMatrix/slice/heavy/W20/hand-2   	  100	  1000 ns/op	  0 B/op	  42 allocs/op
BenchmarkGenerate10000-2   	       1	2662610307 ns/op	  11982961 bytes-out	713450528 B/op	17219287 allocs/op
PASS
`

func TestTable(t *testing.T) {
	var s samples
	if err := s.parse(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.median("FanIn20/graphc", "ns/op"); m != 2000 {
		t.Errorf("median = %v, want 2000", m)
	}
	if m, _ := s.median("FanIn20/langgraph", "ns/op"); m != 8991544 {
		t.Errorf("even median = %v, want 8991544", m)
	}
	var b strings.Builder
	s.table(&b)
	out := b.String()
	for _, want := range []string{
		// No Eino run: no eino/graphc column.
		"| FanIn20 | 2.00 µs | 25 | 1.46 KiB | 1.00 µs | 47 | 3.02 KiB | 8.99 ms | 2.00× | 4496× |",
		// The system is the name's last element.
		"| Matrix/slice/heavy/W20 | 1.20 µs | 21 | 0 B | 1.00 µs | 42 | 0 B | – | 1.20× | – |",
		"| Generate10000 | 2.66 s | 17219287 | 680 MiB | 1 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

const checkpointInput = `goos: linux
cpu: Some CPU
BenchmarkCheckpoint/chain10/none-2         	     200	       250 ns/op	        25.00 ns/node	       0 B/op	       0 allocs/op
BenchmarkCheckpoint/chain10/sqlite-sync-2  	     200	   1000250 ns/op	    100025 ns/node	   28230 B/op	     779 allocs/op
BenchmarkCheckpoint/chain10/file-sync-2    	     200	   2000250 ns/op	    200025 ns/node	   53075 B/op	     423 allocs/op
BenchmarkFanIn20/graphc-2   	  100	  3000 ns/op	  1491 B/op	  25 allocs/op
pkg: langgraph.js 1.7.3 on node v20.20.2
BenchmarkCheckpoint/chain10/none/langgraph 	     200	     5000000 ns/op	    500000 ns/node
BenchmarkCheckpoint/chain10/sqlite-sync/langgraph 	     200	     4000000 ns/op	    400000 ns/node
BenchmarkCheckpoint/chain10/sqlite-sync/langgraph 	     200	     9000000 ns/op	    900000 ns/node
BenchmarkCheckpoint/chain10/sqlite-sync/langgraph 	     200	     8000000 ns/op	    800000 ns/node
BenchmarkCheckpoint/chain10/none-2         	     200	       350 ns/op	        35.00 ns/node	       0 B/op	       0 allocs/op
BenchmarkCheckpoint/chain10/none-2         	     200	       300 ns/op	        30.00 ns/node	       0 B/op	       0 allocs/op
BenchmarkCheckpoint/chain10/memory-sync/langgraph 	     200	     4000000 ns/op	    400000 ns/node
`

func TestCheckpointTable(t *testing.T) {
	var s samples
	if err := s.parse(strings.NewReader(checkpointInput)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if !s.checkpointTable(&b) {
		t.Fatal("checkpointTable found no rows")
	}
	// Rows in order of first appearance, whichever system reported them;
	// the ratio of medians (8 ms / 1.00025 ms); +/node over the same
	// system's median without a store (graphc: (1000250-300)/10 ns =
	// 99.995 µs, three digits: 100 µs; LangGraph.js: (8 ms - 5 ms)/10);
	// negative when below it; no LangGraph.js figures where it has no
	// such store.
	want := `| graph | store | durability | graphc ns/op | graphc ns/node | graphc +/node | langgraph ns/op | langgraph +/node | langgraph/graphc |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
| chain10 | none | – | 300 ns | 30.0 ns | – | 5.00 ms | – | 16667× |
| chain10 | sqlite | sync | 1.00 ms | 100 µs | 100 µs | 8.00 ms | 300 µs | 8.00× |
| chain10 | file | sync | 2.00 ms | 200 µs | 200 µs | – | – | – |
| chain10 | memory | sync | – | – | – | 4.00 ms | −100 µs | – |
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	var none samples
	if err := none.parse(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	if none.checkpointTable(&b) {
		t.Error("checkpointTable reported rows for input without BenchmarkCheckpoint")
	}
}

func TestSplice(t *testing.T) {
	doc := "# Title\n\nprose\n<!-- benchtable -->\nold table\n<!-- /benchtable -->\nmore prose\n"
	got, err := splice([]byte(doc), []byte("new table"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Title\n\nprose\n<!-- benchtable -->\nnew table\n<!-- /benchtable -->\nmore prose\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"no markers\n", "<!-- benchtable -->\nunterminated\n", "<!-- /benchtable -->\n<!-- benchtable -->\n"} {
		if _, err := splice([]byte(bad), []byte("x")); err == nil {
			t.Errorf("splice(%q) = nil error, want one", bad)
		}
	}
}
