// Package otelgraphc traces graphc runs with OpenTelemetry: Tracing returns
// a runtime option that opens a span for the run, each fork, each branch
// and each handler and route call, parented as they nest — a branch's spans
// under its fork's, across goroutines — and hands each handler a context
// carrying its node's span, so that the spans a handler starts are its
// children.
//
// It lives in its own module (github.com/graphc/graphc/otel) so that a
// program that does not trace never downloads OpenTelemetry.
package otelgraphc
