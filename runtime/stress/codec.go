package stress

import (
	"encoding/json"
	"reflect"
	"testing"
)

// CheckJSON fills n states of type S with something in every part (as Fill
// does, with seeds 1..n, and without shared pointers, which JSON writes
// twice), encodes each with encoding/json, decodes it into a new S and
// checks that the two are deeply equal: a checkpoint brings the state back
// as it was. It reports the first part that differs, of the first state
// that fails, and stops there. Generated tests call it
// for every graph that may run with a store (not with checkpoints: false).
func CheckJSON[S any](t testing.TB, n int) {
	t.Helper()
	for seed := 1; seed <= n; seed++ {
		var s S
		fill(&s, uint64(seed), false)
		b, err := json.Marshal(&s)
		if err != nil {
			t.Errorf("stress.CheckJSON: state %d does not encode: %v", seed, err)
			return
		}
		var back S
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("stress.CheckJSON: state %d does not decode: %v\n%s", seed, err, b)
			return
		}
		if !reflect.DeepEqual(s, back) {
			was, is := fingerprint(s), fingerprint(back)
			i := firstDiff(was, is)
			line := func(l []string) string {
				if i < len(l) {
					return l[i]
				}
				return "(nothing)"
			}
			t.Errorf("stress.CheckJSON: state %d comes back changed from JSON: %s became %s\n%s", seed, line(was), line(is), b)
			return
		}
	}
}
