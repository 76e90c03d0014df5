package gen

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/graphc/graphc/gen/diag"
)

// Fixes that a test can apply to the spec text, as the messages word them.
var (
	// `; did you mean "plan"?`, `; did you mean __end__?`, `(e.g. "MyGraph")`:
	// replace the name at the diagnostic's position.
	renameRE = regexp.MustCompile(`did you mean "?([A-Za-z0-9_]+)"?\?|\(e\.g\. "([A-Za-z0-9_]+)"\)`)
	// "add `{from: b, to: m}`": append the edge to the edges list.
	addEdgeRE = regexp.MustCompile("add (?:one \\()?`(\\{from: [a-z0-9_]+, to: [a-z0-9_]+\\})`")
	// "drop `fan_in: true`": remove it from the node at the position.
	dropFanInRE = regexp.MustCompile("drop `fan_in: true`")
)

// TestFixesWork applies, to each spec of testdata/check, the fix each of its
// messages suggests, wherever that fix is mechanical, and checks the spec
// again: the message must be gone, and no new problem may appear on the
// line the fix edited (advice that leads to the next error).
func TestFixesWork(t *testing.T) {
	specs, _ := filepath.Glob("../testdata/check/*.graph.yaml")
	applied := 0
	for _, spec := range specs {
		src, err := os.ReadFile(spec)
		if err != nil {
			t.Fatal(err)
		}
		_, before := Check(spec, src)
		for _, d := range before {
			fixed, line, ok := applyFix(string(src), d)
			if !ok {
				continue
			}
			applied++
			_, after := Check(spec, []byte(fixed))
			for _, a := range after {
				if a.Message == d.Message {
					t.Errorf("%s\n  the fix does not remove it:\n%s", d, fixed)
				}
				if a.Pos.Line == line && !slices.ContainsFunc(before, func(b diag.Diagnostic) bool { return b.Message == a.Message }) {
					t.Errorf("%s\n  the fix leads to a new error on line %d: %s", d, line, a)
				}
			}
		}
	}
	if applied < 10 {
		t.Errorf("only %d fixes could be applied; the patterns no longer match the messages?", applied)
	}
}

// applyFix returns src with the fix that d suggests applied, and the line
// the fix edited; ok is false when d's fix is not one a test can apply.
func applyFix(src string, d diag.Diagnostic) (fixed string, line int, ok bool) {
	lines := strings.SplitAfter(src, "\n")
	i := d.Pos.Line - 1
	if i < 0 || i >= len(lines) {
		return "", 0, false
	}
	switch {
	case renameRE.MatchString(d.Message):
		m := renameRE.FindStringSubmatch(d.Message)
		name := m[1] + m[2]
		col := d.Pos.Col - 1
		l := lines[i]
		if col < 0 || col >= len(l) {
			return "", 0, false
		}
		end := col
		for end < len(l) && !strings.ContainsRune(" ,:]}\n#", rune(l[end])) {
			end++
		}
		if m[2] != "" { // a name to change: everywhere, as an editor renames
			old := regexp.MustCompile(`\b` + regexp.QuoteMeta(l[col:end]) + `\b`)
			return old.ReplaceAllString(src, name), d.Pos.Line, true
		}
		lines[i] = l[:col] + name + l[end:]
		return strings.Join(lines, ""), d.Pos.Line, true
	case addEdgeRE.MatchString(d.Message):
		// The specs end with their edges list, one item per line.
		if !strings.HasSuffix(src, "\n") || !strings.HasPrefix(lines[len(lines)-2], "  - ") {
			return "", 0, false
		}
		edge := addEdgeRE.FindStringSubmatch(d.Message)[1]
		return src + "  - " + edge + "\n", len(lines), true
	case dropFanInRE.MatchString(d.Message):
		if !strings.Contains(lines[i], ", fan_in: true}") {
			return "", 0, false
		}
		lines[i] = strings.Replace(lines[i], ", fan_in: true}", "}", 1)
		return strings.Join(lines, ""), d.Pos.Line, true
	}
	return "", 0, false
}
