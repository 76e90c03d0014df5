package uneven

// State is the research state. Branches get deep copies, so they may
// append to Docs and write to Scores freely.
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
