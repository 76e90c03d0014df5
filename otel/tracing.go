package otelgraphc

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/graphc/graphc/runtime"
)

// ScopeName is the instrumentation scope of graphc's tracer.
const ScopeName = "github.com/graphc/graphc/otel"

// Attribute keys set on every span (path and thread when they are not empty).
const (
	KeyGraph  = attribute.Key("graphc.graph")  // the graph's name, e.g. Research
	KeyNode   = attribute.Key("graphc.node")   // the node; for a fork the forking node, for a branch its entry
	KeyPath   = attribute.Key("graphc.path")   // the flow path: "" on the main flow
	KeyThread = attribute.Key("graphc.thread") // the run's thread id
	// KeyAttempts is set on node and route spans when they end: the calls made.
	KeyAttempts = attribute.Key("graphc.attempts")
	// KeyBranches is set on fork spans: how many branches the fork runs.
	KeyBranches = attribute.Key("graphc.branches")
)

// Tracing returns an option (for the executor or for one call) that traces
// runs with tracer provider tp. Span names are the graph's name for the
// run, "fork <node>", "branch <entry>", the node's name for a handler call
// and "route <node>" for a route call; node and route spans are of kind
// internal. A failed scope records its error and an Error status (a panic
// as an exception with its stack); each retry is an event named "retry"
// with the failed attempt, its error and the backoff.
func Tracing(tp trace.TracerProvider) runtime.Option {
	tracer := tp.Tracer(ScopeName)
	return runtime.WithHook(func(ctx context.Context, s runtime.Scope) (context.Context, func(runtime.Report)) {
		attrs := make([]attribute.KeyValue, 0, 5)
		attrs = append(attrs, KeyGraph.String(s.Graph))
		if s.Node != "" {
			attrs = append(attrs, KeyNode.String(s.Node))
		}
		attrs = append(attrs, KeyPath.String(s.Path))
		if s.Thread != "" {
			attrs = append(attrs, KeyThread.String(s.Thread))
		}
		name := s.Node
		switch s.Kind {
		case runtime.RunScope:
			name = s.Graph
		case runtime.ForkScope:
			name = "fork " + s.Node
			attrs = append(attrs, KeyBranches.Int(s.Branches))
		case runtime.BranchScope:
			name = "branch " + s.Node
		case runtime.RouteScope:
			name = "route " + s.Node
		}
		ctx, span := tracer.Start(ctx, name, trace.WithAttributes(attrs...))
		return ctx, func(r runtime.Report) { report(span, s.Kind, r) }
	})
}

// report puts r on span: a retry event, or the end.
func report(span trace.Span, kind runtime.ScopeKind, r runtime.Report) {
	if r.Retrying {
		span.AddEvent("retry", trace.WithAttributes(
			attribute.Int("graphc.attempt", r.Attempt),
			attribute.String("error.message", r.Err.Error()),
			attribute.String("graphc.delay", r.Delay.String()),
		))
		return
	}
	if kind == runtime.NodeScope || kind == runtime.RouteScope {
		span.SetAttributes(KeyAttempts.Int(r.Attempt))
	}
	if r.Err != nil {
		var pe *runtime.PanicError
		if errors.As(r.Err, &pe) {
			span.AddEvent("exception", trace.WithAttributes(
				attribute.String("exception.type", "panic"),
				attribute.String("exception.message", fmt.Sprint(pe.Value)),
				attribute.String("exception.stacktrace", string(pe.Stack)),
			))
		} else {
			span.RecordError(r.Err)
		}
		span.SetStatus(codes.Error, r.Err.Error())
	}
	span.End()
}
