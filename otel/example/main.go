// Command example traces one run of the research graph (two rounds, two
// parallel branches) and prints its spans with OpenTelemetry's stdout
// exporter, one JSON object per span as each ends:
//
//	cd otel && go run ./example
package main

import (
	"context"
	"log"
	"os"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/graphc/graphc/internal/cases/uneven"
	otelgraphc "github.com/graphc/graphc/otel"
)

// agent is a research agent that finds nothing, quickly.
type agent struct{}

func (agent) Plan(_ context.Context, s uneven.State) (uneven.State, error) {
	s.Round++
	return s, nil
}
func (agent) SearchWeb(_ context.Context, s uneven.State) (uneven.State, error) {
	s.Docs = append(s.Docs, "web")
	return s, nil
}
func (agent) FetchPapers(_ context.Context, s uneven.State) (uneven.State, error) {
	s.Retries++
	return s, nil
}
func (agent) RankPapers(_ context.Context, s uneven.State) (uneven.State, error) { return s, nil }
func (agent) RouteRankPapers(_ context.Context, s uneven.State) (uneven.RankPapersRoute, error) {
	if s.Retries < 2 {
		return uneven.RankPapersRetry, nil
	}
	return uneven.RankPapersRanked, nil
}
func (agent) Merge(_ context.Context, s uneven.State, in uneven.MergeBranches) (uneven.State, error) {
	s.Docs = append(s.Docs, in.SearchWeb.Docs...)
	return s, nil
}
func (agent) Review(_ context.Context, s uneven.State) (uneven.State, error) { return s, nil }
func (agent) RouteReview(_ context.Context, s uneven.State) (uneven.ReviewRoute, error) {
	if s.Round < 2 {
		return uneven.ReviewRevise, nil
	}
	return uneven.ReviewDone, nil
}

func main() {
	exp, err := stdouttrace.New(stdouttrace.WithWriter(os.Stdout), stdouttrace.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() {
		if err := tp.Shutdown(context.Background()); err != nil {
			log.Fatal(err)
		}
	}()
	g := uneven.NewUneven(agent{}, otelgraphc.Tracing(tp))
	if _, err := g.Invoke(context.Background(), uneven.State{Query: "graph executors"}); err != nil {
		log.Fatal(err)
	}
}
