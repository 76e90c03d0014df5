package durable

// State is what the approval graph works on. Every field is exported and
// JSON-faithful, so a thread's records decode to exactly what was recorded.
type State struct {
	Topic   string
	Round   int      // research rounds started
	Tries   int      // fetches in the current round
	Web     []string // what the web branch found
	Papers  []string
	Notes   []string
	Draft   string
	Verdict string            // set by a human at the interrupt after review
	Counts  map[string]int    // how often each node ran, as the state saw it
	Log     []string          // the main flow's trail
	Extra   *Annotation       `json:",omitempty"`
	Byline  map[string]string `json:",omitempty"`
}

// Annotation is a pointer-held part of the state.
type Annotation struct {
	By   string
	Tags []string
}
