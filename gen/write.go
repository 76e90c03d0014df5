package gen

import (
	"bytes"
	"errors"
	"os"

	"github.com/google/renameio/v2/maybe"
)

// Write writes files atomically: each goes to a temporary file renamed over
// the target, so a reader never sees half a file (on Windows, where a rename
// cannot replace an open file, it is a plain write). A file whose content is
// already on disk is left alone, so its modification time says when it last
// changed.
func Write(files []File) error {
	var errs []error
	for _, f := range files {
		old, err := os.ReadFile(f.Path)
		if f.Remove {
			if err == nil && bytes.HasPrefix(old, []byte(generatedHeader)) {
				errs = append(errs, os.Remove(f.Path))
			}
			continue
		}
		if err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		errs = append(errs, maybe.WriteFile(f.Path, f.Content, 0o644))
	}
	return errors.Join(errs...)
}
