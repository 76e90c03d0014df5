package stress

import (
	"context"
	"math/bits"
)

// Domains of the draws of Items and Select, apart from the others.
const (
	domainItems  uint64 = 0x6974656d73   // "items"
	domainSelect uint64 = 0x73656c656374 // "select"
)

// ManyItems is the most items Items returns.
const ManyItems = 12

// Items is for the probe's map edges: it returns the items a map at node
// runs over, each filled like Fill. Their number is drawn from the run's
// seeded source: 0, 1 or many (2 to ManyItems), each a third of the time,
// so a stress run sees the empty map (the fan-in at once), one item and
// many racing items. The draw depends on the run's seed, the run number,
// node and how many times the run drew items at node before; with a ctx that
// Run did not make, Items returns ManyItems items.
func Items[T any](ctx context.Context, node string) []T {
	n, seed := ManyItems, uint64(1)
	if src := sourceOf(ctx); src != nil {
		seed = draw(src.seed, src.run, domainItems, node, src.visit("items "+node))
		switch seed % 3 {
		case 0:
			n = 0
		case 1:
			n = 1
		default:
			n = 2 + int((seed>>8)%(ManyItems-1))
		}
	}
	items := make([]T, n)
	for i := range items {
		fill(&items[i], mix(seed^uint64(i+1)), true)
	}
	return items
}

// Select is for the probe's select handlers: it returns the set of the
// branches (bit i: branch i of branches) that a select fork at node runs,
// drawn from the run's seeded source: none, all, or a random subset, so a
// stress run sees the empty selection (the fan-in at once) and partial ones.
// With a ctx that Run did not make, Select returns all branches.
func Select(ctx context.Context, node string, branches int) uint64 {
	all := ^uint64(0)
	if branches < 64 {
		all = 1<<branches - 1
	}
	src := sourceOf(ctx)
	if src == nil {
		return all
	}
	h := draw(src.seed, src.run, domainSelect, node, src.visit("select "+node))
	switch h % 4 {
	case 0:
		return 0
	case 1:
		return all
	}
	set := mix(h) & all
	if bits.OnesCount64(set) == 0 {
		set = 1
	}
	return set
}

// visit counts a draw of kind key in the run (kept with Fill's counts, by
// a key no node name can take) and returns how many came before it.
func (src *runSource) visit(key string) uint64 {
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.fills == nil {
		src.fills = map[string]int{}
	}
	n := src.fills[key]
	src.fills[key] = n + 1
	return uint64(n)
}
