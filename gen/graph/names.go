package graph

import (
	"regexp"
	"strings"
)

var (
	nodeNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	exportedRE  = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]*$`)
	identRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	qualifiedRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$`)
)

// CamelCase turns a spec name into its Go name: the parts between
// underscores, each with its first letter upper-cased (search_web ->
// SearchWeb, step_2 -> Step2). No initialisms are guessed: id -> Id.
func CamelCase(name string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(name, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

// goKeywords are Go's reserved words; a package clause cannot use them.
var goKeywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true,
	"default": true, "defer": true, "else": true, "fallthrough": true, "for": true,
	"func": true, "go": true, "goto": true, "if": true, "import": true,
	"interface": true, "map": true, "package": true, "range": true, "return": true,
	"select": true, "struct": true, "switch": true, "type": true, "var": true,
}

// generatedLocals are the parameter and variable names of generated code.
// The state type is named inside its functions, so it must not be one.
var generatedLocals = map[string]bool{
	"b": true, "ctx": true, "entry": true, "err": true, "g": true, "h": true,
	"in": true, "j": true, "n": true, "newState": true, "o": true, "observe": true,
	"opts": true, "out": true, "r": true, "s": true, "t": true, "x": true, "yield": true,
}
