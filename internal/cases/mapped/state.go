package mapped

// Doc is one document mapped over by the per-item flow of "plan".
type Doc struct {
	ID      int
	Text    string
	Tags    []string
	Tries   int
	Summary string
}

// Task is one item that ItemsPrepare builds.
type Task struct {
	N    int
	Seen map[string]int
}

// State is the main flow's state.
type State struct {
	Docs   []Doc
	Done   []string
	Total  int
	Seen   []string
	Picked string
}
