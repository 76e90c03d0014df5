package mapped

// Doc is one document the maps at "plan" and "left" run over.
type Doc struct {
	ID      int
	Text    string
	Tags    []string
	Summary string
}

// Task is one item ItemsPrepare builds.
type Task struct {
	N     int
	Notes []string
}

// State is the main flow's state.
type State struct {
	Docs  []Doc
	Total int
	Seen  []string
}
