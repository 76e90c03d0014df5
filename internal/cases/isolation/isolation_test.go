package isolation

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/graphc/graphc/runtime"
)

// ledger runs the first input of issue 9: a fork over a big.Int (that once
// held a much larger value, so its digits have room to be written in place)
// and a bytes.Buffer.
type ledger struct{ got SettleBranches }

func (*ledger) Open(_ context.Context, s Ledger) (Ledger, error) {
	s.Total.SetInt64(5)
	s.Log.WriteString("open")
	return s, nil
}

func (*ledger) Left(_ context.Context, s Ledger) (Ledger, error) {
	s.Total.Add(s.Total, big.NewInt(1))
	s.Log.WriteString("|left")
	return s, nil
}

func (*ledger) Right(_ context.Context, s Ledger) (Ledger, error) {
	s.Total.Add(s.Total, big.NewInt(100))
	s.Log.WriteString("|right")
	return s, nil
}

func (l *ledger) Settle(_ context.Context, s Ledger, in SettleBranches) (Ledger, error) {
	l.got = in
	return s, nil
}

func TestLedgerBranchesShareNothing(t *testing.T) {
	for range 20 {
		huge, _ := new(big.Int).SetString(strings.Repeat("9", 200), 10)
		h := &ledger{}
		s, err := NewLedgerGraph(h).Invoke(t.Context(), Ledger{Total: huge})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what  string
			s     *Ledger
			total int64
			log   string
		}{
			{"fork-time", &s, 5, "open"},
			{"left", &h.got.Left, 6, "open|left"},
			{"right", &h.got.Right, 105, "open|right"},
		} {
			if c.s.Total.Cmp(big.NewInt(c.total)) != 0 || c.s.Log.String() != c.log {
				t.Fatalf("%s state: total %v, log %q; want %d, %q", c.what, c.s.Total, c.s.Log.String(), c.total, c.log)
			}
		}
	}
}

// tree runs the second input of issue 9: a tree whose kid points back at
// the root, and branches that each add a kid.
type tree struct{ got MergeBranches }

func (*tree) Grow(_ context.Context, s Tree) (Tree, error) {
	s.Root = &Item{Name: "root"}
	s.Root.Kids = []*Item{{Name: "kid", Parent: s.Root}}
	return s, nil
}

func adopt(s Tree, name string) Tree {
	s.Root.Kids = append(s.Root.Kids, &Item{Name: name, Parent: s.Root})
	s.Root.Kids[0].Name += "+" + name
	return s
}

func (*tree) Left(_ context.Context, s Tree) (Tree, error)  { return adopt(s, "left"), nil }
func (*tree) Right(_ context.Context, s Tree) (Tree, error) { return adopt(s, "right"), nil }

func (t *tree) Merge(_ context.Context, s Tree, in MergeBranches) (Tree, error) {
	t.got = in
	return s, nil
}

// names lists the kids of root, checking that each points back at it.
func names(t *testing.T, what string, root *Item) string {
	t.Helper()
	var ns []string
	for _, k := range root.Kids {
		if k.Parent != root {
			t.Errorf("%s: kid %s has parent %p, want the root %p", what, k.Name, k.Parent, root)
		}
		ns = append(ns, k.Name)
	}
	return strings.Join(ns, ",")
}

func TestTreeCycleIsCopied(t *testing.T) {
	for range 20 {
		h := &tree{}
		s, err := NewTreeGraph(h).Invoke(t.Context(), Tree{})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(t, "fork-time", s.Root); got != "kid" {
			t.Errorf("fork-time kids: %s, want kid", got)
		}
		if got := names(t, "left", h.got.Left.Root); got != "kid+left,left" {
			t.Errorf("left kids: %s, want kid+left,left", got)
		}
		if got := names(t, "right", h.got.Right.Root); got != "kid+right,right" {
			t.Errorf("right kids: %s, want kid+right,right", got)
		}
		if h.got.Left.Root == s.Root || h.got.Right.Root == s.Root || h.got.Left.Root == h.got.Right.Root {
			t.Error("branches share the root")
		}
	}
}

// fragile breaks the copy of its state at the fork.
type fragile struct{}

func (fragile) Fork(_ context.Context, s Fragile) (Fragile, error) {
	s.Notes = []string{"break"}
	return s, nil
}
func (fragile) Left(_ context.Context, s Fragile) (Fragile, error)  { return s, nil }
func (fragile) Right(_ context.Context, s Fragile) (Fragile, error) { return s, nil }
func (fragile) Bust(_ context.Context, s Fragile, _ BustBranches) (Fragile, error) {
	return s, nil
}

// A Clone method that panics ends the run with a *runtime.NodeError naming
// the branch's entry node, holding the panic: the process goes on.
func TestClonePanicIsANodeError(t *testing.T) {
	_, err := NewFragileGraph(fragile{}).Invoke(t.Context(), Fragile{})
	var ne *runtime.NodeError
	var pe *runtime.PanicError
	if !errors.As(err, &ne) || !errors.As(err, &pe) {
		t.Fatalf("Invoke: %v (%T), want a *runtime.NodeError holding a *runtime.PanicError", err, err)
	}
	if ne.Node != "left" && ne.Node != "right" {
		t.Errorf("NodeError.Node = %q, want a branch entry", ne.Node)
	}
	if !strings.Contains(err.Error(), "broken on purpose") {
		t.Errorf("the panic value is lost: %v", err)
	}
}
