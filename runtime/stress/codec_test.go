package stress

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

type codecGood struct {
	Name  string
	N     int
	F     float64
	Tags  []string
	By    map[string]*codecInner
	Big   *big.Int
	When  time.Time
	Raw   json.RawMessage
	Inner codecInner
}

type codecInner struct {
	Vals []int
	Next *codecInner
}

type codecBad struct {
	Name   string
	hidden int // JSON drops it; Fill sets it
}

var _ = codecBad{hidden: 1} // hidden is set by reflection only

type codecBuf struct{ Log bytes.Buffer }

// CheckJSON passes a state that survives JSON, and fails, naming the
// part, one that does not.
func TestCheckJSON(t *testing.T) {
	CheckJSON[codecGood](t, 50)
	for _, c := range []struct {
		name string
		run  func(tb *fakeTB)
		want string
	}{
		{"unexported", func(tb *fakeTB) { CheckJSON[codecBad](tb, 5) }, ".hidden = "},
		{"buffer", func(tb *fakeTB) { CheckJSON[codecBuf](tb, 5) }, ".Log.buf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := newFakeTB(t)
			c.run(tb)
			errs := tb.Errors()
			if len(errs) == 0 || !strings.Contains(errs[0], "comes back changed from JSON") || !strings.Contains(errs[0], c.want) {
				t.Errorf("got %q, want a change at %s", errs, c.want)
			}
		})
	}
}
