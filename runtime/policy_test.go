package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

func TestRetryDelay(t *testing.T) {
	r := runtime.Retry{Initial: 100 * time.Millisecond, Backoff: 2, Max: time.Second}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	for i, w := range want {
		if got := r.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	// No cap, a huge exponent: the delay saturates instead of overflowing.
	r = runtime.Retry{Initial: time.Hour, Backoff: 10}
	if got := r.Delay(1000); got <= 0 {
		t.Errorf("Delay(1000) without a cap overflowed to %v", got)
	}
	// A backoff below 1 is read as 1: the delay never shrinks.
	r = runtime.Retry{Initial: time.Second, Backoff: 0.5, Max: time.Hour}
	if got := r.Delay(5); got != time.Second {
		t.Errorf("Delay(5) with backoff 0.5 = %v, want 1s", got)
	}
}

func TestPolicyErrors(t *testing.T) {
	if runtime.Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	cause := errors.New("bad input")
	p := runtime.Permanent(cause)
	var pe *runtime.PermanentError
	if !errors.Is(p, cause) || !errors.As(p, &pe) || p.Error() != "bad input" {
		t.Errorf("Permanent: %v", p)
	}
	te := &runtime.TimeoutError{Timeout: 20 * time.Second}
	if !errors.Is(te, context.DeadlineExceeded) || te.Error() != "attempt timed out after 20s" {
		t.Errorf("TimeoutError: %v", te)
	}
	late := &runtime.TimeoutError{Timeout: time.Second, Err: cause}
	if !errors.Is(late, cause) || late.Error() != "attempt timed out after 1s: bad input" {
		t.Errorf("TimeoutError with a cause: %v", late)
	}
	a, b := errors.New("a"), errors.New("b")
	re := &runtime.RetryError{Errs: []error{a, b}, Stopped: context.Canceled}
	if !errors.Is(re, a) || !errors.Is(re, b) || !errors.Is(re, context.Canceled) {
		t.Errorf("RetryError does not unwrap to all: %v", re)
	}
	if got := re.Error(); got != "stopped after 2 failed attempts (last: b): context canceled" {
		t.Errorf("got %q", got)
	}
	if got := runtime.NodeRetrying.String(); got != "NodeRetrying" {
		t.Errorf("NodeRetrying.String() = %q", got)
	}
	if got := runtime.RouteScope.String(); got != "route" {
		t.Errorf("RouteScope.String() = %q", got)
	}
}
