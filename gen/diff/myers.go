package diff

// The middle-snake search over a region stops after limit edits in each
// direction if the optimal split point has not turned up by then, and
// settles for the point furthest from its starting corner. A region needing
// more than 2*limit line edits can thus get a longer script than necessary;
// below that the script is minimal. The search costs O((N+M)*limit) time on
// texts with N and M lines however different they are, so the limit shrinks
// as the texts grow, from maxLimit down to minLimit, keeping the work near
// workBudget.
const (
	minLimit   = 256
	maxLimit   = 4096
	workBudget = 1 << 27
)

// autoLimit returns the search limit for sequences of n lines in all.
func autoLimit(n int) int {
	return max(minLimit, min(maxLimit, workBudget/max(n, 1)))
}

// editScript compares the lines of a and b and reports which lines of a are
// deleted and which lines of b are inserted; the remaining lines of a and b
// are equal and pair up in order. limit bounds the search (see minLimit); if
// it is 0, autoLimit chooses it.
func editScript(a, b []string, limit int) (del, ins []bool) {
	del = make([]bool, len(a))
	ins = make([]bool, len(b))

	// The common prefix and suffix are cheap to find and often cover nearly
	// all of two versions of a generated file.
	lo := 0
	for lo < len(a) && lo < len(b) && a[lo] == b[lo] {
		lo++
	}
	ahi, bhi := len(a), len(b)
	for ahi > lo && bhi > lo && a[ahi-1] == b[bhi-1] {
		ahi--
		bhi--
	}
	if lo == ahi || lo == bhi {
		markAll(del[lo:ahi])
		markAll(ins[lo:bhi])
		return del, ins
	}

	// Number the distinct lines so that the search compares integers. A
	// line that occurs on one side only can never be part of a common
	// subsequence, so it is marked at once and left out of the search; this
	// keeps the number of edits the search sees small when the texts have
	// little in common, and does not change the length of the script.
	ids := make(map[string]int32, ahi-lo)
	aid := make([]int32, ahi-lo)
	for i, l := range a[lo:ahi] {
		id, ok := ids[l]
		if !ok {
			id = int32(len(ids))
			ids[l] = id
		}
		aid[i] = id
	}
	inB := make([]bool, len(ids))
	d := &differ{del: del, ins: ins}
	for j, l := range b[lo:bhi] {
		id, ok := ids[l]
		if !ok {
			ins[lo+j] = true
			continue
		}
		inB[id] = true
		d.b = append(d.b, id)
		d.bi = append(d.bi, lo+j)
	}
	for i, id := range aid {
		if !inB[id] {
			del[lo+i] = true
			continue
		}
		d.a = append(d.a, id)
		d.ai = append(d.ai, lo+i)
	}

	if limit <= 0 {
		limit = autoLimit(len(d.a) + len(d.b))
	}
	d.limit = max(1, min(limit, (len(d.a)+len(d.b)+1)/2))
	n := 2*d.limit + 3
	d.fv = make([]int, n)
	d.bv = make([]int, n)
	d.compare(0, len(d.a), 0, len(d.b))
	return del, ins
}

// markAll sets every element of s.
func markAll(s []bool) {
	for i := range s {
		s[i] = true
	}
}

// differ holds the state of one comparison: the two sequences of line
// numbers being compared, the positions in the original texts they came
// from, the result, and the scratch vectors of the middle-snake search.
type differ struct {
	a, b   []int32 // line identities
	ai, bi []int   // ai[i] is the index in the original a of a[i]; bi likewise
	del    []bool  // deleted lines of the original a
	ins    []bool  // inserted lines of the original b
	limit  int     // steps before the search settles for a heuristic split
	fv, bv []int   // furthest-reaching x (forward) and u (backward) per diagonal
}

// compare records an edit script turning a[alo:ahi] into b[blo:bhi], minimal
// unless the search limit cut in.
func (d *differ) compare(alo, ahi, blo, bhi int) {
	for {
		for alo < ahi && blo < bhi && d.a[alo] == d.b[blo] {
			alo++
			blo++
		}
		for alo < ahi && blo < bhi && d.a[ahi-1] == d.b[bhi-1] {
			ahi--
			bhi--
		}
		if alo == ahi || blo == bhi {
			for _, i := range d.ai[alo:ahi] {
				d.del[i] = true
			}
			for _, j := range d.bi[blo:bhi] {
				d.ins[j] = true
			}
			return
		}
		x, y := d.split(alo, ahi, blo, bhi)
		d.compare(alo, x, blo, y)
		alo, blo = x, y
	}
}

// split returns a point (x, y) with alo <= x <= ahi and blo <= y <= bhi,
// other than (alo, blo) and (ahi, bhi), through which a minimal edit script
// for a[alo:ahi] and b[blo:bhi] passes. Both ranges must be non-empty and
// must differ in their first and in their last element.
//
// It runs Myers' greedy search from both corners at once: forward from
// (alo, blo) and backward from (ahi, bhi), one edit at a time, until a
// forward path and a backward path meet on a diagonal. If the paths have not
// met after d.limit edits each, split settles for the point closest to the
// far corner that either search has reached.
func (d *differ) split(alo, ahi, blo, bhi int) (x, y int) {
	a, b := d.a[alo:ahi], d.b[blo:bhi]
	n, m := len(a), len(b)
	// Coordinates are relative to (alo, blo). Diagonal k holds the points
	// with x-y == k. fv[off+k] is the largest x reached on diagonal k by the
	// forward search. The backward search runs the same algorithm on the
	// reversed sequences: u = n-x, v = m-y, diagonal r = u-v = delta-k, and
	// bv[off+r] is the largest u reached on diagonal r.
	//
	// Neither search is confined to the n×m box: a path may leave it
	// through the far edges (for the forward search, x > n or y > m), where
	// no diagonal moves exist. This is Myers' algorithm on the sequences
	// padded with lines that match nothing, so the furthest-reaching
	// invariant holds without special cases at the edges. A point outside
	// the box can never be the answer, so the meeting test only looks at
	// diagonals that cross the box and clamps the meeting point into it.
	delta := n - m
	odd := delta&1 != 0
	steps := min(d.limit, (n+m+1)/2)
	off := steps + 1
	fv, bv := d.fv, d.bv
	fv[off+1] = 0
	bv[off+1] = 0
	for s := 0; s <= steps; s++ {
		for k := -s; k <= s; k += 2 {
			var x int
			if k == -s || (k != s && fv[off+k-1] < fv[off+k+1]) {
				x = fv[off+k+1] // down: insert b[y-1]
			} else {
				x = fv[off+k-1] + 1 // right: delete a[x-1]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			fv[off+k] = x
			// With delta odd, the paths meet after s forward and s-1
			// backward edits; check against the backward step just done.
			if r := delta - k; odd && -(s-1) <= r && r <= s-1 && -m <= k && k <= n && x >= n-bv[off+r] {
				x = min(x, n, m+k)
				return alo + x, blo + x - k
			}
		}
		for r := -s; r <= s; r += 2 {
			var u int
			if r == -s || (r != s && bv[off+r-1] < bv[off+r+1]) {
				u = bv[off+r+1]
			} else {
				u = bv[off+r-1] + 1
			}
			v := u - r
			for u < n && v < m && a[n-1-u] == b[m-1-v] {
				u++
				v++
			}
			bv[off+r] = u
			// With delta even, the paths meet after s edits each.
			if k := delta - r; !odd && -s <= k && k <= s && -m <= k && k <= n && fv[off+k] >= n-u {
				x := min(fv[off+k], n, m+k)
				return alo + x, blo + x - k
			}
		}
	}

	// The search was cut short. Take the point inside the box that is
	// furthest from its starting corner, forward or backward.
	s := steps
	bestF, fx, fk := -1, 0, 0
	for k := max(-s, -m); k <= min(s, n); k++ {
		if (k+s)&1 != 0 {
			continue
		}
		x := min(fv[off+k], n, m+k)
		if score := 2*x - k; score > bestF {
			bestF, fx, fk = score, x, k
		}
	}
	bestB, bu, br := -1, 0, 0
	for r := max(-s, -m); r <= min(s, n); r++ {
		if (r+s)&1 != 0 {
			continue
		}
		u := min(bv[off+r], m+r, n)
		if score := 2*u - r; score > bestB {
			bestB, bu, br = score, u, r
		}
	}
	if bestF >= bestB {
		x, y = fx, fx-fk
	} else {
		x, y = n-bu, m-(bu-br)
	}
	if (x == 0 && y == 0) || (x == n && y == m) {
		// Cannot happen: any point reached after at least one edit is
		// away from its own corner, and the far corner would have been a
		// meeting point. Guarantee progress all the same.
		x, y = 1, 0
	}
	return alo + x, blo + y
}
