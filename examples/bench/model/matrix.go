package model

// The state shapes of the fan-in matrix (BenchmarkMatrix): the same graph,
// start -> W branches -> join, on states that differ in what a branch's copy
// costs and how large the frames that carry the state by value are. Every
// shape has N (start sets it to 1, branch i adds i) and Sum (the join adds up
// each branch's Value); Value adds what the shape's own fields hold, so that
// a branch whose writes were lost, or that saw a sibling's, breaks the Sum.

// Slice is a state with a slice that every node appends to: a branch's copy
// must own its backing array.
type Slice struct {
	N     int
	Trail []int // start appends 0, branch i appends i
	Sum   int
}

// Map is a state with a map that every node writes: a branch's copy must
// own its map.
type Map struct {
	N    int
	Tags map[string]int // start sets "start", each branch sets "branch"
	Sum  int
}

// Big is a state of a little over 1 KiB, most of it an array: copies are
// plain assignments, but every frame that holds one by value is large.
type Big struct {
	N   int
	Buf [128]int // start sets Buf[0] to 1, branch i adds i to Buf[i%128]
	Sum int
}

// Strings is a state of strings, reassigned by every node (no allocation:
// the values are constants).
type Strings struct {
	N    int
	Name string // set by start
	Note string // set by each branch
	Sum  int
}

// SliceStart is start's body on a Slice.
func SliceStart(s Slice) Slice { s.N++; s.Trail = append(s.Trail, 0); return s }

// SliceAdd is branch i's body on a Slice.
func SliceAdd(s Slice, i int) Slice { s.N += i; s.Trail = append(s.Trail, i); return s }

// SliceValue is what the join adds up from a Slice branch: N plus the
// length of its trail and the last value appended.
func SliceValue(s Slice) int { return s.N + len(s.Trail) + s.Trail[len(s.Trail)-1] }

// MapStart is start's body on a Map.
func MapStart(s Map) Map {
	s.N++
	if s.Tags == nil {
		s.Tags = make(map[string]int, 2)
	}
	s.Tags["start"] = 1
	return s
}

// MapAdd is branch i's body on a Map.
func MapAdd(s Map, i int) Map { s.N += i; s.Tags["branch"] = i; return s }

// MapValue is what the join adds up from a Map branch.
func MapValue(s Map) int { return s.N + len(s.Tags) + s.Tags["branch"] }

// BigStart is start's body on a Big.
func BigStart(s Big) Big { s.N++; s.Buf[0] = 1; return s }

// BigAdd is branch i's body on a Big.
func BigAdd(s Big, i int) Big { s.N += i; s.Buf[i%len(s.Buf)] += i; return s }

// BigValue is what the join adds up from a Big branch.
func BigValue(s Big) int {
	v := s.N
	for _, b := range s.Buf {
		v += b
	}
	return v
}

// StringsStart is start's body on a Strings.
func StringsStart(s Strings) Strings { s.N++; s.Name = "start"; return s }

// StringsAdd is branch i's body on a Strings.
func StringsAdd(s Strings, i int) Strings { s.N += i; s.Note = "branch"; return s }

// StringsValue is what the join adds up from a Strings branch.
func StringsValue(s Strings) int { return s.N + len(s.Name) + len(s.Note) }

// MatrixSum is what the join of a fan-in of w branches must find on each
// shape of the matrix ("ints" is State, whose join adds up N).
func MatrixSum(shape string, w int) int {
	sum := 0
	for i := 1; i <= w; i++ {
		switch shape {
		case "ints":
			sum += 1 + i
		case "slice":
			sum += 1 + i + 2 + i // N, len(Trail), the last value appended
		case "map":
			sum += 1 + i + 2 + i // N, len(Tags), Tags["branch"]
		case "big":
			sum += 1 + i + 1 + i // N, and Buf's 1 from start and i from the branch
		case "strings":
			sum += 1 + i + len("start") + len("branch")
		}
	}
	return sum
}

// Deep is the "heavy" handlers' extra work: a call that is never inlined
// and whose frame (4 KiB) is larger than a new goroutine's first stack, as a
// handler that calls into a real library often has. It returns i.
//
//go:noinline
func Deep(i int) int {
	var buf [512]int
	for j := range buf {
		buf[j] = i + j
	}
	return buf[i%len(buf)] - i%len(buf)
}
