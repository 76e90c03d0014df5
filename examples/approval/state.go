package main

// State is what a thread of the approval graph carries; it is recorded
// with every node, so it holds only JSON-faithful, exported fields.
type State struct {
	Topic   string
	Round   int
	Tries   int      // papers fetched this round
	Web     []string // found by search_web
	Papers  []string // fetched by fetch_papers
	Draft   string
	Notes   []string // the reviewer's notes, one per revision
	Verdict string   // "approve" or "revise", set when resuming after review
	Final   string   // what publish produced
}
