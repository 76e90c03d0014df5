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
		"| FanIn20 | 2.00 µs | 25 | 1.46 KiB | 1.00 µs | 47 | 3.02 KiB | 8.99 ms | 2.00× | – | 4496× |",
		"| Generate10000 | 2.66 s | 17219287 | 680 MiB | 1 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
