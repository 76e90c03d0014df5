package gen

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
)

// Write writes files atomically, each through a temporary file in its
// directory renamed over the target. A file whose content is already on
// disk is left alone, so its modification time says when it last changed.
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
		errs = append(errs, writeAtomic(f.Path, f.Content))
	}
	return errors.Join(errs...)
}

func writeAtomic(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
