package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// State is the research state: the state of examples/research. Every
// activity call carries it as JSON, so it holds no blobs.
type State struct {
	Query   string
	Round   int
	Retries int
	Docs    []string
	Scores  map[string]float64
	Best    *Doc
}

// Doc is one source document.
type Doc struct {
	Title string
	Tags  []string
}

// agent is examples/research's agent: the handlers run as activities.
type agent struct{}

var _ ResearchHandlers = agent{}

func (agent) Plan(ctx context.Context, s State) (State, error) {
	s.Round++
	s.Query = fmt.Sprintf("graph executors, round %d", s.Round)
	return s, nil
}

func (agent) SearchWeb(ctx context.Context, s State) (State, error) {
	s.Docs = append(s.Docs, "web: "+s.Query)
	return s, nil
}

func (agent) FetchPapers(ctx context.Context, s State) (State, error) {
	s.Retries++
	s.Docs = append(s.Docs, fmt.Sprintf("paper %d: %s", s.Retries, s.Query))
	return s, nil
}

func (agent) RankPapers(ctx context.Context, s State) (State, error) {
	if s.Scores == nil {
		s.Scores = map[string]float64{}
	}
	for _, d := range s.Docs {
		s.Scores[d] = float64(len(d)) / 10
	}
	return s, nil
}

// RouteRankPapers fetches papers once more each round before it settles.
func (agent) RouteRankPapers(ctx context.Context, s State) (RankPapersRoute, error) {
	if s.Retries < 2*s.Round {
		return RankPapersRetry, nil
	}
	return RankPapersRanked, nil
}

// Merge joins the two searches: only what each branch appended since the
// fork is new (see examples/research).
func (agent) Merge(ctx context.Context, s State, in MergeBranches) (State, error) {
	forked := len(s.Docs)
	s.Docs = append(s.Docs, in.SearchWeb.Docs[forked:]...)
	s.Docs = append(s.Docs, in.FetchPapers.Docs[forked:]...)
	s.Retries = in.FetchPapers.Retries
	s.Scores = maps.Clone(in.FetchPapers.Scores)
	best := slices.MaxFunc(s.Docs, func(a, b string) int { return strings.Compare(a, b) })
	s.Best = &Doc{Title: best, Tags: []string{"round " + fmt.Sprint(s.Round)}}
	return s, nil
}

func (agent) Review(ctx context.Context, s State) (State, error) { return s, nil }

func (agent) RouteReview(ctx context.Context, s State) (ReviewRoute, error) {
	if s.Round < 2 {
		return ReviewRevise, nil
	}
	return ReviewDone, nil
}
