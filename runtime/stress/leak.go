package stress

import (
	"bytes"
	"reflect"
	goruntime "runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// labelKey is the runtime/pprof label that marks the goroutines of a run.
// Its value is "<call>/<run>": call numbers the Run calls of the process,
// run the runs of one call.
const labelKey = "graphc.stress"

// runtimePkg is the package of the graphc runtime: goroutines with frames in
// it, or in packages below it, are the runtime's.
const runtimePkg = "github.com/graphc/graphc/runtime"

// leakPoll is the first interval at which Run polls for goroutines of its
// runs that are still alive; it doubles up to 50ms.
const leakPoll = 2 * time.Millisecond

// leakPatience is how long Run waits for the goroutines of its runs to
// exit; a variable for the tests.
var leakPatience = time.Second

// leakScope says which goroutines belong to one Run call.
type leakScope struct {
	label string   // `"graphc.stress":"<call>/`: the label prefix of its runs
	pkgs  []string // packages whose frames make a labelled goroutine count
}

// newLeakScope returns the scope of Run call number call, made from package
// caller with invoke.
func newLeakScope(call uint64, caller string, invoke any) leakScope {
	s := leakScope{label: `"` + labelKey + `":"` + itoa(call) + "/"}
	s.pkgs = append(s.pkgs, runtimePkg)
	if caller != "" {
		s.pkgs = append(s.pkgs, caller)
	}
	if v := reflect.ValueOf(invoke); v.Kind() == reflect.Func && !v.IsNil() {
		if p := pcPackage(v.Pointer()); p != "" && p != caller {
			s.pkgs = append(s.pkgs, p)
		}
	}
	return s
}

// pcPackage returns the import path of the package of the function at pc,
// or "".
func pcPackage(pc uintptr) string {
	fn := goruntime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	return funcPackage(fn.Name())
}

// funcPackage returns the import path of the package of a function named
// as runtime.FuncForPC names it: "example.com/m/pkg.(*T).Method.func1"
// gives "example.com/m/pkg".
func funcPackage(name string) string {
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}

// inPackage reports whether the function named fn belongs to package pkg or
// to a package below it.
func inPackage(fn, pkg string) bool {
	if !strings.HasPrefix(fn, pkg) {
		return false
	}
	rest := fn[len(pkg):]
	return strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "/")
}

// leaked returns the goroutines of the scope that are alive, as groups of
// identical stacks in the format of the goroutine profile at debug level 1:
// "<count> @ <pcs>", "# labels: {...}", then one "#\t<pc>\t<func>\t<file:line>"
// line per frame. With run >= 0, only those of that run are returned.
func (s leakScope) leaked(run int) []string {
	label := s.label
	if run >= 0 {
		label += itoa(uint64(run)) + `"`
	}
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return []string{"cannot read the goroutine profile: " + err.Error()}
	}
	var out []string
	for _, group := range strings.Split(buf.String(), "\n\n") {
		if s.matches(group, label) {
			out = append(out, strings.TrimSpace(group))
		}
	}
	return out
}

// matches reports whether a group of the goroutine profile carries label
// and has a frame in one of the scope's packages.
func (s leakScope) matches(group, label string) bool {
	labelled := false
	for line := range strings.SplitSeq(group, "\n") {
		if rest, ok := strings.CutPrefix(line, "# labels: "); ok {
			labelled = strings.Contains(rest, label)
			if !labelled {
				return false
			}
			continue
		}
		if !labelled {
			continue
		}
		// A frame: "#\t0x4dc0bc\tmain.main.func1+0x1c\t/path/file.go:12".
		fields := strings.Split(line, "\t")
		if len(fields) < 3 || fields[0] != "#" {
			continue
		}
		fn, _, _ := strings.Cut(fields[2], "+0x")
		for _, p := range s.pkgs {
			if inPackage(fn, p) {
				return true
			}
		}
	}
	return false
}

// wait polls until no goroutine of the scope is alive or patience runs out,
// and returns those still alive.
func (s leakScope) wait(patience time.Duration) []string {
	deadline := time.Now().Add(patience)
	poll := leakPoll
	for {
		left := s.leaked(-1)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(poll)
		poll = min(2*poll, 50*time.Millisecond)
	}
}

// itoa formats n in decimal.
func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}
