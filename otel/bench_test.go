package otelgraphc_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/graphc/graphc/internal/cases/loop"
	otelgraphc "github.com/graphc/graphc/otel"
)

// BenchmarkTransition is loop.BenchmarkTransition with a tracer: the SDK's
// provider, sampling every span, with no exporter (spans end and are dropped).
//
//	cd otel && go test -run '^$' -bench Transition -benchmem .
func BenchmarkTransition(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	b.Run("tracer", func(b *testing.B) { loop.BenchLoop(b, otelgraphc.Tracing(tp)) })
}
