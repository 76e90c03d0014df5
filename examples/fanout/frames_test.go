package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A branch runs on a goroutine of its own, whose stack starts small. When
// the branch outgrows it, the runtime copies the stack and, for every frame
// on it, decodes the pc tables of the function from its entry up to the
// frame's pc: a large function on a branch's stack (the flow of all the
// fork's cases, 540 KB of code at W=1000) made that cost 96 µs per branch,
// and large frames make the stack grow at all. Benchmarks measure this;
// TestBranchFrames guards it without timing anything: it compiles this
// package with -S and checks what a branch's goroutine holds on its stack
// between the runtime and the handler.

// Budgets for the branch path of this package's fork (20 branches, a
// 48-byte State): each function's code, and the frames of the whole path
// (locals, arguments, return address and frame pointer) from the runtime
// to the handler call. A new goroutine's stack is 2 KiB, of which the
// stack guard keeps 928 bytes on linux/amd64: what the path takes, the
// handler (and the allocations it makes) no longer has before the stack
// must grow. The path took 968 bytes when this test was written, and 552
// once the start method kept only its fast path (2026-12-01: a branch that
// allocates no longer outgrows its stack in the allocator's slow path).
const (
	maxBranchCode  = 4 << 10
	maxBranchStack = 640
)

var stext = regexp.MustCompile(`^(\S+) STEXT .*size=(\d+) args=(0x[0-9a-f]+) locals=(0x[0-9a-f]+)`)

// frame is one compiled function: its code size and its frame size.
type frame struct{ code, stack int }

func TestBranchFrames(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the package")
	}
	out, err := exec.Command("go", "build", "-o", "/dev/null",
		"-gcflags=github.com/graphc/graphc/examples/fanout=-S", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-S: %v\n%s", err, out)
	}
	funcs := map[string]frame{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m := stext.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		code, _ := strconv.Atoi(m[2])
		args, _ := strconv.ParseInt(m[3], 0, 64)
		locals, _ := strconv.ParseInt(m[4], 0, 64)
		funcs[m[1]] = frame{code, int(args+locals) + 16}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// The runtime's side: activation.run (the generic method and its
	// shape instance, which run calls).
	var path []string
	for name := range funcs {
		if strings.HasPrefix(name, "github.com/graphc/graphc/runtime.(*activation[") && strings.HasSuffix(name, "]).run") {
			path = append(path, name)
		}
	}
	if len(path) == 0 {
		t.Fatal("no runtime.(*activation).run in the compiled package: is the fork still run by the runtime?")
	}
	const join = "main.(*fanoutJoinAggregate)."
	path = append(path, join+"RunBranch")
	for _, w := range []string{"W01", "W10", "W20"} {
		branch := append(path, join+"start"+w)
		total := 0
		for _, name := range branch {
			f, ok := funcs[name]
			if !ok {
				t.Fatalf("branch %s: no %s in the compiled package: a single-node branch must start in its own small function, not in the flow of every branch (see gen/golang/branchstart.go)", w, name)
			}
			if f.code > maxBranchCode {
				t.Errorf("branch %s: %s has %d bytes of code, over %d: a function this large on a branch goroutine's stack makes every stack growth slow", w, name, f.code, maxBranchCode)
			}
			total += f.stack
		}
		t.Logf("branch %s: %d bytes", w, total)
		if total > maxBranchStack {
			t.Errorf("branch %s: the frames between the runtime and the handler take %d bytes, over %d: branch goroutines will outgrow their first stack", w, total, maxBranchStack)
			for _, name := range branch {
				t.Logf("  %6d  %s", funcs[name].stack, name)
			}
		}
	}
}
