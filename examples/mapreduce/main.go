package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"sync/atomic"
)

// Doc is one retrieved document: the item type of the map edge. Each
// document's flow sees only its own Doc, on its own copy.
type Doc struct {
	Title   string
	Text    string
	Summary string
	Passes  int // summarize passes, the first included
}

// State is the main flow's state.
type State struct {
	Query  string
	Docs   []Doc
	Digest []string
}

// maxWords is how long a summary may be.
const maxWords = 4

// handlers implements MapReduceHandlers.
type handlers struct {
	passes atomic.Int32 // summarize calls, over all documents
}

var _ MapReduceHandlers = (*handlers)(nil)

var corpus = []Doc{
	{Title: "graphs", Text: "state graphs compile into plain typed Go code with no reflection at all"},
	{Title: "maps", Text: "map edges fan out over data"},
	{Title: "joins", Text: "every fan in sees each result exactly once and in input order always"},
	{Title: "empty", Text: ""},
	{Title: "retries", Text: "a per item loop retries only the item that needs it while the others go on"},
}

func (h *handlers) Retrieve(ctx context.Context, s State) (State, error) {
	for _, d := range corpus {
		if s.Query == "" || strings.Contains(d.Text, s.Query) {
			s.Docs = append(s.Docs, d)
		}
	}
	return s, nil
}

// Summarize keeps the first two thirds of the words of the document's
// current summary (its text on the first pass).
func (h *handlers) Summarize(ctx context.Context, d Doc) (Doc, error) {
	h.passes.Add(1)
	words := strings.Fields(d.Text)
	if d.Passes > 0 {
		words = strings.Fields(d.Summary)
	}
	d.Passes++
	d.Summary = strings.Join(words[:len(words)*2/3], " ")
	return d, nil
}

func (h *handlers) Check(ctx context.Context, d Doc) (Doc, error) { return d, nil }

// RouteCheck sends a summary longer than maxWords back for another pass.
func (h *handlers) RouteCheck(ctx context.Context, d Doc) (CheckRoute, error) {
	if len(strings.Fields(d.Summary)) > maxWords {
		return CheckAgain, nil
	}
	return CheckOk, nil
}

// Combine gets one summarized Doc per retrieved document, in input order.
func (h *handlers) Combine(ctx context.Context, s State, in CombineItems) (State, error) {
	for _, d := range in.Docs {
		s.Digest = append(s.Digest, fmt.Sprintf("%-8s (%d passes) %q", d.Title, d.Passes, d.Summary))
	}
	return s, nil
}

func main() {
	h := &handlers{}
	g := NewMapReduce(h)
	for _, q := range []string{"", "item", "nothing matches this"} {
		s, err := g.Invoke(context.Background(), State{Query: q})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("query %q: %d documents, %d summarize passes in all\n", q, len(s.Docs), h.passes.Swap(0))
		for _, line := range s.Digest {
			fmt.Println("   ", line)
		}
	}
}
