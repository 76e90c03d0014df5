package sqlitestore

// Commits is how many transactions st's Appends committed.
func Commits(st *Store) int64 { return st.commits.Load() }
