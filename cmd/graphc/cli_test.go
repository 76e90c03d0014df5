package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// run calls Main in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"check"},
		{"generate"},
		{"generate", "-nosuchflag", "x.graph.yaml"},
		{"diagram"},
		{"diagram", "a.graph.yaml", "b.graph.yaml"},
		{"diagram", "-format", "svg", "../../testdata/check/ok_research.graph.yaml"},
		{"schema", "extra"},
		{"version", "extra"},
	} {
		if code, _, stderr := run(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("graphc %q: exit %d, stderr %q; want exit 2 with a message", args, code, stderr)
		}
	}
}

// TestFlagsAnywhere: flags after the spec paths are flags, not files; "--"
// ends them; -h on any command prints its usage on stdout and exits 0.
func TestFlagsAnywhere(t *testing.T) {
	spec := "../../testdata/check/ok_nested.graph.yaml"
	code, stdout, stderr := run(t, "diagram", spec, "-format", "dot")
	if code != exitOK || !strings.HasPrefix(stdout, "digraph ") {
		t.Errorf("diagram SPEC -format dot: exit %d, stderr %q, stdout %.40q", code, stderr, stdout)
	}
	code, stdout, _ = run(t, "diagram", "-format", "mermaid", spec)
	if code != exitOK || strings.HasPrefix(stdout, "digraph ") {
		t.Errorf("diagram -format mermaid SPEC: exit %d, %.40q", code, stdout)
	}
	if code, _, stderr := run(t, "check", spec, "-nosuchflag"); code != exitUsage || !strings.Contains(stderr, "-nosuchflag") {
		t.Errorf("check SPEC -nosuchflag: exit %d, stderr %q; want 2 naming the flag", code, stderr)
	}
	if code, _, stderr := run(t, "check", spec, "--", "-x.graph.yaml"); code != exitSpec || !strings.Contains(stderr, "-x.graph.yaml: ") {
		t.Errorf("check SPEC -- -x.graph.yaml: exit %d, stderr %q; want the path after -- read as a file", code, stderr)
	}
	for _, cmd := range []string{"generate", "check", "verify", "diagram", "schema", "version"} {
		code, stdout, stderr := run(t, cmd, "-h")
		if code != exitOK || !strings.HasPrefix(stdout, "usage: graphc "+cmd) || stderr != "" {
			t.Errorf("graphc %s -h: exit %d, stdout %q, stderr %q; want exit 0 with its usage", cmd, code, stdout, stderr)
		}
	}
}

func TestCheck(t *testing.T) {
	code, _, stderr := run(t, "check", "../../testdata/check/ok_research.graph.yaml", "../../testdata/check/ok_nested.graph.yaml")
	if code != exitOK || stderr != "" {
		t.Fatalf("valid specs: exit %d, stderr %q", code, stderr)
	}
	// Two bad specs: every problem of both, sorted, one per line, exit 1.
	code, _, stderr = run(t, "check", "../../testdata/check/two_plain_edges.graph.yaml", "../../testdata/check/branch_reaches_end.graph.yaml")
	if code != exitSpec {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "../../testdata/check/branch_reaches_end.graph.yaml:13:19: ") ||
		!strings.HasPrefix(lines[1], "../../testdata/check/two_plain_edges.graph.yaml:10:5: ") {
		t.Errorf("diagnostics not sorted by position or not positioned:\n%s", stderr)
	}
	if code, _, stderr := run(t, "check", "no/such.graph.yaml"); code != exitSpec || !strings.Contains(stderr, "no/such.graph.yaml") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
}

// TestCheckAsGenerate: check refuses what generate refuses. A spec beside
// Go files is checked with its package loaded (a state type the package
// lacks); specs given together are checked against each other.
func TestCheckAsGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a module")
	}
	named := strings.Replace(counterSpec, "state:\n  type: State\n  fields:\n    - {name: N, type: int}\n", "state: Missing\n", 1)
	dir := newModule(t, map[string]string{"counter.graph.yaml": named, "handlers.go": "package app\n"})
	spec := filepath.Join(dir, "counter.graph.yaml")
	_, _, genErr := run(t, "generate", spec)
	code, _, stderr := run(t, "check", spec)
	if code != exitSpec || !strings.Contains(stderr, "Missing") || stderr != genErr {
		t.Errorf("check: exit %d\n%s\nwant what generate says:\n%s", code, stderr, genErr)
	}
	// Two specs alone in a directory, declaring the same names.
	alone := t.TempDir()
	a, b := filepath.Join(alone, "a.graph.yaml"), filepath.Join(alone, "b.graph.yaml")
	os.WriteFile(a, []byte(counterSpec), 0o644)
	os.WriteFile(b, []byte(counterSpec), 0o644)
	code, _, stderr = run(t, "check", a, b)
	if code != exitSpec || !strings.HasPrefix(stderr, b+":2:8: graph Counter is also the name of the graph of "+a) {
		t.Errorf("two specs of one graph name: exit %d, stderr %q", code, stderr)
	}
}

func TestDiagramAndSchema(t *testing.T) {
	code, out, _ := run(t, "diagram", "../../testdata/check/ok_research.graph.yaml")
	if code != exitOK || !strings.HasPrefix(out, "flowchart TD") || !strings.Contains(out, `-->|"revise"|`) {
		t.Errorf("mermaid: exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "diagram", "-format", "dot", "../../testdata/check/ok_nested.graph.yaml")
	if code != exitOK || !strings.Contains(out, "digraph") || !strings.Contains(out, "cluster") {
		t.Errorf("dot: exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "schema")
	var v map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || v["$schema"] == nil {
		t.Errorf("schema: exit %d, not a JSON schema", code)
	}
	if code, out, _ := run(t, "version"); code != exitOK || !strings.HasPrefix(out, "graphc ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// newModule makes a throwaway module that uses this checkout of graphc.
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module example.com/app\n\ngo 1.26.0\n\nrequire github.com/graphc/graphc v0.0.0\n\nreplace github.com/graphc/graphc => " + root + "\n"
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The go.sum of graphc covers what the module needs.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func goCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

const counterSpec = `version: 1
graph: Counter
package: app
state:
  type: State
  fields:
    - {name: N, type: int}
nodes: [inc]
edges:
  - {from: __start__, to: inc}
  - from: inc
    when: {again: inc, done: __end__}
`

const counterHandlers = `package app

import "context"

type H struct{}

var _ CounterHandlers = H{}

func (H) Inc(ctx context.Context, s State) (State, error) { s.N++; return s, nil }
func (H) RouteInc(ctx context.Context, s State) (IncRoute, error) {
	if s.N < 3 {
		return IncAgain, nil
	}
	return IncDone, nil
}
`

// TestNewUser does what a new user does: writes a spec and handlers,
// generates, builds and runs; then breaks a handler signature and reads
// go build's message.
func TestNewUser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	dir := newModule(t, map[string]string{
		"counter.graph.yaml": counterSpec,
		"handlers.go":        counterHandlers,
		"counter_test.go": `package app

import (
	"context"
	"testing"
)

func TestCount(t *testing.T) {
	s, err := NewCounter(H{}).Invoke(context.Background(), State{})
	if err != nil || s.N != 3 {
		t.Fatalf("got %v, %v", s, err)
	}
}
`,
	})
	spec := filepath.Join(dir, "counter.graph.yaml")
	if code, _, stderr := run(t, "generate", spec); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"counter_graph.go", "counter_graph_test.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := goCmd(t, dir, "test", "-count=1", "."); err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	if code, _, _ := run(t, "verify", spec); code != exitOK {
		t.Fatalf("verify right after generate: exit %d", code)
	}

	// A wrong signature fails go build, naming the method.
	bad := strings.Replace(counterHandlers, "Inc(ctx context.Context, s State) (State, error)", "Inc(ctx context.Context, s *State) (State, error)", 1)
	if err := os.WriteFile(filepath.Join(dir, "handlers.go"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := goCmd(t, dir, "build", ".")
	if err == nil || !strings.Contains(out, "Inc") || !strings.Contains(out, "CounterHandlers") {
		t.Fatalf("go build with a wrong signature: err %v\n%s", err, out)
	}
}

// TestGenerateWritesNothingOnError: one bad spec among good ones means no
// file is written at all.
func TestGenerateWritesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.graph.yaml")
	badSpec := filepath.Join(dir, "bad.graph.yaml")
	os.WriteFile(good, []byte(counterSpec), 0o644)
	os.WriteFile(badSpec, []byte(strings.Replace(counterSpec, "again: inc", "again: inx", 1)), 0o644)
	code, _, stderr := run(t, "generate", good, badSpec)
	if code != exitSpec || !strings.Contains(stderr, `unknown node "inx"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files were written despite the error: %v", entries)
	}
}

// TestVerifyReportsDrift: a hand-edited generated file makes verify exit 1
// with a unified diff; regenerating makes it pass.
func TestVerifyReportsDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a module")
	}
	dir := newModule(t, map[string]string{"counter.graph.yaml": counterSpec, "handlers.go": counterHandlers})
	spec := filepath.Join(dir, "counter.graph.yaml")
	if code, _, stderr := run(t, "generate", "-tests=false", spec); code != exitOK {
		t.Fatalf("generate: %s", stderr)
	}
	out := filepath.Join(dir, "counter_graph.go")
	src, _ := os.ReadFile(out)
	os.WriteFile(out, bytes.Replace(src, []byte("func NewCounter"), []byte("// edited by hand\nfunc NewCounter"), 1), 0o644)
	code, stdout, stderr := run(t, "verify", "-tests=false", spec)
	if code != exitSpec || !strings.Contains(stdout, "-// edited by hand") || !strings.Contains(stdout, "@@ ") || !strings.Contains(stderr, "differ") {
		t.Fatalf("verify: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	run(t, "generate", "-tests=false", spec)
	if code, stdout, _ := run(t, "verify", "-tests=false", spec); code != exitOK {
		t.Fatalf("verify after regenerating: exit %d\n%s", code, stdout)
	}
	// A missing output is one line naming it, not a diff of the whole file.
	os.Remove(out)
	code, stdout, stderr = run(t, "verify", "-tests=false", spec)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != exitSpec || stdout != "" || len(lines) != 2 || lines[0] != out+": missing: run go generate (or graphc generate) to write it" {
		t.Fatalf("verify with the output missing: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestTestsOptOut: -tests=false removes the stress test graphc wrote
// before, and verify (tests on by default) accepts a project without it.
func TestTestsOptOut(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a module")
	}
	dir := newModule(t, map[string]string{"counter.graph.yaml": counterSpec, "handlers.go": counterHandlers})
	spec := filepath.Join(dir, "counter.graph.yaml")
	test := filepath.Join(dir, "counter_graph_test.go")
	if code, _, stderr := run(t, "generate", spec); code != exitOK {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(test); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", spec, "-tests=false"); code != exitOK {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(test); !os.IsNotExist(err) {
		t.Errorf("the stale stress test is still there: %v", err)
	}
	if code, stdout, _ := run(t, "verify", spec); code != exitOK {
		t.Errorf("verify after -tests=false: exit %d\n%s", code, stdout)
	}
}

// TestTemporalFlag: generate -temporal writes the workflow and its test
// beside the executor; verify, without the flag, reports a stale workflow;
// -tests=false removes the workflow's test as it does the stress test's.
func TestTemporalFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a module")
	}
	dir := newModule(t, map[string]string{"counter.graph.yaml": counterSpec, "handlers.go": counterHandlers})
	spec := filepath.Join(dir, "counter.graph.yaml")
	workflow := filepath.Join(dir, "counter_temporal.go")
	test := filepath.Join(dir, "counter_temporal_test.go")
	if code, _, stderr := run(t, "generate", "-temporal", spec); code != exitOK {
		t.Fatal(stderr)
	}
	src, err := os.ReadFile(workflow)
	if err != nil || !bytes.Contains(src, []byte("func CounterWorkflow(ctx workflow.Context, s State) (State, error)")) {
		t.Fatalf("no workflow in %s (%v)", workflow, err)
	}
	if _, err := os.Stat(test); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(workflow, bytes.Replace(src, []byte("func RegisterCounter("), []byte("// edited\nfunc RegisterCounter("), 1), 0o644)
	if code, stdout, _ := run(t, "verify", spec); code != exitSpec || !strings.Contains(stdout, "-// edited") {
		t.Errorf("verify of an edited workflow: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, "generate", "-tests=false", spec); code != exitOK {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(test); !os.IsNotExist(err) {
		t.Errorf("-tests=false left the workflow's test: %v", err)
	}
	if code, stdout, stderr := run(t, "verify", "-tests=false", spec); code != exitOK {
		t.Errorf("verify after regenerating without the flag: exit %d\n%s%s", code, stdout, stderr)
	}
}
