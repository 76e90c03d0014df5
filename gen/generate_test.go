package gen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// module writes files into a fresh module that uses this checkout of graphc.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module example.com/app\n\ngo 1.26.0\n\nrequire github.com/graphc/graphc v0.0.0\n\nreplace github.com/graphc/graphc => " + root + "\n"
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const forkSpec = `version: 1
graph: Job
state: State
nodes: [a, b, c, {name: m, fan_in: true}]
edges:
  - {from: __start__, to: a}
  - {from: a, parallel: [b, c], fan_in: m}
  - {from: b, to: m}
  - {from: c, to: m}
  - {from: m, to: __end__}
`

// vetModule runs go vet in the module dir (see module), with this
// checkout's go.sum.
func vetModule(t *testing.T, dir string) {
	t.Helper()
	root, _ := filepath.Abs("..")
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

func generateIn(t *testing.T, dir string) ([]File, string) {
	t.Helper()
	files, errs := Generate([]string{filepath.Join(dir, "job.graph.yaml")}, Options{})
	if errs != nil {
		return nil, errs.Error()
	}
	return files, ""
}

// TestRegenerateAfterBreakingChange: the spec renames a node, so the old
// output and the handlers no longer agree; regeneration must still work.
func TestRegenerateAfterBreakingChange(t *testing.T) {
	dir := module(t, map[string]string{
		"job.graph.yaml": forkSpec,
		"state.go":       "package app\n\ntype State struct{ Items []string }\n",
		"handlers.go":    "package app\n\n// Handlers refer to generated identifiers.\nvar _ = JobForkA\nvar _ MBranches\n",
	})
	files, errs := generateIn(t, dir)
	if errs != "" {
		t.Fatal(errs)
	}
	if err := Write(files); err != nil {
		t.Fatal(err)
	}
	// Rename m -> join: the old output declares MBranches, the handlers
	// reference it and JobForkA (which never existed): none of it may matter.
	spec := strings.NewReplacer("name: m,", "name: join,", "to: m}", "to: join}", "fan_in: m}", "fan_in: join}", "from: m,", "from: join,").Replace(forkSpec)
	os.WriteFile(filepath.Join(dir, "job.graph.yaml"), []byte(spec), 0o644)
	files, errs = generateIn(t, dir)
	if errs != "" {
		t.Fatalf("regeneration failed on stale output: %s", errs)
	}
	if !strings.Contains(string(files[0].Content), "type JoinBranches struct") {
		t.Errorf("new output lacks JoinBranches")
	}
}

func TestStateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, state, want string
	}{
		{"func field", "type State struct{ Hooks Hooks }\ntype Hooks struct{ OnChange func(string) }\n",
			"state.go:4:20: State.Hooks.OnChange has type func(string), which cannot be deep-copied: add a method Clone() Hooks to Hooks that copies it the way you mean"},
		{"not a struct", "type State string\n", "job.graph.yaml:3:8: State is a string type, not a struct: the state must be a struct"},
		{"missing", "type Other struct{}\n", "job.graph.yaml:3:8: no type State in package app"},
		{"generic", "type State[T any] struct{ V T }\n", "job.graph.yaml:3:8: State is generic; the state must be a non-generic struct type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := module(t, map[string]string{"job.graph.yaml": forkSpec, "state.go": "package app\n\n" + tc.state})
			_, errs := generateIn(t, dir)
			if !strings.HasSuffix(errs, tc.want) || !strings.HasPrefix(errs, dir) {
				t.Errorf("got  %s\nwant %s", errs, tc.want)
			}
		})
	}
}

// Each part of the state that cannot be copied is one diagnostic at the Go
// field that holds it, all of them at once, each naming the Clone fix.
func TestStateRefusalsPerField(t *testing.T) {
	state := `package app

import (
	"bufio"
	"math/big"
	"strings"
)

type State struct {
	Total *big.Int
	In    *bufio.Reader
	Doc   Doc
	Fn    func()
}

type Doc struct {
	Title string
	B     strings.Builder
}
`
	dir := module(t, map[string]string{"job.graph.yaml": forkSpec, "state.go": state})
	_, errs := generateIn(t, dir)
	at := filepath.Join(dir, "state.go")
	want := strings.Join([]string{
		at + ":11:2: State.In has type bufio.Reader, whose unexported fields hold pointers, slices or maps that the generated copy cannot reach, so branches would share them: add a method Clone() State to State that copies it through its own API",
		at + ":13:2: State.Fn has type func(), which cannot be deep-copied: add a method Clone() State to State that copies it the way you mean",
		at + ":18:2: State.Doc.B has type strings.Builder, whose unexported fields hold pointers, slices or maps that the generated copy cannot reach, so branches would share them: add a method Clone() Doc to Doc that copies it through its own API",
	}, "\n")
	if errs != want {
		t.Errorf("got\n%s\nwant\n%s", errs, want)
	}
}

func TestCloneMethodIsUsed(t *testing.T) {
	dir := module(t, map[string]string{
		"job.graph.yaml": strings.Replace(forkSpec, "state: State\n", "state: State\nconfig: {checkpoints: false}\n", 1),
		"state.go":       "package app\n\ntype State struct{ Hook func() }\n\nfunc (s State) Clone() State { return s }\n",
	})
	files, errs := generateIn(t, dir)
	if errs != "" {
		t.Fatal(errs)
	}
	if !strings.Contains(string(files[0].Content), ".Clone()") {
		t.Errorf("the Clone method is not called:\n%s", files[0].Content)
	}
}

func TestCollisionWithPackage(t *testing.T) {
	dir := module(t, map[string]string{
		"job.graph.yaml": forkSpec,
		"state.go":       "package app\n\ntype State struct{}\n\ntype MBranches int\n",
	})
	_, errs := generateIn(t, dir)
	if !strings.Contains(errs, "job.graph.yaml:3:") && !strings.Contains(errs, `fan-in "m" would declare MBranches, which the package already declares at `+filepath.Join(dir, "state.go")+":5:6") {
		t.Errorf("got %s", errs)
	}
	if !strings.Contains(errs, "state.go:5:6") {
		t.Errorf("the collision does not name the Go position: %s", errs)
	}
}

func TestInlineFieldTypeMustBeAType(t *testing.T) {
	spec := `version: 1
graph: Job
package: app
state:
  type: State
  fields:
    - {name: N, type: "int }\nfunc Evil() {"}
nodes: [a]
edges:
  - {from: __start__, to: a}
  - {from: a, to: __end__}
`
	dir := module(t, map[string]string{"job.graph.yaml": spec})
	_, errs := generateIn(t, dir)
	if !strings.Contains(errs, "job.graph.yaml:7:7: state field N:") || !strings.Contains(errs, "is not a Go type expression") {
		t.Errorf("got %s", errs)
	}
}

// TestImportsDoNotClash: a package that declares names the generated file
// imports (errors, sync, runtime) still builds: the imports get aliases.
func TestImportsDoNotClash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	dir := module(t, map[string]string{
		"job.graph.yaml": forkSpec,
		"state.go": `package app

type State struct{ Items []string }

var errors, sync = 1, 2

func runtime() string { return "mine" }
`,
		"handlers.go": `package app

import "context"

type H struct{}

var _ JobHandlers = H{}

func (H) A(ctx context.Context, s State) (State, error) { return s, nil }
func (H) B(ctx context.Context, s State) (State, error) { s.Items = append(s.Items, "b"); return s, nil }
func (H) C(ctx context.Context, s State) (State, error) { s.Items = append(s.Items, "c"); return s, nil }
func (H) M(ctx context.Context, s State, in MBranches) (State, error) {
	s.Items = append(in.B.Items, in.C.Items...)
	return s, nil
}
`,
	})
	files, errs := Generate([]string{filepath.Join(dir, "job.graph.yaml")}, Options{Tests: true})
	if errs != nil {
		t.Fatal(errs)
	}
	if err := Write(files); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files[0].Content), `stderrors "errors"`) {
		t.Errorf("errors is not aliased:\n%s", files[0].Content[:400])
	}
	vetModule(t, dir)
}

// TestTwoGraphsInOnePackage: graphs that would declare the same names are
// refused, whether generated together or one after the other.
func TestTwoGraphsInOnePackage(t *testing.T) {
	condSpec := func(name string) string {
		return "version: 1\ngraph: " + name + "\nstate: State\nnodes: [review]\nedges:\n  - {from: __start__, to: review}\n  - from: review\n    when: {again: review, done: __end__}\n"
	}
	dir := module(t, map[string]string{
		"alpha.graph.yaml": condSpec("Alpha"),
		"beta.graph.yaml":  condSpec("Beta"),
		"state.go":         "package app\n\ntype State struct{}\n",
	})
	alpha, beta := filepath.Join(dir, "alpha.graph.yaml"), filepath.Join(dir, "beta.graph.yaml")
	_, errs := Generate([]string{alpha, beta}, Options{})
	if len(errs) != 1 || !strings.Contains(errs.Error(), "beta.graph.yaml:2:8: graph Beta would declare ReviewRoute, ReviewAgain, ReviewDone, which graph Alpha") {
		t.Errorf("together: want one line at Beta's graph: key, got\n%v", errs)
	}
	files, errs := Generate([]string{alpha}, Options{})
	if errs != nil {
		t.Fatal(errs)
	}
	Write(files)
	_, errs = Generate([]string{beta}, Options{})
	if len(errs) != 1 || !strings.Contains(errs.Error(), "beta.graph.yaml:2:8: graph Beta would declare ReviewRoute, ReviewAgain, ReviewDone, which "+filepath.Join(dir, "alpha_graph.go")+" (generated from another spec) declares too") {
		t.Errorf("one after the other: want one line at Beta's graph: key, got\n%v", errs)
	}
}

// TestDuplicateGraphName: two specs of one package naming the same graph
// are one problem, reported once at the later graph: key; a graph named
// like a type of the package is reported there too.
func TestDuplicateGraphName(t *testing.T) {
	spec := "version: 1\ngraph: Flow\nstate: State\nnodes: [review, {name: m, fan_in: true}, a, b]\nedges:\n  - {from: __start__, to: review}\n  - {from: review, parallel: [a, b], fan_in: m}\n  - {from: a, to: m}\n  - {from: b, to: m}\n  - from: m\n    when: {again: review, done: __end__}\n"
	dir := module(t, map[string]string{
		"one.graph.yaml": spec,
		"two.graph.yaml": spec,
		"bad.graph.yaml": strings.Replace(spec, "graph: Flow", "graph: State", 1),
		"state.go":       "package app\n\ntype State struct{}\n",
	})
	one, two := filepath.Join(dir, "one.graph.yaml"), filepath.Join(dir, "two.graph.yaml")
	_, errs := Generate([]string{one, two}, Options{Tests: true})
	if len(errs) != 1 || errs[0].String() != two+":2:8: graph Flow is also the name of the graph of "+one+", in the same package: two graphs of one package need distinct names" {
		t.Errorf("want one line at two.graph.yaml's graph: key, got\n%v", errs)
	}
	_, errs = Generate([]string{filepath.Join(dir, "bad.graph.yaml")}, Options{Tests: true})
	if len(errs) != 1 || !strings.HasPrefix(errs[0].String(), filepath.Join(dir, "bad.graph.yaml")+":2:8: graph State would declare State, which the package already declares at ") {
		t.Errorf("graph: State: want one line at the graph: key, got\n%v", errs)
	}
}

// TestStateHoldsARouteEnum: the state may keep a type the output declares,
// even before the output exists.
func TestStateHoldsARouteEnum(t *testing.T) {
	dir := module(t, map[string]string{
		"job.graph.yaml": "version: 1\ngraph: Job\nstate: State\nnodes: [a, b, c, {name: m, fan_in: true}]\nedges:\n  - {from: __start__, to: a}\n  - {from: a, parallel: [b, c], fan_in: m}\n  - {from: b, to: m}\n  - {from: c, to: m}\n  - from: m\n    when: {again: a, done: __end__}\n",
		"state.go":       "package app\n\ntype State struct{ Last MRoute; Seen []MRoute }\n",
	})
	files, errs := generateIn(t, dir)
	if errs != "" {
		t.Fatal(errs)
	}
	if !strings.Contains(string(files[0].Content), "slices.Clone(src.Seen)") {
		t.Errorf("the copy does not clone the slice of routes:\n%s", files[0].Content)
	}
}

// TestTestFileCollisions: names the generated files declare are checked
// against the package's own _test.go files (not an external _test package),
// which loading the package does not see.
func TestTestFileCollisions(t *testing.T) {
	dir := module(t, map[string]string{
		"flow.graph.yaml":  "version: 1\ngraph: Flow\nstate: State\nnodes: [a]\nedges:\n  - {from: __start__, to: a}\n  - {from: a, to: __end__}\n",
		"state.go":         "package app\n\ntype State struct{}\n",
		"flow_test.go":     "package app\n\nimport \"testing\"\n\nfunc TestFlowStress(t *testing.T) {}\n\nfunc NewFlow() {}\n",
		"external_test.go": "package app_test\n\ntype flowProbe struct{}\n",
	})
	spec := filepath.Join(dir, "flow.graph.yaml")
	_, errs := Generate([]string{spec}, Options{Tests: true})
	want := spec + ":2:8: graph Flow would declare NewFlow, which the test file " + filepath.Join(dir, "flow_test.go") + " declares too: rename one\n" +
		spec + ":2:8: graph Flow would declare TestFlowStress in its stress test, which the test file " + filepath.Join(dir, "flow_test.go") + " declares too: rename one, or generate with -tests=false"
	if errs.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", errs, want)
	}
	// Without the stress test, only the clash with the main output remains.
	_, errs = Generate([]string{spec}, Options{Tests: false})
	if len(errs) != 1 || !strings.Contains(errs.Error(), "declare NewFlow") {
		t.Errorf("-tests=false: got\n%v", errs)
	}
}

// A state that encoding/json would change is refused, one line per field
// at its Go position, unless the spec says checkpoints: false.
func TestCodecRefusals(t *testing.T) {
	state := "package app\n\ntype State struct {\n\tName  string\n\tcount int\n\tHook  func() `json:\"-\"`\n}\n\nfunc (s State) Clone() State { return s }\n"
	dir := module(t, map[string]string{"job.graph.yaml": forkSpec, "state.go": state})
	_, errs := generateIn(t, dir)
	at := filepath.Join(dir, "state.go")
	want := at + ":5:2: State.count is unexported, so encoding/json leaves it out of checkpoints: a resumed run would see it zero: export it, or add methods MarshalJSON and UnmarshalJSON to State, or set checkpoints: false in the spec's config if the graph never runs with a store\n" +
		at + `:6:2: State.Hook is tagged json:"-", so encoding/json leaves it out of checkpoints: a resumed run would see it zero: remove the tag, or add methods MarshalJSON and UnmarshalJSON to State, or set checkpoints: false in the spec's config if the graph never runs with a store`
	if errs != want {
		t.Errorf("got\n%s\nwant\n%s", errs, want)
	}
	spec := strings.Replace(forkSpec, "state: State\n", "state: State\nconfig: {checkpoints: false}\n", 1)
	dir = module(t, map[string]string{"job.graph.yaml": spec, "state.go": state})
	if _, errs := generateIn(t, dir); errs != "" {
		t.Errorf("checkpoints: false: %s", errs)
	}
}

// TestStateNamedLikeTheCallLocals: the executor's shared call method and
// its policy lookup declare no local variable, so a state type may take any
// name generated code does not reserve (see graph.GeneratedLocal) — here
// p, with nodes whose policies call goes through.
func TestStateNamedLikeTheCallLocals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	dir := module(t, map[string]string{
		"job.graph.yaml": `version: 1
graph: Job
state: p
nodes:
  - {name: a, timeout: 1s}
  - b
  - {name: c, retry: {attempts: 2}}
edges:
  - {from: __start__, to: a}
  - {from: a, to: b}
  - {from: b, to: c}
  - {from: c, to: __end__}
`,
		"state.go": `package app

type p struct{ N int }
`,
		"handlers.go": `package app

import "context"

type H struct{}

var _ JobHandlers = H{}

func (H) A(ctx context.Context, s p) (p, error) { s.N++; return s, nil }
func (H) B(ctx context.Context, s p) (p, error) { s.N++; return s, nil }
func (H) C(ctx context.Context, s p) (p, error) { s.N++; return s, nil }
`,
	})
	files, errs := Generate([]string{filepath.Join(dir, "job.graph.yaml")}, Options{Tests: true})
	if errs != nil {
		t.Fatal(errs)
	}
	if err := Write(files); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files[0].Content), "func (g *Job) policy(n int)") {
		t.Errorf("no policy method in the executor:\n%s", files[0].Content)
	}
	vetModule(t, dir)
}
