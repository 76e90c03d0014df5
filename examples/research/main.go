package main

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"strings"

	"github.com/graphc/graphc/runtime"
)

// State is the research state. Branches get deep copies (generated), so
// each may append to Docs and write to Scores without a lock.
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

// Merge joins the two searches. s is the state plan returned when it
// forked, and each branch started from a copy of it: in.SearchWeb.Docs and
// in.FetchPapers.Docs both begin with the s.Docs of the fork. Only what each
// branch appended since is new (appending whole slices would count the
// documents of earlier rounds twice per round); the fields a single branch
// writes (Retries, Scores) are taken from that branch.
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

func main() {
	g := NewResearch(agent{}, runtime.WithMaxWorkers(4))
	// The error that comes with an event is the event's Err: a failed
	// branch's (BranchFailed) as well as the run's (Done). Reading it at Done
	// sees the end of the run; breaking on any error would not.
	for e, err := range g.Stream(context.Background(), State{}) {
		switch e.Kind {
		case runtime.NodeFinished:
			fmt.Printf("%-40s docs=%d\n", e.String(), len(e.State.Docs))
		case runtime.Done:
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println(e.String())
			fmt.Printf("final: round %d, %d docs, best %q\n", e.State.Round, len(e.State.Docs), e.State.Best.Title)
		default:
			fmt.Println(e.String())
		}
	}
}
