package diff

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// seq returns the lines lo..hi, one number a line.
func seq(lo, hi int) string {
	var sb strings.Builder
	for i := lo; i <= hi; i++ {
		fmt.Fprintf(&sb, "%d\n", i)
	}
	return sb.String()
}

// edit returns s with the 1-based line n replaced by repl (which carries its
// own newlines; "" deletes the line).
func edit(s string, n int, repl string) string {
	lines := strings.SplitAfter(s, "\n")
	lines[n-1] = repl
	return strings.Join(lines, "")
}

var cases = []struct {
	name string
	a, b string
}{
	{"both empty", "", ""},
	{"equal", "a\nb\nc\n", "a\nb\nc\n"},
	{"equal without final newline", "a\nb", "a\nb"},
	{"empty a", "", "a\nb\nc\n"},
	{"empty b", "a\nb\nc\n", ""},
	{"empty a, b without final newline", "", "a\nb"},
	{"empty b, a without final newline", "a\nb", ""},
	{"insert at start", seq(1, 10), "new\n" + seq(1, 10)},
	{"insert at end", seq(1, 10), seq(1, 10) + "new\n"},
	{"insert in middle", seq(1, 20), seq(1, 10) + "new\nnewer\n" + seq(11, 20)},
	{"delete at start", seq(1, 10), seq(3, 10)},
	{"delete at end", seq(1, 10), seq(1, 8)},
	{"delete in middle", seq(1, 20), seq(1, 9) + seq(13, 20)},
	{"replace", seq(1, 20), edit(seq(1, 20), 10, "ten\nTEN\n")},
	{"replace all", "a\nb\n", "c\nd\ne\n"},
	{"a without final newline", "a\nb\nc", "a\nb\nc\n"},
	{"b without final newline", "a\nb\nc\n", "a\nb\nc"},
	{"neither with final newline", "a\nb\nc", "a\nb\nd"},
	{"unchanged last line without newline", seq(1, 10) + "end", edit(seq(1, 10), 9, "nine\n") + "end"},
	{"append to line without newline", "a\nb", "a\nb\nc\n"},
	{"newline only", "x", "x\n"},
	{"single line to empty", "x", ""},
	{"blank lines", "\n\n\n", "\n\n"},
	{"carriage returns", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"},
	{"gap of 6 merges", seq(1, 20), edit(edit(seq(1, 20), 2, "X\n"), 9, "Y\n")},
	{"gap of 7 splits", seq(1, 20), edit(edit(seq(1, 20), 2, "X\n"), 10, "Y\n")},
	{"many hunks", seq(1, 200), func() string {
		s := seq(1, 200)
		for n := 5; n <= 200; n += 17 {
			s = edit(s, n, fmt.Sprintf("changed %d\n", n))
		}
		return s
	}()},
	{"many hunks of all kinds", seq(1, 100), strings.Join([]string{
		"start\n", seq(1, 20), seq(24, 40), "x\ny\n", seq(41, 60),
		"z\n", seq(62, 99), "end",
	}, "")},
	{"change at both ends", seq(1, 30), "first\n" + seq(2, 29) + "last\n"},
}

func TestUnifiedCases(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Unified("a/file", "b/file", []byte(tc.a), []byte(tc.b))
			if (got == "") != (tc.a == tc.b) {
				t.Fatalf("Unified returned %q for texts that are equal=%v", got, tc.a == tc.b)
			}
			if tc.a == tc.b {
				return
			}
			checkApply(t, got, tc.a, tc.b)
			if want, ok := gnuDiff(t, tc.a, tc.b, "a/file", "b/file"); ok && got != want {
				t.Errorf("output differs from diff -u\ngot:\n%s\nwant:\n%s", got, want)
			}
			checkPatch(t, got, tc.a, tc.b)
		})
	}
}

func TestUnifiedFormat(t *testing.T) {
	got := Unified("old", "new", []byte(seq(1, 20)), []byte(edit(seq(1, 20), 10, "")+"21")) // delete 10, append 21
	want := `--- old
+++ new
@@ -7,7 +7,6 @@
 7
 8
 9
-10
 11
 12
 13
@@ -18,3 +17,4 @@
 18
 19
 20
+21
\ No newline at end of file
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := Unified("a", "b", []byte("x\n"), []byte("y\n")); got != "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n" {
		t.Errorf("one-line ranges: got %q", got)
	}
	if got := Unified("a", "b", nil, []byte{}); got != "" {
		t.Errorf("nil vs empty: got %q", got)
	}
}

// randomPair returns a random text and a random edit of it. Lines come from a
// small vocabulary so that repeats, and with them ambiguous alignments, are
// common.
func randomPair(rng *rand.Rand, maxLines int) (a, b string) {
	vocab := 1 + rng.IntN(12)
	word := func() string { return "w" + strconv.Itoa(rng.IntN(vocab)) + "\n" }
	var lines []string
	for range rng.IntN(maxLines + 1) {
		lines = append(lines, word())
	}
	out := append([]string(nil), lines...)
	for range rng.IntN(8) {
		p := rng.IntN(len(out) + 1)
		run := 1 + rng.IntN(4)
		switch rng.IntN(3) {
		case 0: // insert
			var ins []string
			for range run {
				ins = append(ins, word())
			}
			out = append(out[:p], append(ins, out[p:]...)...)
		case 1: // delete
			out = append(out[:p], out[min(p+run, len(out)):]...)
		case 2: // replace
			for i := p; i < min(p+run, len(out)); i++ {
				out[i] = word()
			}
		}
	}
	a, b = strings.Join(lines, ""), strings.Join(out, "")
	if a != "" && rng.IntN(4) == 0 {
		a = strings.TrimSuffix(a, "\n")
	}
	if b != "" && rng.IntN(4) == 0 {
		b = strings.TrimSuffix(b, "\n")
	}
	return a, b
}

// TestUnifiedRandom checks random edits on random texts: the diff applies
// (with the in-process applier and, for some, with patch), and it is minimal,
// compared with a dynamic-programming LCS. The search limit is varied so that
// the heuristic split is exercised too; only the default limit must give
// minimal diffs on these small inputs.
func TestUnifiedRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240611, 1))
	for i := range 3000 {
		a, b := randomPair(rng, 40)
		for _, limit := range []int{0, 1, 2, 5} {
			got := unified("a", "b", []byte(a), []byte(b), limit)
			if (got == "") != (a == b) {
				t.Fatalf("case %d limit %d: %q for equal=%v", i, limit, got, a == b)
			}
			out, err := applyUnified(got, "a", "b", a)
			if err != nil || out != b {
				t.Fatalf("case %d limit %d: diff does not apply (err %v)\na=%q\nb=%q\ndiff:\n%s\nresult=%q", i, limit, err, a, b, got, out)
			}
			if limit != 0 {
				continue
			}
			if n, want := countEdits(got), editDistance(a, b); n != want {
				t.Fatalf("case %d: %d edits, minimal is %d\na=%q\nb=%q\ndiff:\n%s", i, n, want, a, b, got)
			}
			if i < 100 && a != b {
				checkPatch(t, got, a, b)
			}
		}
	}
}

// TestUnifiedLarge compares 100,000-line texts a few edits apart, with every
// fifth line renamed, and against a single line; and a 20,000-line text with
// a shuffled copy of itself, where the search limit comes into play.
func TestUnifiedLarge(t *testing.T) {
	a, b := largePair(100_000, 5)
	small, _ := largePair(20_000, 0)
	for _, tc := range []struct {
		name  string
		a, b  string
		edits int // minimal number of edit lines, or -1 if not checked
	}{
		{"few edits", a, b, 10},
		{"every fifth line renamed", a, strings.ReplaceAll(a, "x(", "y("), 40_000},
		{"one line vs all", "}\n", a, 99_999},
		{"shuffled", small, shuffled(small), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Unified("a", "b", []byte(tc.a), []byte(tc.b))
			out, err := applyUnified(got, "a", "b", tc.a)
			if err != nil || out != tc.b {
				t.Fatalf("diff does not apply: %v", err)
			}
			if n := countEdits(got); tc.edits >= 0 && n != tc.edits {
				t.Errorf("%d edits, want %d", n, tc.edits)
			}
			if tc.name == "few edits" {
				checkPatch(t, got, tc.a, tc.b)
			}
		})
	}
}

// largePair returns a Go-like text of n lines, with many repeated lines, and
// a copy with changes lines replaced.
func largePair(n, changes int) (a, b string) {
	lines := make([]string, n)
	for i := range lines {
		switch i % 5 {
		case 0:
			lines[i] = fmt.Sprintf("func node%dx(ctx context.Context) error {\n", i)
		case 1:
			lines[i] = fmt.Sprintf("\treturn run(ctx, %d)\n", i)
		case 2:
			lines[i] = "}\n"
		default:
			lines[i] = "\n"
		}
	}
	a = strings.Join(lines, "")
	for k := range changes {
		i := (k*2+1)*n/(2*changes) - (k*2+1)*n/(2*changes)%5 + 1
		lines[i] = fmt.Sprintf("\treturn run(ctx, %d) // changed\n", i)
	}
	return a, strings.Join(lines, "")
}

func shuffled(s string) string {
	lines := strings.SplitAfter(s, "\n")
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	return strings.Join(lines, "")
}

// countEdits returns the number of deleted and inserted lines in a diff.
func countEdits(d string) int {
	n := 0
	for i, l := range strings.SplitAfter(d, "\n") {
		if i >= 2 && (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) {
			n++
		}
	}
	return n
}

// editDistance returns the least number of line insertions and deletions
// turning a into b, by the textbook quadratic LCS table.
func editDistance(a, b string) int {
	al, bl := lines(a), lines(b)
	prev := make([]int, len(bl)+1)
	cur := make([]int, len(bl)+1)
	for i := range al {
		for j := range bl {
			if al[i] == bl[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return len(al) + len(bl) - 2*prev[len(bl)]
}

// lines splits s after each newline, without a final empty element.
func lines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@\n$`)

const noNewline = "\\ No newline at end of file\n"

// applyUnified applies the unified diff d, which must name the files aName
// and bName, to a. It is strict: every hunk must apply exactly where its
// header says, with the line counts it states, with 3 lines of context where
// the text has them, and not be mergeable with the one before; deleted lines
// come before inserted ones.
func applyUnified(d, aName, bName, a string) (string, error) {
	if d == "" {
		return a, nil
	}
	if !strings.HasSuffix(d, "\n") {
		return "", errors.New("diff does not end in a newline")
	}
	dl := lines(d)
	if len(dl) < 3 || dl[0] != "--- "+aName+"\n" || dl[1] != "+++ "+bName+"\n" {
		return "", fmt.Errorf("bad file header %q", dl[:min(2, len(dl))])
	}
	al := lines(a)
	var out []string
	pos, prevEnd := 0, -1
	for k := 2; k < len(dl); {
		m := hunkHeader.FindStringSubmatch(dl[k])
		if m == nil {
			return "", fmt.Errorf("line %d: bad hunk header %q", k+1, dl[k])
		}
		k++
		aStart, aCount, err := hunkRange(m[1], m[2])
		if err != nil {
			return "", err
		}
		bStart, bCount, err := hunkRange(m[3], m[4])
		if err != nil {
			return "", err
		}
		if aStart < pos || aStart > len(al) || aStart <= prevEnd {
			return "", fmt.Errorf("hunk at a line %d out of order or overlapping (previous ended at %d)", aStart, prevEnd)
		}
		out = append(out, al[pos:aStart]...)
		pos = aStart
		if len(out) != bStart {
			return "", fmt.Errorf("hunk starts at b line %d, but the result so far has %d lines", bStart, len(out))
		}
		na, nb, lead, trail, changed := 0, 0, 0, 0, false
		var prevOp byte
		for na < aCount || nb < bCount {
			if k >= len(dl) {
				return "", errors.New("hunk is short")
			}
			line := dl[k]
			k++
			op, text := line[0], line[1:]
			if k < len(dl) && dl[k] == noNewline {
				text = strings.TrimSuffix(text, "\n")
				k++
			}
			switch op {
			case ' ':
				if pos >= len(al) || al[pos] != text {
					return "", fmt.Errorf("context %q does not match a line %d", text, pos+1)
				}
				out = append(out, text)
				pos++
				na++
				nb++
				if changed {
					trail++
				} else {
					lead++
				}
			case '-':
				if pos >= len(al) || al[pos] != text {
					return "", fmt.Errorf("deleted %q does not match a line %d", text, pos+1)
				}
				if prevOp == '+' {
					return "", errors.New("deletion after insertion")
				}
				pos++
				na++
				changed, trail = true, 0
			case '+':
				out = append(out, text)
				nb++
				changed, trail = true, 0
			default:
				return "", fmt.Errorf("bad hunk line %q", line)
			}
			prevOp = op
		}
		if na != aCount || nb != bCount {
			return "", fmt.Errorf("hunk has %d/%d lines, header says %d/%d", na, nb, aCount, bCount)
		}
		if !changed {
			return "", errors.New("hunk without changes")
		}
		if lead != min(context, lead+aStart) || trail != min(context, trail+len(al)-pos) {
			return "", fmt.Errorf("hunk has %d lines of leading and %d of trailing context", lead, trail)
		}
		prevEnd = pos
	}
	out = append(out, al[pos:]...)
	return strings.Join(out, ""), nil
}

// hunkRange decodes one side of a hunk header into a 0-based start and a
// count. A count of 1 must be omitted, as diff -u does.
func hunkRange(start, count string) (int, int, error) {
	s, err := strconv.Atoi(start)
	if err != nil {
		return 0, 0, err
	}
	n := 1
	if count != "" {
		if n, err = strconv.Atoi(count[1:]); err != nil {
			return 0, 0, err
		}
		if n == 1 {
			return 0, 0, errors.New("count of 1 not omitted")
		}
	}
	if n > 0 {
		s--
	}
	if s < 0 {
		return 0, 0, fmt.Errorf("bad range %s%s", start, count)
	}
	return s, n, nil
}

// checkApply checks that d turns a into b according to applyUnified.
func checkApply(t *testing.T, d, a, b string) {
	t.Helper()
	out, err := applyUnified(d, "a/file", "b/file", a)
	if err != nil {
		t.Fatalf("%v\ndiff:\n%s", err, d)
	}
	if out != b {
		t.Fatalf("applying the diff gives %q, want %q\ndiff:\n%s", out, b, d)
	}
}

// checkPatch applies d to a with patch, or where patch is missing with git
// apply, and checks the result is b. d may name its files anything.
func checkPatch(t *testing.T, d, a, b string) {
	t.Helper()
	if _, err := exec.LookPath("patch"); err == nil {
		checkWithPatch(t, d, a, b)
		return
	}
	if _, err := exec.LookPath("git"); err == nil {
		checkWithGit(t, d, a, b)
		return
	}
	t.Skip("neither patch nor git found")
}

func checkWithPatch(t *testing.T, d, a, b string) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), a)
	write(t, filepath.Join(dir, "p.diff"), d)
	// --fuzz=0 and no "Hunk" messages: every hunk must apply exactly
	// where its header says.
	cmd := exec.Command("patch", "--batch", "--fuzz=0", "--output=out.txt", "a.txt", "p.diff")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "POSIXLY_CORRECT=", "LC_ALL=C")
	msg, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(msg, []byte("Hunk")) {
		t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, msg, d)
	}
	if got := read(t, filepath.Join(dir, "out.txt")); got != b {
		t.Fatalf("patch gives %q, want %q\ndiff:\n%s", got, b, d)
	}
}

func checkWithGit(t *testing.T, d, a, b string) {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) []byte {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		msg, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s\ndiff:\n%s", args, err, msg, d)
		}
		return msg
	}
	git("init", "-q")
	write(t, filepath.Join(dir, "f"), a)
	// git apply takes the file to patch from the header.
	hdr := "--- a/f\n+++ b/f\n"
	_, body, _ := strings.Cut(d, "\n")
	_, body, _ = strings.Cut(body, "\n")
	write(t, filepath.Join(dir, "p.diff"), hdr+body)
	git("apply", "--verbose", "p.diff")
	if got := read(t, filepath.Join(dir, "f")); got != b {
		t.Fatalf("git apply gives %q, want %q\ndiff:\n%s", got, b, d)
	}
}

func TestGitApply(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
	for _, tc := range cases {
		if tc.a == tc.b {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			checkWithGit(t, Unified("a/f", "b/f", []byte(tc.a), []byte(tc.b)), tc.a, tc.b)
		})
	}
}

// gnuDiff returns the output of diff -u on a and b, labelled with the given
// names (so without timestamps), and whether diff could be run.
func gnuDiff(t *testing.T, a, b, aName, bName string) (string, bool) {
	t.Helper()
	if _, err := exec.LookPath("diff"); err != nil {
		return "", false
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), a)
	write(t, filepath.Join(dir, "b"), b)
	args := []string{"-u", "--label", aName, "--label", bName, "a", "b"}
	cmd := exec.Command("diff", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Logf("diff: %v; not comparing", err)
		return "", false
	}
	if strings.Contains(string(out), "--label") {
		return "", false // not a diff that knows --label
	}
	return string(out), true
}

func write(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return "" // patch may remove a file it empties
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzUnified checks that Unified never panics and that its output, applied
// to a by the strict in-process applier, gives b, with the default search
// limit and with a tiny one.
func FuzzUnified(f *testing.F) {
	for _, tc := range cases {
		f.Add([]byte(tc.a), []byte(tc.b))
	}
	f.Add([]byte("a\nb\na\nb\n"), []byte("b\na\nb\na"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		for _, limit := range []int{0, 1} {
			d := unified("a", "b", a, b, limit)
			if (d == "") != bytes.Equal(a, b) {
				t.Fatalf("limit %d: got %q, texts equal=%v", limit, d, bytes.Equal(a, b))
			}
			out, err := applyUnified(d, "a", "b", string(a))
			if err != nil {
				t.Fatalf("limit %d: %v\ndiff:\n%s", limit, err, d)
			}
			if out != string(b) {
				t.Fatalf("limit %d: applying gives %q, want %q\ndiff:\n%s", limit, out, b, d)
			}
		}
	})
}

func BenchmarkUnified100k(b *testing.B) {
	x, y := largePair(100_000, 5)
	xb, yb := []byte(x), []byte(y)
	b.SetBytes(int64(len(xb) + len(yb)))
	for b.Loop() {
		Unified("a", "b", xb, yb)
	}
}
