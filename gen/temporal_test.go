package gen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graphc/graphc/gen/golang"
)

const temporalMapSpec = `version: 1
graph: Job
state: State
nodes: [a, b, {name: m, fan_in: true}, c, d, e, {name: n, fan_in: true}]
edges:
  - {from: __start__, to: a}
  - {from: a, map: {over: Items, to: b, fan_in: m}}
  - {from: b, to: m}
  - {from: m, to: c}
  - {from: c, parallel: [d, e], fan_in: n, select: true}
  - {from: d, to: n}
  - {from: e, to: n}
  - {from: n, to: __end__}
`

// TestTemporalMaps: with -temporal a map edge generates (a coroutine per
// item, see temporal/internal/cases/mapped), and so does the select edge
// beside it.
func TestTemporalMaps(t *testing.T) {
	dir := module(t, map[string]string{"job.graph.yaml": temporalMapSpec, "state.go": "package app\n\ntype State struct{ Items []string }\n"})
	spec := filepath.Join(dir, "job.graph.yaml")
	files, errs := Generate([]string{spec}, Options{Temporal: true})
	if errs != nil {
		t.Fatal(errs)
	}
	var src string
	for _, f := range files {
		if f.Path == filepath.Join(dir, "job_temporal.go") {
			src = string(f.Content)
		}
	}
	for _, want := range []string{"w.r.Map(ctx, jobNodeA, jobNodeB, len(itemsM)", "w.r.CheckItems(jobNodeA, len(itemsM), 10000)", "inM.Items[i] = d"} {
		if !strings.Contains(src, want) {
			t.Errorf("job_temporal.go lacks %q", want)
		}
	}
}

// TestTemporalItemsCodec: with -temporal, an items type that encoding/json
// would change is refused even when the spec says checkpoints: false, since
// every item travels through activity calls.
func TestTemporalItemsCodec(t *testing.T) {
	spec := strings.Replace(temporalMapSpec, "{over: Items,", "{items: Task,", 1)
	spec = strings.Replace(spec, "state: State\n", "state: State\nconfig: {checkpoints: false}\n", 1)
	state := "package app\n\ntype State struct{ Items []string }\n\ntype Task struct {\n\tN    int\n\tseen int\n}\n"
	dir := module(t, map[string]string{"job.graph.yaml": spec, "state.go": state})
	p := filepath.Join(dir, "job.graph.yaml")
	if _, errs := Generate([]string{p}, Options{}); errs != nil {
		t.Fatalf("checkpoints: false, no -temporal: %v", errs)
	}
	_, errs := Generate([]string{p}, Options{Temporal: true})
	if len(errs) != 1 || !strings.Contains(errs.Error(), "state.go:7:2: Task.seen is unexported") || !strings.Contains(errs.Error(), "Temporal workflow") {
		t.Errorf("got\n%v", errs)
	}
}

// TestTemporalCodecRefusals: a state that encoding/json would change is
// refused with -temporal even when the spec says checkpoints: false, since
// every activity call carries it; the message names the Temporal workflow.
func TestTemporalCodecRefusals(t *testing.T) {
	state := "package app\n\ntype State struct {\n\tName  string\n\tcount int\n}\n\nfunc (s State) Clone() State { return s }\n"
	spec := strings.Replace(forkSpec, "state: State\n", "state: State\nconfig: {checkpoints: false}\n", 1)
	dir := module(t, map[string]string{"job.graph.yaml": spec, "state.go": state})
	p := filepath.Join(dir, "job.graph.yaml")
	if _, errs := Generate([]string{p}, Options{}); errs != nil {
		t.Fatalf("checkpoints: false, no -temporal: %v", errs)
	}
	_, errs := Generate([]string{p}, Options{Temporal: true})
	want := filepath.Join(dir, "state.go") + ":5:2: State.count is unexported, so encoding/json leaves it out of the Temporal workflow's activity calls: the next node would see it zero: export it, or add methods MarshalJSON and UnmarshalJSON to State, or generate without -temporal (and delete the _temporal.go file)"
	if errs.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", errs.Error(), want)
	}
}

// TestVerifyKeepsTemporalFiles: once graphc wrote a spec's _temporal.go,
// generate and verify without -temporal regenerate and check it (and its
// test), so a changed spec cannot leave a stale workflow; a spec without
// one gets none.
func TestVerifyKeepsTemporalFiles(t *testing.T) {
	dir := module(t, map[string]string{"job.graph.yaml": forkSpec, "state.go": "package app\n\ntype State struct{ Items []string }\n"})
	spec := filepath.Join(dir, "job.graph.yaml")
	workflow := filepath.Join(dir, "job_temporal.go")
	files, errs := Generate([]string{spec}, Options{Tests: true})
	if errs != nil {
		t.Fatal(errs)
	}
	for _, f := range files {
		if strings.HasSuffix(f.Path, "_temporal.go") || strings.HasSuffix(f.Path, "_temporal_test.go") {
			t.Fatalf("without -temporal and without a _temporal.go, generate wrote %s", f.Path)
		}
	}
	files, errs = Generate([]string{spec}, Options{Tests: true, Temporal: true})
	if errs != nil {
		t.Fatal(errs)
	}
	if err := Write(files); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{workflow, golang.TestName(workflow)} {
		if _, err := os.Stat(name); err != nil {
			t.Fatalf("-temporal did not write %s", name)
		}
	}
	if drift, errs := Verify([]string{spec}, Options{Tests: true}); errs != nil || len(drift) != 0 {
		t.Fatalf("fresh output: drift %v, errors %v", drift, errs)
	}
	// A stale workflow is drift, although verify was not given -temporal.
	os.WriteFile(spec, []byte(strings.Replace(forkSpec, "[b, c]", "[c, b]", 1)), 0o644)
	drift, errs := Verify([]string{spec}, Options{Tests: true})
	if errs != nil {
		t.Fatal(errs)
	}
	var stale []string
	for _, d := range drift {
		stale = append(stale, filepath.Base(d.Path))
	}
	if !strings.Contains(strings.Join(stale, " "), "job_temporal.go") {
		t.Errorf("after the spec changed, verify reports %v, not job_temporal.go", stale)
	}
	// A file of the same name that graphc did not write is the user's.
	os.WriteFile(workflow, []byte("package app\n"), 0o644)
	if wantsTemporal(filepath.Join(dir, "job_graph.go"), Options{}) {
		t.Errorf("a _temporal.go without graphc's header turns the Temporal output on")
	}
}

// TestTemporalCollisions: a name the Temporal workflow would declare that
// the package declares already is reported, naming both.
func TestTemporalCollisions(t *testing.T) {
	dir := module(t, map[string]string{"job.graph.yaml": forkSpec, "state.go": "package app\n\ntype State struct{ Items []string }\n\nfunc RegisterJob() {}\n"})
	_, errs := Generate([]string{filepath.Join(dir, "job.graph.yaml")}, Options{Temporal: true})
	want := filepath.Join(dir, "job.graph.yaml") + ":2:8: graph Job would declare RegisterJob in its Temporal workflow, which the package already declares at " + filepath.Join(dir, "state.go") + ":5:6: rename one"
	if errs.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", errs.Error(), want)
	}
}

// TestCheckTemporalAlone: check -temporal on a spec alone in its directory
// (no package to load) accepts map edges, which -temporal maps.
func TestCheckTemporalAlone(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "job.graph.yaml")
	os.WriteFile(spec, []byte(temporalMapSpec), 0o644)
	if errs := CheckAll([]string{spec}, Options{Temporal: true}); errs != nil {
		t.Errorf("check -temporal: %v", errs)
	}
}
