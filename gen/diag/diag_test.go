package diag

import "testing"

func TestSortAndRender(t *testing.T) {
	var l List
	l.Add(Pos{File: "b.yaml", Line: 1, Col: 1}, "later file")
	l.Add(Pos{File: "a.yaml", Line: 9, Col: 2}, "second")
	l.Add(Pos{File: "a.yaml", Line: 3, Col: 7}, "first %d", 1)
	l.Add(Pos{File: "a.yaml", Line: 3, Col: 7}, "first %d", 1) // an exact duplicate
	got := l.Err().Error()
	want := "a.yaml:3:7: first 1\na.yaml:9:2: second\nb.yaml:1:1: later file"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if (List{}).Err() != nil {
		t.Error("an empty list is an error")
	}
	if s := (Pos{File: "f"}).String(); s != "f" {
		t.Errorf("unknown line: %q", s)
	}
	if s := (Pos{File: "f", Line: 2}).String(); s != "f:2" {
		t.Errorf("unknown column: %q", s)
	}
}

func TestClosest(t *testing.T) {
	names := []string{"merge", "review", "plan", "fan_in", "a"}
	for in, want := range map[string]string{
		"merg":     "merge",
		"reveiw":   "review", // a swap is one edit
		"fanin":    "fan_in",
		"planning": "",
		"xyz":      "",
		"c":        "", // not a typo of "a": nothing is left of it
	} {
		if got := Closest(in, names); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}
