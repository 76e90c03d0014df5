package diff

import (
	"bytes"
	"strconv"
	"strings"
)

// context is the number of unchanged lines shown around each change, as with
// diff -u.
const context = 3

// Unified returns the unified diff turning a into b, with 3 lines of context, headed
// "--- aName" / "+++ bName" and "@@ -l,s +l,s @@" hunks. It returns "" when a and b are equal.
// Texts not ending in a newline get the "\ No newline at end of file" marker like diff -u.
//
// The names are printed as given, with no timestamps. Hunks whose context
// would overlap or touch are merged into one, and a range of one line is
// written "l" rather than "l,1", as diff -u does, so the output can be applied
// with patch or git apply. Lines are split at '\n' only; a '\r' before it is
// part of the line.
func Unified(aName, bName string, a, b []byte) string {
	return unified(aName, bName, a, b, 0)
}

// unified is Unified with the search limit of editScript as a parameter (0
// for the default), so that tests can exercise the heuristic on small inputs.
func unified(aName, bName string, a, b []byte, limit int) string {
	if bytes.Equal(a, b) {
		return ""
	}
	al, bl := splitLines(string(a)), splitLines(string(b))
	del, ins := editScript(al, bl, limit)
	changes := collect(del, ins)

	var sb strings.Builder
	sb.WriteString("--- ")
	sb.WriteString(aName)
	sb.WriteString("\n+++ ")
	sb.WriteString(bName)
	sb.WriteString("\n")
	for len(changes) > 0 {
		// A hunk takes changes for as long as the unchanged run before
		// the next one is short enough for their contexts to meet.
		n := 1
		for n < len(changes) && changes[n].a0-changes[n-1].a1 <= 2*context {
			n++
		}
		writeHunk(&sb, al, bl, changes[:n])
		changes = changes[n:]
	}
	return sb.String()
}

// A change replaces the lines a[a0:a1] by b[b0:b1]. One of the ranges may be
// empty. The lines before a0 and b0 back to the previous change are equal.
type change struct {
	a0, a1, b0, b1 int
}

// collect turns the per-line marks of an edit script into maximal changes,
// in order.
func collect(del, ins []bool) []change {
	var cs []change
	i, j := 0, 0
	for i < len(del) || j < len(ins) {
		if i < len(del) && j < len(ins) && !del[i] && !ins[j] {
			i++
			j++
			continue
		}
		c := change{a0: i, b0: j}
		for i < len(del) && del[i] {
			i++
		}
		for j < len(ins) && ins[j] {
			j++
		}
		if i == c.a0 && j == c.b0 {
			// Unmarked lines left on one side only: editScript
			// broke its contract.
			panic("diff: inconsistent edit script")
		}
		c.a1, c.b1 = i, j
		cs = append(cs, c)
	}
	return cs
}

// writeHunk writes one hunk covering changes cs and their context.
func writeHunk(sb *strings.Builder, a, b []string, cs []change) {
	first, last := cs[0], cs[len(cs)-1]
	lead := min(context, first.a0)        // == min(context, first.b0)
	trail := min(context, len(a)-last.a1) // == min(context, len(b)-last.b1)
	a0, a1 := first.a0-lead, last.a1+trail
	b0, b1 := first.b0-lead, last.b1+trail

	sb.WriteString("@@ -")
	writeRange(sb, a0, a1)
	sb.WriteString(" +")
	writeRange(sb, b0, b1)
	sb.WriteString(" @@\n")

	i := a0
	for _, c := range cs {
		writeLines(sb, ' ', a[i:c.a0])
		writeLines(sb, '-', a[c.a0:c.a1])
		writeLines(sb, '+', b[c.b0:c.b1])
		i = c.a1
	}
	writeLines(sb, ' ', a[i:a1])
}

// writeRange writes the lines [lo, hi) (0-based) in hunk-header form: the
// 1-based first line and the count, the count omitted when it is 1, and for
// an empty range the line after which it lies.
func writeRange(sb *strings.Builder, lo, hi int) {
	var buf [40]byte
	n := hi - lo
	start := lo + 1
	if n == 0 {
		start = lo
	}
	out := strconv.AppendInt(buf[:0], int64(start), 10)
	if n != 1 {
		out = append(out, ',')
		out = strconv.AppendInt(out, int64(n), 10)
	}
	sb.Write(out)
}

// writeLines writes lines, each prefixed by op. Only the last line of a text
// can lack its newline; it is followed by the marker line diff -u prints.
func writeLines(sb *strings.Builder, op byte, lines []string) {
	for _, l := range lines {
		sb.WriteByte(op)
		sb.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// splitLines splits s after each '\n'. Every line but possibly the last ends
// in '\n'; s == "" has no lines.
func splitLines(s string) []string {
	lines := make([]string, 0, strings.Count(s, "\n")+1)
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		lines = append(lines, s[:i])
		s = s[i:]
	}
	return lines
}
