package graph

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/graphc/graphc/gen/diag"
	"github.com/graphc/graphc/gen/spec"
)

// NodePolicy is how a node's handler and route handler are called: a timeout
// per attempt and a retry budget with exponential backoff. Only nodes with a
// timeout or more than one attempt have one.
type NodePolicy struct {
	Timeout  time.Duration // per attempt; 0: none
	Attempts int           // calls in all, >= 1
	Initial  time.Duration // delay before the second attempt
	Backoff  float64       // >= 1
	Max      time.Duration // >= Initial
	Jitter   bool          // full jitter
	Panics   bool          // retry panics too
}

// Defaults of the keys a retry mapping leaves out (and config.retry too).
const (
	DefaultInitial = 200 * time.Millisecond
	DefaultBackoff = 2.0
	DefaultMax     = 10 * time.Second
)

// retryOf is a checked retry mapping: each key with where it was set (a zero
// Pos: inherited).
type retryOf struct {
	attempts         int
	initial, max     time.Duration
	initialAt, maxAt diag.Pos
	backoff          float64
	jitter, panics   bool
}

// policies gives each node its policy: its own retry keys, then
// config.retry's, then the defaults; and its timeout. Each bad value is
// reported at its position.
func (b *builder) policies() {
	def := retryOf{attempts: 1, initial: DefaultInitial, backoff: DefaultBackoff, max: DefaultMax, jitter: true}
	b.retry(b.f.Config.Retry, &def)
	for i := range b.f.Nodes {
		sn := &b.f.Nodes[i]
		r := def
		r.initialAt, r.maxAt = diag.Pos{}, diag.Pos{}
		b.retry(sn.Retry, &r)
		timeout := b.duration(sn.Timeout, "timeout", "20s")
		n := b.byName[sn.Name.Value]
		if r.attempts <= 1 && timeout == 0 || n == nil || n.Pos != sn.Name.Pos {
			continue // no policy, or a node the spec does not declare (reported)
		}
		n.Policy = &NodePolicy{Timeout: timeout, Attempts: max(r.attempts, 1), Initial: r.initial, Backoff: r.backoff, Max: r.max, Jitter: r.jitter, Panics: r.panics}
	}
}

// retry overrides *r with the keys sr sets, checking each.
func (b *builder) retry(sr *spec.Retry, r *retryOf) {
	if sr == nil {
		return
	}
	if a := sr.Attempts; a.Pos.IsValid() {
		if a.Value < 1 {
			b.errorf(a.Pos, "attempts must be 1 or more (the calls in all, the first included), got %d: write attempts: 3 to allow two retries, or 1 for none", a.Value)
		} else {
			r.attempts = a.Value
		}
	}
	if bo := sr.Backoff; bo.Pos.IsValid() {
		if bo.Value < 1 {
			b.errorf(bo.Pos, "backoff must be 1 or more (the factor each delay grows by), got %s: write backoff: 2 to double the delay, or 1 to keep it constant", strconv.FormatFloat(bo.Value, 'g', -1, 64))
		} else {
			r.backoff = bo.Value
		}
	}
	if d := b.duration(sr.Initial, "initial", "200ms"); d > 0 {
		r.initial, r.initialAt = d, sr.Initial.Pos
	}
	if d := b.duration(sr.Max, "max", "10s"); d > 0 {
		r.max, r.maxAt = d, sr.Max.Pos
	}
	if sr.Jitter.Pos.IsValid() {
		r.jitter = sr.Jitter.Value
	}
	if sr.Panics.Pos.IsValid() {
		r.panics = sr.Panics.Value
	}
	if r.initial > r.max && (r.initialAt.IsValid() || r.maxAt.IsValid()) {
		at, fix := r.maxAt, fmt.Sprintf("raise max to %v or more", r.initial)
		if !at.IsValid() {
			at, fix = r.initialAt, fmt.Sprintf("lower initial to %v or less", r.max)
		}
		b.errorf(at, "initial %v is longer than max %v, the cap on every delay: %s", r.initial, r.max, fix)
	}
}

// duration parses the Go duration s, reporting at its position a value that
// does not parse or is not positive; 0 when s is absent or bad.
func (b *builder) duration(s spec.String, key, example string) time.Duration {
	if !s.Pos.IsValid() {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(s.Value))
	switch {
	case err != nil:
		fix := "write a number with a unit (ns, us, ms, s, m, h), e.g. " + example
		if _, nerr := strconv.ParseFloat(s.Value, 64); nerr == nil {
			fix = fmt.Sprintf("add a unit, e.g. %ss or %sms", s.Value, s.Value)
		}
		b.errorf(s.Pos, "%s %q is not a Go duration: %s", key, s.Value, fix)
		return 0
	case d <= 0:
		b.errorf(s.Pos, "%s must be positive, got %s: write e.g. %s", key, s.Value, example)
		return 0
	}
	return d
}
