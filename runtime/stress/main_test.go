package stress

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the harness, and the broken fixtures it is tested
// on, leave no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
