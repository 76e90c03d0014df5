package graph

import (
	"fmt"
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

// asciiRule states the rule an exported name breaks, with an example that
// keeps it: graphc's names are ASCII (generated code derives other names
// from them by case), even though Go would accept Ré.
func asciiRule(s string, exported bool) string {
	rule := "graphc names are ASCII: an upper-case letter A-Z, then letters A-Z a-z, digits 0-9 and _"
	if !exported {
		rule = "graphc names are ASCII: a letter A-Z a-z or _, then letters, digits 0-9 and _"
	}
	for _, r := range s {
		if r >= 0x80 {
			return fmt.Sprintf("%s (%q is not ASCII)", rule, r)
		}
	}
	return fmt.Sprintf("%s (e.g. %q)", rule, suggestExported(s))
}

// suggestExported turns an ASCII name graphc refuses into one it accepts:
// letters, digits and _ kept, other characters dropped and the letter after
// them upper-cased, the first letter upper-cased (my-graph -> MyGraph, 2nd
// -> G2nd).
func suggestExported(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' && upper:
			b.WriteRune(r - 'a' + 'A')
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			upper = true
			continue
		}
		upper = false
	}
	out := b.String()
	switch {
	case out == "":
		return "Graph"
	case out[0] < 'A' || out[0] > 'Z':
		return "G" + out
	}
	return out
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
	"opts": true, "out": true, "r": true, "result": true, "s": true, "st": true,
	"t": true, "x": true, "yield": true,
}

// GeneratedLocal reports whether generated code gives name to a parameter
// or a variable, so that a type named so (or a package imported under it)
// cannot be named inside its functions: the state type, a map's item type.
func GeneratedLocal(name string) bool { return generatedLocals[name] }

// ShadowedParts returns the parts of a type name as a spec writes it (Name
// or pkg.Name) that generated code gives to a parameter or variable (see
// GeneratedLocal), in order; none for a name it can use.
func ShadowedParts(typeName string) []string {
	var out []string
	for part := range strings.SplitSeq(typeName, ".") {
		if generatedLocals[part] {
			out = append(out, part)
		}
	}
	return out
}
