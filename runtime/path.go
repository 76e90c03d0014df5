package runtime

import "strconv"

// flow is one sequential path of a run: the main flow, or one branch of one
// fork activation. It exists only when the run needs deterministic paths
// (a store); otherwise Branch.flow is nil and nothing is allocated.
type flow struct {
	path string // see Branch.Path
	// acts counts, per forking node, the activations started on this flow;
	// only this flow's goroutine touches it, so it needs no lock.
	acts map[int]int
	// plan, when the run resumes, is where this flow stood in the records:
	// each fork activation of the flow that was in flight, by node and act.
	plan *flowPlan
}

// branchPath is the path of branch i of the act-th activation of the fork
// at node on parent: "plan@1:0", and nested "plan@1:0/fetch@2:1".
func branchPath(parent, node string, act, i int) string {
	p := node + "@" + strconv.Itoa(act) + ":" + strconv.Itoa(i)
	if parent == "" {
		return p
	}
	return parent + "/" + p
}

// Path is the branch's flow path: "" for the main flow; for branch i of the
// k-th activation (from 1) of the fork at node "plan" on the main flow,
// "plan@k:i"; nested forks add "/" and their own segment. Paths follow from
// the graph and the order of events on each flow, never from scheduling, so
// a resumed run gives every flow the path it had. Runs without a store do
// not track paths: then Path is "" everywhere.
func (b Branch) Path() string {
	if b.flow == nil {
		return ""
	}
	return b.flow.path
}

// nextAct returns the number of this activation of the fork at node on f.
func (f *flow) nextAct(node int) int {
	if f.acts == nil {
		f.acts = make(map[int]int, 1)
	}
	f.acts[node]++
	return f.acts[node]
}
