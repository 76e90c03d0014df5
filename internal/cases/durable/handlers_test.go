package durable

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// handlers are deterministic: what a node returns depends only on the state
// it is given, so a run that is cut and resumed must end exactly where an
// uninterrupted run ends. They count their calls.
type handlers struct {
	mu    sync.Mutex
	calls map[string]int
	// fail, when set, can make a node fail (before it does anything).
	fail func(node string, s State) error
	// delay is how long each node takes.
	delay time.Duration
}

func (h *handlers) enter(node string, s *State) error {
	h.mu.Lock()
	if h.calls == nil {
		h.calls = map[string]int{}
	}
	h.calls[node]++
	fail := h.fail
	h.mu.Unlock()
	if h.delay > 0 {
		time.Sleep(h.delay)
	}
	if fail != nil {
		if err := fail(node, *s); err != nil {
			return err
		}
	}
	s.Counts = maps.Clone(s.Counts)
	if s.Counts == nil {
		s.Counts = map[string]int{}
	}
	s.Counts[node]++
	return nil
}

func (h *handlers) Calls() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.calls)
}

func (h *handlers) Research(_ context.Context, s State) (State, error) {
	if err := h.enter("research", &s); err != nil {
		return s, err
	}
	s.Round++
	s.Tries = 0
	s.Log = append(slices.Clip(s.Log), fmt.Sprintf("research %d", s.Round))
	return s, nil
}

func (h *handlers) Web(_ context.Context, s State) (State, error) {
	if err := h.enter("web", &s); err != nil {
		return s, err
	}
	s.Web = append(slices.Clip(s.Web), fmt.Sprintf("web r%d", s.Round))
	return s, nil
}

func (h *handlers) Fetch(_ context.Context, s State) (State, error) {
	if err := h.enter("fetch", &s); err != nil {
		return s, err
	}
	s.Tries++
	s.Papers = append(slices.Clip(s.Papers), fmt.Sprintf("paper r%d t%d", s.Round, s.Tries))
	return s, nil
}

func (h *handlers) Rank(_ context.Context, s State) (State, error) {
	if err := h.enter("rank", &s); err != nil {
		return s, err
	}
	slices.Sort(s.Papers)
	return s, nil
}

func (h *handlers) RouteRank(_ context.Context, s State) (RankRoute, error) {
	if s.Tries < 2 {
		return RankAgain, nil
	}
	return RankRanked, nil
}

func (h *handlers) Notes(_ context.Context, s State) (State, error) {
	if err := h.enter("notes", &s); err != nil {
		return s, err
	}
	s.Notes = append(slices.Clip(s.Notes), fmt.Sprintf("notes r%d", s.Round))
	return s, nil
}

func (h *handlers) NoteA(_ context.Context, s State) (State, error) {
	if err := h.enter("note_a", &s); err != nil {
		return s, err
	}
	s.Notes = append(slices.Clip(s.Notes), "a")
	return s, nil
}

func (h *handlers) NoteB(_ context.Context, s State) (State, error) {
	if err := h.enter("note_b", &s); err != nil {
		return s, err
	}
	s.Notes = append(slices.Clip(s.Notes), "b")
	s.Extra = &Annotation{By: "b", Tags: []string{fmt.Sprint(s.Round)}}
	return s, nil
}

// NotesJoin appends what each half added to the fork-time notes.
func (h *handlers) NotesJoin(_ context.Context, s State, in NotesJoinBranches) (State, error) {
	if err := h.enter("notes_join", &s); err != nil {
		return s, err
	}
	base := len(s.Notes)
	s.Notes = append(slices.Clip(s.Notes), in.NoteA.Notes[base:]...)
	s.Notes = append(s.Notes, in.NoteB.Notes[base:]...)
	s.Extra = in.NoteB.Extra
	return s, nil
}

func (h *handlers) Merge(_ context.Context, s State, in MergeBranches) (State, error) {
	if err := h.enter("merge", &s); err != nil {
		return s, err
	}
	s.Web, s.Papers, s.Notes, s.Tries, s.Extra = in.Web.Web, in.Fetch.Papers, in.Notes.Notes, in.Fetch.Tries, in.Notes.Extra
	for _, b := range []State{in.Web, in.Fetch, in.Notes} {
		for k, v := range b.Counts {
			if v > s.Counts[k] {
				s.Counts[k] = v
			}
		}
	}
	return s, nil
}

func (h *handlers) Draft(_ context.Context, s State) (State, error) {
	if err := h.enter("draft", &s); err != nil {
		return s, err
	}
	s.Draft = fmt.Sprintf("draft %d: %d web, %d papers, %d notes", s.Round, len(s.Web), len(s.Papers), len(s.Notes))
	return s, nil
}

func (h *handlers) Review(_ context.Context, s State) (State, error) {
	if err := h.enter("review", &s); err != nil {
		return s, err
	}
	s.Log = append(slices.Clip(s.Log), "review "+s.Draft)
	return s, nil
}

// RouteReview revises until round 2, unless a human set the verdict.
func (h *handlers) RouteReview(_ context.Context, s State) (ReviewRoute, error) {
	switch {
	case s.Verdict == "ok":
		return ReviewOk, nil
	case s.Verdict == "revise", s.Round < 2:
		return ReviewRevise, nil
	}
	return ReviewOk, nil
}

func (h *handlers) Publish(_ context.Context, s State) (State, error) {
	if err := h.enter("publish", &s); err != nil {
		return s, err
	}
	s.Log = append(slices.Clip(s.Log), "published")
	return s, nil
}
