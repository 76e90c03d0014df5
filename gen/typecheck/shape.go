package typecheck

import (
	"fmt"
	"go/types"
	"strings"
)

// Shape describes how t is encoded: its structure with field names, types
// and struct tags, named types spelled by their full path, recursion cut at
// a type already being described. Two types with one Shape encode alike, so
// a graph's fingerprint (see graph.Fingerprint) includes the state's.
func Shape(t types.Type) string {
	var b strings.Builder
	shape(&b, t, map[*types.Named]bool{})
	return b.String()
}

func shape(b *strings.Builder, t types.Type, seen map[*types.Named]bool) {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		name := t.Obj().Name()
		if p := t.Obj().Pkg(); p != nil {
			name = p.Path() + "." + name
		}
		b.WriteString(name)
		if seen[t] || t.Obj().Pkg() == nil {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		b.WriteString("=")
		shape(b, t.Underlying(), seen)
	case *types.Struct:
		b.WriteString("struct{")
		for i := range t.NumFields() {
			f := t.Field(i)
			if i > 0 {
				b.WriteString(";")
			}
			if f.Embedded() {
				b.WriteString("embedded ")
			}
			b.WriteString(f.Name() + " ")
			shape(b, f.Type(), seen)
			if tag := t.Tag(i); tag != "" {
				fmt.Fprintf(b, " %q", tag)
			}
		}
		b.WriteString("}")
	case *types.Pointer:
		b.WriteString("*")
		shape(b, t.Elem(), seen)
	case *types.Slice:
		b.WriteString("[]")
		shape(b, t.Elem(), seen)
	case *types.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		shape(b, t.Elem(), seen)
	case *types.Map:
		b.WriteString("map[")
		shape(b, t.Key(), seen)
		b.WriteString("]")
		shape(b, t.Elem(), seen)
	default:
		b.WriteString(types.TypeString(t, nil))
	}
}
