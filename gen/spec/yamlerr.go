package spec

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// yaml.v3 reports a syntax error as a plain error, "yaml: line N: problem",
// without a column. Its line is off by one for the problems found by its
// parser (as opposed to its scanner), and missing for the problems found in
// the first line, in the encoding, or with anchors.

// parserProblems are the messages of yaml.v3's parser, whose line it reports
// 0-based.
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found duplicate %TAG directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// readerProblems are the messages of yaml.v3's reader, which decodes the
// input text; they come with no line at all.
var readerProblems = []string{
	"control characters are not allowed",
	"invalid Unicode character",
	"invalid leading UTF-8 octet",
	"invalid trailing UTF-8 octet",
	"incomplete UTF-8 octet sequence",
	"invalid length of a UTF-8 sequence",
}

// syntaxError reports err, an error from yaml.v3, at the place in src it is
// about, as near as that can be told.
func (p *parser) syntaxError(err error, src []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{File: p.path, Line: 1, Col: 1}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, problem, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil && line > 0 {
				pos.Line, msg = line, problem
				if slices.Contains(parserProblems, msg) {
					pos.Line++
				}
			}
		}
	}
	switch {
	case slices.Contains(readerProblems, msg):
		if off, r, ok := badChar(src); ok {
			pos.Line, pos.Col = lineCol(src, off)
			if r == utf8.RuneError {
				msg = "the spec is not valid UTF-8 text (" + msg + ")"
			} else {
				msg = fmt.Sprintf("control character %U is not allowed in a spec", r)
			}
		}
	case strings.HasPrefix(msg, "unknown anchor '"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		if off, ok := findAlias(src, "*"+name); ok {
			pos.Line, pos.Col = lineCol(src, off)
		}
		msg = "unknown anchor " + quote(name) + ": define it with &" + name + " before this alias uses it"
	case msg == "found character that cannot start any token":
		if col := tabIndent(src, pos.Line); col > 0 {
			pos.Col = col
			msg += ": indent with spaces, not tabs"
		}
	}
	p.diags.Add(pos, "%s", msg)
}

// badChar returns the offset in src of the first character that YAML does
// not allow, and that character; utf8.RuneError stands for a byte that is
// not UTF-8.
func badChar(src []byte) (off int, r rune, ok bool) {
	for off < len(src) {
		r, size := utf8.DecodeRune(src[off:])
		switch {
		case r == utf8.RuneError && size == 1, r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r >= 0x7F && r <= 0x9F && r != 0x85, r == 0xFFFE, r == 0xFFFF:
			return off, r, true
		}
		off += size
	}
	return 0, 0, false
}

// findAlias returns the offset in src of the first use of the alias token
// tok: tok followed by a character that cannot continue an anchor name.
func findAlias(src []byte, tok string) (off int, ok bool) {
	for {
		i := bytes.Index(src[off:], []byte(tok))
		if i < 0 {
			return 0, false
		}
		at, end := off+i, off+i+len(tok)
		if end == len(src) || bytes.IndexByte([]byte(" \t\r\n,]}"), src[end]) >= 0 {
			return at, true
		}
		off = end
	}
}

// lineCol returns the line and column of the character at offset off in src,
// counted as yaml.v3 counts them: in characters, with CR LF, CR, LF, NEL, LS
// and PS each ending a line.
func lineCol(src []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		i += size
		switch {
		case r == '\r' && i < len(src) && src[i] == '\n':
			// the line ends at the LF
		case isBreak(r):
			line, col = line+1, 1
		default:
			col++
		}
	}
	return line, col
}

func isBreak(r rune) bool {
	return r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// tabIndent returns the column of the first tab in the indentation of the
// given line of src, or 0 if there is none.
func tabIndent(src []byte, line int) int {
	i := 0
	for l := 1; l < line && i < len(src); { // skip to the line
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if isBreak(r) && !(r == '\r' && i < len(src) && src[i] == '\n') {
			l++
		}
	}
	for col := 1; i < len(src); i, col = i+1, col+1 {
		switch src[i] {
		case '\t':
			return col
		case ' ':
		default:
			return 0
		}
	}
	return 0
}
