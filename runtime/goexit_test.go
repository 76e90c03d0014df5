package runtime_test

import goruntime "runtime"

// goexit ends the calling goroutine, as t.FailNow does.
func goexit() { goruntime.Goexit() }
