package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// agent implements ApprovalHandlers with stand-ins for the searches and the
// writing: deterministic, so a thread resumed after a crash ends where an
// uninterrupted one does. Each search takes latency, as a real one would.
type agent struct {
	latency time.Duration
}

var _ ApprovalHandlers = agent{}

// wait stands for the time a search takes, honouring cancellation.
func (a agent) wait(ctx context.Context) error {
	if a.latency <= 0 {
		return nil
	}
	t := time.NewTimer(a.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (agent) Research(_ context.Context, s State) (State, error) {
	s.Round++
	s.Tries = 0
	s.Verdict = ""
	return s, nil
}

func (a agent) SearchWeb(ctx context.Context, s State) (State, error) {
	if err := a.wait(ctx); err != nil {
		return s, err
	}
	s.Web = append(slices.Clip(s.Web), fmt.Sprintf("web: %s (round %d)", s.Topic, s.Round))
	return s, nil
}

func (a agent) FetchPapers(ctx context.Context, s State) (State, error) {
	if err := a.wait(ctx); err != nil {
		return s, err
	}
	s.Tries++
	s.Papers = append(slices.Clip(s.Papers), fmt.Sprintf("paper %d.%d on %s", s.Round, s.Tries, s.Topic))
	return s, nil
}

func (agent) RankPapers(_ context.Context, s State) (State, error) { return s, nil }

// RouteRankPapers fetches until two papers of this round are in.
func (agent) RouteRankPapers(_ context.Context, s State) (RankPapersRoute, error) {
	if s.Tries < 2 {
		return RankPapersAgain, nil
	}
	return RankPapersRanked, nil
}

// Merge takes what each branch added since the fork: the branches write
// disjoint fields, so nothing of the fork-time state is counted twice.
func (agent) Merge(_ context.Context, s State, in MergeBranches) (State, error) {
	s.Web = in.SearchWeb.Web
	s.Papers = in.FetchPapers.Papers
	s.Tries = in.FetchPapers.Tries
	return s, nil
}

func (agent) Draft(_ context.Context, s State) (State, error) {
	s.Draft = fmt.Sprintf("%s: %d web sources and %d papers", s.Topic, len(s.Web), len(s.Papers))
	if len(s.Notes) > 0 {
		s.Draft += ", revised for: " + strings.Join(s.Notes, "; ")
	}
	return s, nil
}

// Review presents the draft; the human's answer comes with the resume.
func (agent) Review(_ context.Context, s State) (State, error) { return s, nil }

// RouteReview follows the verdict the reviewer gave when resuming.
func (agent) RouteReview(_ context.Context, s State) (ReviewRoute, error) {
	if s.Verdict == "approve" {
		return ReviewApprove, nil
	}
	return ReviewRevise, nil
}

func (agent) Publish(_ context.Context, s State) (State, error) {
	s.Final = "PUBLISHED " + s.Draft
	return s, nil
}
