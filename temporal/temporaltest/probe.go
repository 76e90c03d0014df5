package temporaltest

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/graphc/graphc/runtime/stress"
)

// Probe records a run of a graph whose handlers are probes: every node
// visit, with what the node was given (as JSON, which is how the Temporal
// path carries it), and decides the routes with stress.Decide, so that
// the decisions depend only on the seed, the run, the node and its visit —
// not on which executor runs the graph, nor on the order branches run in.
// It is safe for concurrent use.
type Probe struct {
	Seed uint64
	Run  int

	mu     sync.Mutex
	inputs map[string][]string // per node, what each visit was given
	routes map[string]int      // Choose calls per node
}

// NewProbe returns a probe for run of the runs with the base seed.
func NewProbe(seed uint64, run int) *Probe {
	return &Probe{Seed: seed, Run: run, inputs: map[string][]string{}, routes: map[string]int{}}
}

// Enter records a visit of node with its arguments (the state, and a
// fan-in's branches).
func (p *Probe) Enter(node string, args ...any) {
	b, err := json.Marshal(args)
	if err != nil {
		b = []byte(fmt.Sprintf("unencodable: %v", err))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inputs[node] = append(p.inputs[node], string(b))
}

// Choose is the label (0..labels-1) the route handler of node takes at its
// next visit: stress.Decide on the probe's seed and run and the node's
// visits so far; exit leads out of the node's loops.
func (p *Probe) Choose(node string, labels, exit int) int {
	p.mu.Lock()
	visit := p.routes[node]
	p.routes[node] = visit + 1
	p.mu.Unlock()
	return stress.Decide(p.Seed, p.Run, node, visit, labels, exit)
}

// Select is the set of branches (bit i: branch i) the select handler of
// fork node picks at its next visit, out of branches: stress.Decide over
// every set, biased like a route towards all branches.
func (p *Probe) Select(node string, branches int) uint64 {
	key := "select " + node
	p.mu.Lock()
	visit := p.routes[key]
	p.routes[key] = visit + 1
	p.mu.Unlock()
	branches = min(branches, 16) // 65536 sets are plenty to draw from
	all := 1<<branches - 1
	return uint64(stress.Decide(p.Seed, p.Run, key, visit, all+1, all))
}

// ChooseFor is Choose for a node of a map's per-item flow, whose items run
// concurrently: its visits are counted per value of the item it is given
// (as JSON), so that the label an item's flow takes does not depend on the
// order the items run in.
func (p *Probe) ChooseFor(node string, item any, labels, exit int) int {
	b, err := json.Marshal(item)
	if err != nil {
		b = []byte(fmt.Sprintf("unencodable: %v", err))
	}
	return p.Choose(node+"\x00"+string(b), labels, exit)
}

// Items is how many items (0..max) the map at node runs at its next visit:
// stress.Decide on the probe's seed and run and the map's visits so far,
// biased like a route towards max.
func (p *Probe) Items(node string, max int) int {
	key := "items " + node
	p.mu.Lock()
	visit := p.routes[key]
	p.routes[key] = visit + 1
	p.mu.Unlock()
	return stress.Decide(p.Seed, p.Run, key, visit, max+1, max)
}

// Visits is how many times node ran.
func (p *Probe) Visits(node string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.inputs[node])
}

// Inputs returns, per node, what each of its visits was given, in order.
func (p *Probe) Inputs() map[string][]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string][]string, len(p.inputs))
	for k, v := range p.inputs {
		out[k] = append([]string(nil), v...)
	}
	return out
}
