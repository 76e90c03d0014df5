package spec

import (
	"bytes"
	"fmt"
	"strings"
)

// yaml.v3 tells the line of a syntax error, not its column, and often the
// line of the construct the error is in rather than that of the error
// itself. findSyntax reads the text again, with the few rules of YAML that a
// spec's author can get wrong (indentation, tabs, quotes, brackets, ": " in
// a value, block scalar headers), to find the character at fault and say
// how to fix it. It is called only on text yaml.v3 has refused, and it gives
// up (ok false) on what it does not model (complex keys, directives in the
// middle of a document, flow keys), leaving yaml.v3's word to stand.

// syntaxProblem is a syntax error: the offset in src of the character at
// fault, and what to do about it.
type syntaxProblem struct {
	off int
	msg string
}

// findSyntax returns the first syntax error in src that it recognises.
func findSyntax(src []byte) (syntaxProblem, bool) {
	if bytes.HasPrefix(src, []byte{0xFF, 0xFE}) || bytes.HasPrefix(src, []byte{0xFE, 0xFF}) {
		return syntaxProblem{}, false // UTF-16, which yaml.v3 decodes
	}
	s := &yamlScanner{src: src, scalarParent: noScalar}
	if bytes.HasPrefix(src, []byte("\uFEFF")) {
		s.i = len("\uFEFF") // a byte order mark
	}
	for s.i < len(s.src) && !s.stop {
		s.line()
	}
	if s.problem == nil {
		return syntaxProblem{}, false
	}
	return *s.problem, true
}

const noScalar = -2 // yamlScanner.scalarParent outside a block scalar

// level is an open block collection: a mapping or a list.
type level struct {
	indent int  // the column of its keys or of its "-", 0-based
	seq    bool // a list (else a mapping)
	last   int  // offset of the latest key or "-" at this level
}

// yamlScanner reads a YAML text line by line.
type yamlScanner struct {
	src     []byte
	i       int     // offset of the next line
	levels  []level // the block collections open, outermost first
	open    bool    // the last line ended with a key or "-" whose value comes on the next lines
	plain   bool    // the last line ended in a plain value, which may go on on the next lines
	stop    bool    // a problem is found, or the text is beyond this scanner
	problem *syntaxProblem

	scalarParent int // the indentation of the block scalar's parent; noScalar when not in one
	scalarIndent int // the indentation of the block scalar's text; 0 until its first line
}

func (s *yamlScanner) fail(off int, format string, args ...any) {
	if s.problem == nil {
		s.problem = &syntaxProblem{off: off, msg: fmt.Sprintf(format, args...)}
	}
	s.stop = true
}

func (s *yamlScanner) giveUp() { s.stop = true }

// at returns the byte at offset i, or 0 past the end.
func (s *yamlScanner) at(i int) byte {
	if i < len(s.src) {
		return s.src[i]
	}
	return 0
}

func isEOL(c byte) bool { return c == '\n' || c == '\r' || c == 0 }

// blankAt reports whether offset i holds a space, a tab, a line break or the end.
func (s *yamlScanner) blankAt(i int) bool {
	c := s.at(i)
	return c == ' ' || c == '\t' || isEOL(c)
}

// eol returns the offset of the end of the line that holds i.
func (s *yamlScanner) eol(i int) int {
	for i < len(s.src) && !isEOL(s.src[i]) {
		i++
	}
	return i
}

// nextLine returns the offset of the line after the one that holds i.
func (s *yamlScanner) nextLine(i int) int {
	i = s.eol(i)
	if s.at(i) == '\r' && s.at(i+1) == '\n' {
		return i + 2
	}
	return min(i+1, len(s.src))
}

// lineStart returns the offset of the start of the line that holds i.
func (s *yamlScanner) lineStart(i int) int {
	for i > 0 && !isEOL(s.src[i-1]) {
		i--
	}
	return i
}

// skipSpace returns the first offset from i that is not a space or a tab.
func (s *yamlScanner) skipSpace(i int) int {
	for s.at(i) == ' ' || s.at(i) == '\t' {
		i++
	}
	return i
}

// word returns the key or "-" that starts at off, for a message.
func (s *yamlScanner) word(off int) string {
	if s.at(off) == '-' {
		return "-"
	}
	end := off
	for end < len(s.src) && !isEOL(s.src[end]) && !(s.src[end] == ':' && s.blankAt(end+1)) {
		end++
	}
	return strings.TrimSpace(string(s.src[off:end]))
}

// value returns the text from off to the end of its line, without a
// comment, for a message that quotes it.
func (s *yamlScanner) value(off int) string {
	end := s.eol(off)
	v := s.src[off:end]
	for j := 1; j < len(v); j++ {
		if v[j] == '#' && (v[j-1] == ' ' || v[j-1] == '\t') {
			v = v[:j]
			break
		}
	}
	return strings.TrimSpace(string(v))
}

// maxQuoted is the longest text a message quotes.
const maxQuoted = 40

// short returns v, cut to maxQuoted bytes.
func short(v string) string {
	if len(v) <= maxQuoted {
		return v
	}
	return strings.ToValidUTF8(v[:maxQuoted], "") + "..."
}

// quoteFix suggests v in double quotes, when that is simple to write.
func quoteFix(v string) string {
	if v == "" || strings.ContainsAny(v, `"\`) || len(v) > maxQuoted {
		return "put the value in quotes"
	}
	return `put the value in quotes: "` + v + `"`
}

// lineNo returns the 1-based line of offset off.
func (s *yamlScanner) lineNo(off int) int {
	line, _ := lineCol(s.src, off)
	return line
}

// line reads the line at s.i.
func (s *yamlScanner) line() {
	start := s.i
	j := s.skipSpaceOnly(start)
	indent := j - start
	s.i = s.nextLine(start)

	if s.scalarParent != noScalar {
		if s.blockScalarLine(j, indent) {
			return
		}
		s.scalarParent = noScalar
	}
	continues := s.plain && (len(s.levels) == 0 || indent > s.levels[len(s.levels)-1].indent)
	if c := s.at(j); isEOL(c) || c == '#' {
		return
	} else if c == '\t' && !continues {
		// After a plain value, even a blank line may not start with a tab.
		if k := s.skipSpace(j); (isEOL(s.at(k)) || s.at(k) == '#') && !s.plain {
			return
		}
		s.fail(j, "a tab indents this line: indent with spaces, not tabs")
		return
	}
	if indent == 0 {
		if bytes.HasPrefix(s.src[j:], []byte("---")) && s.blankAt(j+3) || bytes.HasPrefix(s.src[j:], []byte("...")) && s.blankAt(j+3) {
			s.levels, s.open, s.plain = s.levels[:0], false, false
			if k := s.skipSpace(j + 3); !isEOL(s.at(k)) && s.at(k) != '#' {
				s.giveUp()
			}
			return
		}
		if s.at(j) == '%' {
			s.giveUp()
			return
		}
	}
	if continues {
		s.continuation(s.skipSpace(j))
		return
	}
	s.content(j, indent)
}

// skipSpaceOnly returns the first offset from i that is not a space.
func (s *yamlScanner) skipSpaceOnly(i int) int {
	for s.at(i) == ' ' {
		i++
	}
	return i
}

// blockScalarLine reads a line that may belong to a block scalar (the text
// after | or >), and reports whether it does.
func (s *yamlScanner) blockScalarLine(j, indent int) bool {
	switch c := s.at(j); {
	case c == '\t' && (s.scalarIndent == 0 || indent < s.scalarIndent):
		if k := s.skipSpace(j); isEOL(s.at(k)) {
			return true
		}
		s.fail(j, "a tab indents this line: indent with spaces, not tabs")
		return true
	case isEOL(c):
		return true
	case indent > s.scalarParent:
		if s.scalarIndent == 0 {
			s.scalarIndent = indent
		}
		return true
	}
	return false
}

// continuation reads a line that goes on with the plain value of the line
// above: ": " may not appear in it.
func (s *yamlScanner) continuation(j int) {
	end := s.eol(j)
	for k := j; k < end; k++ {
		c := s.src[k]
		if c == '#' && (s.src[k-1] == ' ' || s.src[k-1] == '\t') {
			return
		}
		if c != ':' || !s.blankAt(k+1) {
			continue
		}
		if len(s.levels) == 0 {
			s.giveUp() // a document that is one plain value
			return
		}
		top := s.levels[len(s.levels)-1]
		if bytes.ContainsAny(s.src[j:k], " \t") {
			s.fail(k, `": " cannot appear in an unquoted value: put the value that starts on line %d in quotes`, s.lineNo(top.last))
			return
		}
		s.fail(j, "this line is indented more than %q on line %d, so it goes on with that value, where \": \" is not allowed: start it at column %d, like %q (or, if it is part of the value above, put that value in quotes)",
			s.word(top.last), s.lineNo(top.last), top.indent+1, s.word(top.last))
		return
	}
}

// Kinds of the first token of a line.
const (
	tokSeq   = iota // "- "
	tokKey          // "key:"
	tokValue        // anything else
	tokBlock        // | or >: a block scalar
)

// structure checks where the first token of a line stands among the block
// collections open, and opens or closes them.
func (s *yamlScanner) structure(kind, off, indent int) {
	open := s.open
	s.open, s.plain = false, false
	popped := -1 // the innermost level closed by this line
	for len(s.levels) > 0 && s.levels[len(s.levels)-1].indent > indent {
		popped = len(s.levels) - 1
		s.levels = s.levels[:popped]
	}
	if len(s.levels) == 0 {
		if kind == tokSeq || kind == tokKey {
			s.levels = append(s.levels, level{indent: indent, seq: kind == tokSeq, last: off})
		}
		return
	}
	top := &s.levels[len(s.levels)-1]
	switch {
	case top.indent < indent && popped >= 0:
		inner := s.levels[:popped+1][popped] // still in the backing array
		s.fail(off, "this line starts at column %d, where no line above it starts: start it at column %d, like %q on line %d, or at column %d, like %q on line %d",
			indent+1, inner.indent+1, s.word(inner.last), s.lineNo(inner.last), top.indent+1, s.word(top.last), s.lineNo(top.last))
	case top.indent < indent:
		if !open {
			s.giveUp() // a value after a quoted or bracketed one: beyond this scanner
			return
		}
		if kind == tokSeq || kind == tokKey {
			s.levels = append(s.levels, level{indent: indent, seq: kind == tokSeq, last: off})
		}
	case !top.seq && kind == tokKey, top.seq && kind == tokSeq:
		top.last = off
	case kind == tokBlock && open:
		// yaml.v3 takes a | or > value of an empty key or "-" from the
		// next line, even at the key's indentation.
	case !top.seq && kind == tokSeq && open:
		// A list may stand at the indentation of the key it belongs to.
		s.levels = append(s.levels, level{indent: indent, seq: true, last: off})
	case !top.seq && kind == tokSeq:
		s.fail(off, "a list entry where a key of %q on line %d is expected: indent it under the key it belongs to", s.word(top.last), s.lineNo(top.last))
	case !top.seq:
		s.fail(off, "missing \":\" after %q: each line of a mapping is key: value", s.word(off))
	case kind == tokKey && len(s.levels) > 1 && s.levels[len(s.levels)-2].indent == indent && !s.levels[len(s.levels)-2].seq:
		// A key after a list that stood at its key's indentation.
		s.levels = s.levels[:len(s.levels)-1]
		s.levels[len(s.levels)-1].last = off
	default:
		s.fail(off, "expected a list entry, like the \"-\" on line %d: start the line with \"- \"", s.lineNo(top.last))
	}
}

// content reads the tokens of a line in block context, from j.
func (s *yamlScanner) content(j, indent int) {
	ls := j - indent // the start of the line the scanner is on
	first := true    // no token read yet on this line
	afterKey := false
	afterDash := false
	props := -1 // where the anchor or tag of the next node starts
	for !s.stop {
		j = s.skipSpace(j)
		c := s.at(j)
		if isEOL(c) || c == '#' {
			s.i = s.nextLine(j)
			if first {
				return // only comments after a multi-line value
			}
			s.open = afterKey || afterDash
			return
		}
		kindHere := func(key bool) int {
			if key {
				return tokKey
			}
			return tokValue
		}
		switch {
		case c == '-' && s.blankAt(j+1):
			switch {
			case first:
				s.structure(tokSeq, j, j-ls)
			case afterKey:
				s.fail(j, "a list cannot start on the line of its key: move %q to the next line, indented under %q", short(s.value(j)), s.word(s.levels[len(s.levels)-1].last))
				return
			default:
				s.levels = append(s.levels, level{indent: j - ls, seq: true, last: j})
			}
			first, afterDash, afterKey = false, true, false
			j++
			continue
		case c == '?' && s.blankAt(j+1), c == ',', c == '%':
			s.giveUp()
			return
		case c == '&' || c == '!':
			if props < 0 {
				props = j
			}
			if c == '&' {
				k, ok := s.alias(j, false)
				if !ok {
					return
				}
				j = k
				continue
			}
			for !s.blankAt(j) {
				j++
			}
			continue
		case c == '@' || c == '`':
			s.fail(j, "a value cannot start with %c: %s", c, quoteFix(s.value(j)))
			return
		case c == ']' || c == '}':
			s.fail(j, "this %c closes nothing: remove it (or put the value in quotes)", c)
			return
		case c == '|' || c == '>':
			s.blockHeader(j, first, indent)
			return
		}
		// A node: a value, or a key if ":" follows it.
		var end int
		var ok bool
		switch c {
		case '"', '\'':
			end, ok = s.quotedBlock(j)
		case '[', '{':
			end, ok = s.flowBlock(j)
		case '*':
			end, ok = s.alias(j, false)
		default:
			end, ok = s.plainBlock(j), true
		}
		if !ok {
			return
		}
		nodeLine := ls // the start of the line the node starts on
		if c == '"' || c == '\'' || c == '[' || c == '{' {
			ls = s.lineStart(end) // the node may span lines
		}
		colon := s.skipSpace(end)
		key := s.at(colon) == ':' && s.blankAt(colon+1)
		if key && (c == '[' || c == '{') {
			s.giveUp() // a flow collection as a key
			return
		}
		at := j // where the node starts, with its anchor or tag
		if props >= 0 {
			at, props = props, -1
		}
		switch {
		case key && afterKey:
			s.fail(colon, "\": \" cannot appear in an unquoted value: %s", quoteFix(s.value(j)))
			return
		case first:
			s.structure(kindHere(key), j, at-nodeLine)
			if s.stop {
				return
			}
		case key && afterDash:
			s.levels = append(s.levels, level{indent: at - nodeLine, last: j})
		}
		first, afterDash = false, false
		if key {
			afterKey = true
			j = colon + 1
			continue
		}
		// The value ends the line.
		s.plain = c != '"' && c != '\'' && c != '[' && c != '{' && c != '*'
		s.open = false
		if k := s.skipSpace(end); !isEOL(s.at(k)) && s.at(k) != '#' {
			s.afterValue(j, end, k)
			return
		}
		s.i = s.nextLine(end)
		return
	}
}

// afterValue reports the text at k that follows the value from j to end.
func (s *yamlScanner) afterValue(j, end, k int) {
	switch c := s.src[j]; c {
	case '"', '\'':
		if s.lineNo(j) != s.lineNo(end) {
			s.fail(j, "the string this %c starts is closed only on line %d: close it on its own line", c, s.lineNo(end))
			return
		}
		s.fail(k, "unexpected text after the closing %c: put the whole value inside the quotes", c)
	case '[', '{':
		closer := s.src[end-1]
		if c := s.src[k]; c == ']' || c == '}' {
			s.fail(k, "this %c closes nothing: remove it", c)
			return
		}
		if s.lineNo(j) == s.lineNo(k) {
			s.fail(k, "unexpected text after the closing %c: %s", closer, quoteFix(s.value(j)))
			return
		}
		s.fail(k, "unexpected text after the closing %c", closer)
	default:
		s.giveUp()
	}
}

// blockHeader checks the header of a block scalar (| or > and its
// indicators) at j, and starts the scalar.
func (s *yamlScanner) blockHeader(j int, first bool, indent int) {
	k := j + 1
	for c := s.at(k); c == '-' || c == '+' || c >= '0' && c <= '9'; c = s.at(k) {
		if c == '0' {
			s.fail(k, "the indentation of a %c block cannot be 0: use 1 to 9, or leave it out", s.src[j])
			return
		}
		k++
	}
	if k = s.skipSpace(k); !isEOL(s.at(k)) && s.at(k) != '#' {
		s.fail(k, "nothing may follow %c on its line but a comment: start the text on the next line, indented (or put the value in quotes)", s.src[j])
		return
	}
	if first {
		s.structure(tokBlock, j, indent)
	}
	s.scalarParent, s.scalarIndent = -1, 0
	if len(s.levels) > 0 {
		s.scalarParent = s.levels[len(s.levels)-1].indent
	}
	s.open, s.plain = false, false
	s.i = s.nextLine(j)
}

// plainBlock returns the end of the plain value that starts at j in block
// context: at ": ", " #" or the end of the line.
func (s *yamlScanner) plainBlock(j int) int {
	for k := j; ; k++ {
		switch c := s.at(k); {
		case isEOL(c):
			return trimRight(s.src, j, k)
		case c == ':' && s.blankAt(k+1):
			return k
		case c == '#' && k > j && (s.src[k-1] == ' ' || s.src[k-1] == '\t'):
			return trimRight(s.src, j, k)
		}
	}
}

// trimRight returns end less the spaces and tabs before it, down to j.
func trimRight(src []byte, j, end int) int {
	for end > j && (src[end-1] == ' ' || src[end-1] == '\t') {
		end--
	}
	return end
}

// alias returns the end of the alias (*name) or anchor (&name) that starts
// at j: a name of letters, digits, _ and -, then a space or one of ?:,]}%@`.
func (s *yamlScanner) alias(j int, flow bool) (int, bool) {
	k := j + 1
	for c := s.at(k); c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'; c = s.at(k) {
		k++
	}
	if k == j+1 || !s.blankAt(k) && !bytes.ContainsRune([]byte("?:,]}%@`"), rune(s.at(k))) {
		what := "an alias (*)"
		if s.src[j] == '&' {
			what = "an anchor (&)"
		}
		v := s.value(j)
		if i := strings.IndexAny(v, ",]}"); flow && i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		s.fail(j, "%s needs a name of letters, digits, _ and -; for a value that starts with %c, %s", what, s.src[j], quoteFix(v))
		return 0, false
	}
	return k, true
}

// quotedBlock returns the end of the quoted string that starts at j.
func (s *yamlScanner) quotedBlock(j int) (int, bool) {
	end, ok := s.quoted(j)
	if ok {
		s.i = s.nextLine(end)
	}
	return end, ok
}

// quoted returns the offset after the string in quotes that starts at j.
func (s *yamlScanner) quoted(j int) (int, bool) {
	q := s.src[j]
	for k := j + 1; k < len(s.src); k++ {
		switch c := s.src[k]; {
		case q == '\'' && c == '\'':
			if s.at(k+1) != '\'' {
				return k + 1, true
			}
			k++
		case q == '"' && c == '"':
			return k + 1, true
		case q == '"' && c == '\\':
			n, ok := s.escape(k)
			if !ok {
				return 0, false
			}
			k += n
		}
	}
	s.fail(j, "the string this %c starts is never closed: add the closing %c", q, q)
	return 0, false
}

// escape checks the escape at k (a backslash) in a string in double quotes,
// and returns its length less one.
func (s *yamlScanner) escape(k int) (int, bool) {
	c := s.at(k + 1)
	digits := 0
	switch c {
	case '0', 'a', 'b', 't', '\t', 'n', 'v', 'f', 'r', 'e', ' ', '"', '\'', '\\', 'N', '_', 'L', 'P', '\n': // as yaml.v3 reads them
		return 1, true
	case '\r':
		if s.at(k+2) == '\n' {
			return 2, true
		}
		return 1, true
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		s.fail(k, "\\%s is not an escape in a string in double quotes: write \\\\ for a backslash, or use single quotes", s.escapeText(k+1))
		return 0, false
	}
	for d := range digits {
		if !isHex(s.at(k + 2 + d)) {
			s.fail(k, "\\%c needs %d hexadecimal digits: write \\\\ for a backslash, or use single quotes", c, digits)
			return 0, false
		}
	}
	return 1 + digits, true
}

// escapeText returns the character at k, for a message.
func (s *yamlScanner) escapeText(k int) string {
	if isEOL(s.at(k)) {
		return ""
	}
	r := []rune(string(s.src[k:min(k+4, len(s.src))]))
	return string(r[:1])
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// flowBlock returns the end of the flow collection ([...] or {...}) that
// starts at j in block context.
func (s *yamlScanner) flowBlock(j int) (int, bool) {
	end, ok := s.flow(j)
	if ok {
		s.i = s.nextLine(end)
	}
	return end, ok
}

// flow returns the offset after the flow collection that starts at j.
func (s *yamlScanner) flow(j int) (int, bool) {
	stack := []int{j}
	base := s.skipSpaceOnly(s.lineStart(j)) - s.lineStart(j) // the indentation of the bracket's line
	suspect := -1                                            // the bracket open when a line went back to base
	// fail reports a problem, or, once the collection has run on to a
	// line no more indented than its own, the bracket left open.
	fail := func(off int, format string, args ...any) (int, bool) {
		if suspect >= 0 {
			off, format, args = suspect, "this %c is never closed: add the %c that ends it", []any{s.src[suspect], closerOf(s.src[suspect])}
		}
		s.fail(off, format, args...)
		return 0, false
	}
	needNode := true   // after an opening bracket or a comma
	afterNode := false // after a value that must be followed by , : or a closing bracket
	lastPlain := false // the last value is plain, and may go on after a line break
	k := j + 1
	for {
		// Spaces, line breaks and comments.
		broke := false
		for {
			c := s.at(k)
			if c == ' ' || c == '\t' {
				k++
				continue
			}
			if c == '\n' || c == '\r' {
				k++
				broke = true
				if next := s.nextLine(k - 1); suspect < 0 && next < len(s.src) && s.skipSpaceOnly(next)-next <= base && !isEOL(s.at(s.skipSpaceOnly(next))) {
					suspect = stack[len(stack)-1]
				}
				continue
			}
			if c == '#' && (s.src[k-1] == ' ' || s.src[k-1] == '\t' || isEOL(s.src[k-1])) {
				k = s.eol(k)
				continue
			}
			break
		}
		if k >= len(s.src) {
			open := stack[len(stack)-1]
			return fail(open, "this %c is never closed: add the %c that ends it", s.src[open], closerOf(s.src[open]))
		}
		c := s.src[k]
		open := stack[len(stack)-1]
		if lastPlain && broke && bytes.IndexByte([]byte(",[]{}:"), c) < 0 {
			c = 0 // the plain value goes on
		}
		switch {
		case c == ',':
			if needNode {
				return fail(k, "an empty entry in %c %c: remove this comma", s.src[open], closerOf(s.src[open]))
			}
			needNode, afterNode = true, false
			k++
		case c == ']' || c == '}':
			if c != closerOf(s.src[open]) {
				line, col := lineCol(s.src, open)
				return fail(k, "this %c does not close the %c at line %d, column %d: write %c", c, s.src[open], line, col, closerOf(s.src[open]))
			}
			stack = stack[:len(stack)-1]
			k++
			if len(stack) == 0 {
				return k, true
			}
			needNode, afterNode, lastPlain = false, true, false
		case c == ':' && (s.blankAt(k+1) || bytes.IndexByte([]byte(",[]{}"), s.at(k+1)) >= 0 || afterNode):
			needNode, afterNode = false, false
			k++
		case afterNode && !(lastPlain && broke):
			return fail(k, "expected \",\" or %q here: separate the entries of %c %c with commas", string(closerOf(s.src[open])), s.src[open], closerOf(s.src[open]))
		case c == '[' || c == '{':
			stack = append(stack, k)
			needNode, afterNode = true, false
			k++
		case c == '"' || c == '\'':
			lastPlain = false
			end, ok := s.quoted(k)
			if !ok {
				return 0, false
			}
			k, needNode, afterNode = end, false, true
		case c == '*':
			lastPlain = false
			end, ok := s.alias(k, true)
			if !ok {
				return 0, false
			}
			k, needNode, afterNode = end, false, true
		case c == '&':
			end, ok := s.alias(k, true)
			if !ok {
				return 0, false
			}
			k = end
			needNode = false // an anchor may stand for an empty value
		case c == '!':
			// yaml.v3 reads a tag to the end of its URI characters, which
			// include , [ and ] even inside a flow collection: {!] } is a
			// mapping whose key is an empty node tagged !].
			for k++; tagChar(s.at(k)); k++ {
			}
			needNode = false // an anchor or a tag may stand for an empty value
		case c == '@' || c == '`':
			return fail(k, "a value cannot start with %c: put the value in quotes", c)
		case c == '|' || c == '>' || c == '%' || c == '?' || c == '-' && s.blankAt(k+1):
			s.giveUp()
			return 0, false
		default: // a plain value, or c == 0: more of one
			k = s.plainFlow(k)
			needNode, afterNode, lastPlain = false, true, true
			if b := s.at(k); b == '[' || b == '{' {
				return fail(k, "%c cannot follow a value inside %c %c: put the value in quotes", b, s.src[open], closerOf(s.src[open]))
			}
		}
	}
}

// tagChar reports whether yaml.v3 reads c as part of a tag: a letter, a
// digit, or one of -_;/?:@&=+$,.!~*'()[]% (libyaml's URI characters).
func tagChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_;/?:@&=+$,.!~*'()[]%", c) >= 0
}

// plainFlow returns the end of the plain value that starts at k in flow
// context: at , [ ] { }, at ": ", or at " #". It may span lines.
func (s *yamlScanner) plainFlow(k int) int {
	for ; k < len(s.src); k++ {
		switch c := s.src[k]; {
		case c == ',' || c == '[' || c == ']' || c == '{' || c == '}':
			return k
		case c == ':' && (s.blankAt(k+1) || bytes.IndexByte([]byte(",[]{}"), s.at(k+1)) >= 0):
			return k
		case c == '#' && (s.src[k-1] == ' ' || s.src[k-1] == '\t'), isEOL(c):
			return k
		}
	}
	return k
}

func closerOf(c byte) byte {
	if c == '[' {
		return ']'
	}
	return '}'
}
