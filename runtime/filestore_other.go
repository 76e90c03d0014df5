//go:build !unix

package runtime

import (
	"context"
	"os"
)

// flockContext does nothing outside Unix: there the file store serializes
// the goroutines of one process only, so one process at a time may use a
// store's directory.
func flockContext(ctx context.Context, f *os.File, exclusive bool) error { return ctx.Err() }

// syncDir does nothing outside Unix, where a directory cannot be fsync'd
// through os.File.
func syncDir(dir string) error { return nil }
