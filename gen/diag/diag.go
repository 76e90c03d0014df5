package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a spec file. Line and Col are 1-based; a zero Line
// means the position is unknown (the value was absent from the spec).
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p points somewhere in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders p as path:line:col, the form editors and terminals link.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Compare orders positions by file, then line, then column.
func (p Pos) Compare(q Pos) int {
	return cmp.Or(strings.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
}

// Diagnostic is one problem found in a spec.
type Diagnostic struct {
	Pos     Pos
	Message string
}

func (d Diagnostic) String() string { return d.Pos.String() + ": " + d.Message }

// List is a set of diagnostics. Its zero value is ready to use. A non-empty
// List is an error; Sort it before printing.
type List []Diagnostic

// Add appends a diagnostic formatted with fmt.Sprintf.
func (l *List) Add(p Pos, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: p, Message: fmt.Sprintf(format, args...)})
}

// Sort orders the list by position then message and drops exact duplicates.
func (l List) Sort() List {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(a.Pos.Compare(b.Pos), strings.Compare(a.Message, b.Message))
	})
	return slices.Compact(l)
}

// Err returns the sorted list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sort()
}

// Error renders one diagnostic per line.
func (l List) Error() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Closest returns the name in names nearest to s by edit distance, or "" if
// none is near enough to be a likely typo.
func Closest(s string, names []string) string {
	best, bestD := "", max(1, len(s)/3)
	for _, n := range names {
		if max(len(n)-len(s), len(s)-len(n)) > bestD {
			continue // too far apart in length to be close
		}
		d := distance(s, n)
		if d >= max(len(s), len(n)) {
			continue // every character differs: c is no typo of a
		}
		if d < bestD || d == bestD && best == "" {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b: the
// edits (insert, delete, substitute, swap two adjacent bytes) from a to b.
func distance(a, b string) int {
	// Three rows of the dynamic-programming table suffice.
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
