package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Fingerprint identifies what a recorded thread of g depends on: the
// graph's name, its nodes and their kinds, every edge with its labels,
// forks, interrupts and checkpoint setting, and state, a description of
// the state's encoded shape (see typecheck.Shape). Docs, positions and the
// order of keys in the spec do not count. It is 16 hex digits of a SHA-256.
func Fingerprint(g *Graph, state string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph %s\nstate %s\n", g.Name, state)
	name := func(n *Node) string {
		if n == nil {
			return "__end__"
		}
		return n.Name
	}
	fmt.Fprintf(&b, "entry %s\n", name(g.Entry))
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "node %s fan_in=%t %s", n.Name, n.FanIn, n.Kind)
		switch n.Kind {
		case Plain:
			fmt.Fprintf(&b, " -> %s", name(n.Next))
		case Cond:
			for _, c := range n.Cases {
				fmt.Fprintf(&b, " %s:%s", c.Label, name(c.Target))
			}
		case Parallel:
			fmt.Fprintf(&b, " fork")
			if m := n.Fork.Map; m != nil {
				fmt.Fprintf(&b, " map over=%s items=%s", m.Over, m.Items)
			}
			if n.Fork.Select {
				fmt.Fprintf(&b, " select")
			}
			for _, br := range n.Fork.Branches {
				fmt.Fprintf(&b, " %s", br.Name)
			}
			fmt.Fprintf(&b, " -> %s", n.Fork.FanIn.Name)
		}
		b.WriteString("\n")
	}
	for _, n := range g.Config.InterruptBefore {
		fmt.Fprintf(&b, "interrupt before %s\n", n.Name)
	}
	for _, n := range g.Config.InterruptAfter {
		fmt.Fprintf(&b, "interrupt after %s\n", n.Name)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
