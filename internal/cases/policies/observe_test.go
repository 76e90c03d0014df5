package policies

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/graphc/graphc/runtime"
)

// records is a slog.Handler that keeps each record as one line, "LEVEL msg
// key=value ...", with a duration shown as "set" (its value is a time).
type records struct {
	mu    sync.Mutex
	lines []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", rec.Level, rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		v := a.Value.String()
		if a.Key == "duration" {
			v = "set"
		}
		fmt.Fprintf(&b, " %s=%s", a.Key, v)
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, b.String())
	r.mu.Unlock()
	return nil
}

func (r *records) sorted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.lines))
}

// The logger writes one record per event at the contract's levels, with
// flat keys; branches run in parallel, so the records are compared sorted.
func TestLogger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.do["fetch"] = failing("fetch", 2, nil)
		var rec records
		if _, err := NewFlaky(h).Invoke(t.Context(), State{}, runtime.WithLogger(slog.New(&rec)), runtime.WithOnBranchError(runtime.Wait)); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"DEBUG run started graph=Flaky",
			"DEBUG node started graph=Flaky node=start",
			"INFO node finished graph=Flaky node=start attempt=1 duration=set",
			"DEBUG node started graph=Flaky node=fetch",
			"WARN node retrying graph=Flaky node=fetch attempt=1 delay=100ms error=fetch failed, call 1",
			"INFO node finished graph=Flaky node=fetch attempt=2 duration=set",
			"INFO fork graph=Flaky node=fetch branches=2",
			"DEBUG branch started graph=Flaky node=left path=fetch@1:0",
			"DEBUG node started graph=Flaky node=left path=fetch@1:0",
			"INFO node finished graph=Flaky node=left path=fetch@1:0 attempt=1 duration=set",
			"DEBUG branch delivered graph=Flaky node=left path=fetch@1:0 duration=set",
			"DEBUG branch started graph=Flaky node=right path=fetch@1:1",
			"DEBUG node started graph=Flaky node=right path=fetch@1:1",
			"INFO node finished graph=Flaky node=right path=fetch@1:1 attempt=1 duration=set",
			"DEBUG branch delivered graph=Flaky node=right path=fetch@1:1 duration=set",
			"INFO join graph=Flaky node=fetch duration=set",
			"DEBUG node started graph=Flaky node=join",
			"INFO node finished graph=Flaky node=join attempt=1 duration=set",
			"DEBUG node started graph=Flaky node=decide",
			"INFO node finished graph=Flaky node=decide attempt=1 duration=set",
			"DEBUG route started graph=Flaky node=decide",
			"INFO route finished graph=Flaky node=decide attempt=1 duration=set",
			"INFO run finished graph=Flaky duration=set",
		}
		if got := rec.sorted(); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(slices.Sorted(slices.Values(want)), "\n"))
		}
	})
}

// Failures are logged at Error: the node, its branch, the fork and the run
// (under wait, so that the sibling branch is not cancelled at random).
func TestLoggerFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.do["right"] = func(context.Context, int) error { return runtime.Permanent(errors.New("gone")) }
		var rec records
		_, err := NewFlaky(h).Invoke(t.Context(), State{}, runtime.WithLogger(slog.New(&rec)), runtime.WithOnBranchError(runtime.Wait))
		if err == nil {
			t.Fatal("the run succeeded")
		}
		var errs []string
		for _, l := range rec.sorted() {
			if strings.HasPrefix(l, "ERROR") {
				errs = append(errs, l)
			}
		}
		want := []string{
			"ERROR branch failed graph=Flaky node=right path=fetch@1:1 duration=set error=node right: gone",
			"ERROR fork failed graph=Flaky node=fetch duration=set error=branch right of fork fetch: node right: gone",
			"ERROR node failed graph=Flaky node=right path=fetch@1:1 attempt=1 duration=set error=gone",
			"ERROR run failed graph=Flaky duration=set error=branch right of fork fetch: node right: gone",
		}
		if !slices.Equal(errs, want) {
			t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
		}
	})
}

type chainKey struct{}

// chain is a hook that records, in the context, the scopes a handler runs
// in: a handler's context shows every enclosing scope, across goroutines.
func chain(seen *sync.Map) runtime.Hook {
	return func(ctx context.Context, s runtime.Scope) (context.Context, func(runtime.Report)) {
		parent, _ := ctx.Value(chainKey{}).(string)
		me := s.Kind.String()
		if s.Node != "" {
			me += ":" + s.Node
		}
		if parent != "" {
			me = parent + "/" + me
		}
		return context.WithValue(ctx, chainKey{}, me), func(r runtime.Report) {
			if !r.Retrying {
				seen.Store(me, r)
			}
		}
	}
}

// A hook's context reaches the handlers through the fork and its branches
// (under either branch-error policy), and each scope reports its end once,
// with its error and duration.
func TestHookContexts(t *testing.T) {
	for _, policy := range []runtime.Policy{runtime.Cancel, runtime.Wait} {
		t.Run(policy.String(), func(t *testing.T) { testHookContexts(t, policy) })
	}
}

func testHookContexts(t *testing.T, policy runtime.Policy) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		var mu sync.Mutex
		var inHandler []string
		for _, node := range []string{"start", "fetch", "left", "right", "join", "decide"} {
			h.do[node] = func(ctx context.Context, _ int) error {
				time.Sleep(10 * time.Millisecond) // fake time: a duration the scopes must see
				mu.Lock()
				inHandler = append(inHandler, ctx.Value(chainKey{}).(string))
				mu.Unlock()
				return nil
			}
		}
		var seen sync.Map
		if _, err := NewFlaky(h, runtime.WithOnBranchError(policy)).Invoke(t.Context(), State{}, runtime.WithHook(chain(&seen))); err != nil {
			t.Fatal(err)
		}
		slices.Sort(inHandler)
		want := []string{
			"run/fork:fetch/branch:left/node:left",
			"run/fork:fetch/branch:right/node:right",
			"run/node:decide",
			"run/node:fetch",
			"run/node:join",
			"run/node:start",
		}
		if !slices.Equal(inHandler, want) {
			t.Errorf("handler contexts %q, want %q", inHandler, want)
		}
		var ended []string
		seen.Range(func(k, v any) bool {
			r := v.(runtime.Report)
			if r.Err != nil || r.Duration < 10*time.Millisecond && k != "run/route:decide" {
				t.Errorf("%s ended with %+v", k, r)
			}
			ended = append(ended, k.(string))
			return true
		})
		slices.Sort(ended)
		wantEnded := append(want, "run", "run/fork:fetch", "run/fork:fetch/branch:left", "run/fork:fetch/branch:right", "run/route:decide")
		slices.Sort(wantEnded)
		if !slices.Equal(ended, wantEnded) {
			t.Errorf("scopes ended %q, want %q", ended, wantEnded)
		}
	})
}

// WithNodeHook sees handler and route calls only, with their attempts.
func TestNodeHook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newScript()
		h.do["left"] = failing("left", 2, nil)
		var seen sync.Map
		if _, err := NewFlaky(h).Invoke(t.Context(), State{}, runtime.WithNodeHook(chain(&seen))); err != nil {
			t.Fatal(err)
		}
		var got []string
		seen.Range(func(k, v any) bool {
			got = append(got, fmt.Sprintf("%s attempts=%d", k, v.(runtime.Report).Attempt))
			return true
		})
		slices.Sort(got)
		want := []string{"node:decide attempts=1", "node:fetch attempts=1", "node:join attempts=1", "node:left attempts=2", "node:right attempts=1", "node:start attempts=1", "route:decide attempts=1"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
