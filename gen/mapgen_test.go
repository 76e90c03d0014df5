package gen

import (
	"path/filepath"
	"strings"
	"testing"
)

const mapSpec = `version: 1
graph: Job
state: State
nodes: [a, b, {name: m, fan_in: true}, c, d, {name: n, fan_in: true}]
edges:
  - {from: __start__, to: a}
  - {from: a, map: {over: %s, to: b, fan_in: m}}
  - {from: b, to: m}
  - {from: m, to: c}
  - {from: c, map: {items: %s, to: d, fan_in: n}}
  - {from: d, to: n}
  - {from: n, to: __end__}
`

// TestMapItemRefusals: what map over and map items name is checked against
// the Go types, each problem where it must be fixed: the spec for a name
// that does not resolve, the Go field for a field of the wrong type, the
// item type's own field when it cannot be copied or encoded.
func TestMapItemRefusals(t *testing.T) {
	state := `package app

type State struct {
	Docs    []Doc
	Count   int
	Results []result
}

type result struct{ Score int }

type Doc struct{ Title string }

type Task struct {
	N    int
	note string
	Fn   func()
}

type Name string

type Note struct {
	text string
}
`
	for _, tc := range []struct {
		over, items string
		want        []string
	}{
		{"Doks", "Doc", []string{"job.graph.yaml:7:27: map over Doks: the state State has no field Doks; did you mean \"Docs\"?"}},
		{"Count", "Doc", []string{"state.go:5:2: State.Count has type int, not a slice: map over Count needs a slice of the items (e.g. []Doc), one run of the per-item flow each"}},
		// Generated flows name their error result "result": an item type of
		// that name would not compile there.
		{"Results", "Doc", []string{"state.go:6:2: State.Results holds items of type result, which uses the name result; the generated code gives that name to a parameter or variable, where it names the item type: rename the type (or the import)"}},
		{"Docs", "result", []string{"job.graph.yaml:10:28: map items result uses the name result, which the generated code gives to a parameter or variable: rename the type (or the import)"}},
		{"Docs", "Name", []string{"job.graph.yaml:10:28: map items Name: Name is a string type, not a struct: map items must be a struct"}},
		{"Docs", "Missing", []string{"job.graph.yaml:10:28: map items Missing: no type Missing in package app"}},
		// What cannot be copied is reported first; the codec is checked once the copy works.
		{"Docs", "Task", []string{"state.go:16:2: Task.Fn has type func(), which cannot be deep-copied: add a method Clone() Task to Task that copies it the way you mean"}},
		{"Docs", "Note", []string{"state.go:22:2: Note.text is unexported, so encoding/json leaves it out of checkpoints: a resumed run would see it zero: export it, or add methods MarshalJSON and UnmarshalJSON to Note, or set checkpoints: false in the spec's config if the graph never runs with a store"}},
	} {
		spec := strings.Replace(strings.Replace(mapSpec, "%s", tc.over, 1), "%s", tc.items, 1)
		dir := module(t, map[string]string{"job.graph.yaml": spec, "state.go": state})
		_, errs := generateIn(t, dir)
		var want []string
		for _, w := range tc.want {
			want = append(want, filepath.Join(dir, w))
		}
		if errs != strings.Join(want, "\n") {
			t.Errorf("over %s, items %s: got\n%s\nwant\n%s", tc.over, tc.items, errs, strings.Join(want, "\n"))
		}
	}
}
