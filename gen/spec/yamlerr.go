package spec

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
	lineKnown := false
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, problem, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil && line > 0 {
				pos.Line, msg, lineKnown = line, problem, true
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
		if r, _ := utf8.DecodeRuneInString(name); unicode.IsUpper(r) || strings.ContainsAny(name, ".[") {
			msg += ` (or, for the Go type *` + name + `, put it in quotes: "*` + name + `")`
		}
	case strings.HasPrefix(msg, "exceeded max depth"):
		// Nesting, not a character, is at fault: the line says where.
	default:
		// yaml.v3's line is that of the error or of the construct it is
		// in, which starts no later; a problem found past it is another.
		if sp, ok := findSyntax(src); ok {
			tab := strings.Contains(msg, "tab character") && strings.Contains(sp.msg, "tab")
			if line, col := lineCol(src, sp.off); !lineKnown || line <= pos.Line+1 || tab {
				pos.Line, pos.Col, msg = line, col, sp.msg
				break
			}
		}
		pos.Col = firstCol(src, pos.Line)
		msg = "malformed YAML (" + msg + "): check the indentation, quotes and brackets here and on the line above"
	}
	p.diags.Add(pos, "%s", msg)
}

// firstCol returns the column of the first character of the given line of
// src that is not a space, or 1.
func firstCol(src []byte, line int) int {
	i := lineOffset(src, line)
	for col := 1; i < len(src); i, col = i+1, col+1 {
		if src[i] != ' ' {
			if isEOL(src[i]) {
				return 1
			}
			return col
		}
	}
	return 1
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

// lineOffset returns the offset in src of the start of the given line.
func lineOffset(src []byte, line int) int {
	i := 0
	for l := 1; l < line && i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if isBreak(r) && !(r == '\r' && i < len(src) && src[i] == '\n') {
			l++
		}
	}
	return i
}
