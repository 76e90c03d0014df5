package golang

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen/graph"
)

// A branch goroutine's stack starts small; when it grows, the runtime
// copies it and, for every frame on it, decodes the pc tables of the
// function from its entry up to the frame's pc (the garbage collector does
// the same to scan it). The flow of a fork's branches is one function with
// a case per node, so a wide fork makes it huge (about 540 KB of code for
// 1000 branches), and a branch whose handler grows the stack paid for
// decoding it up to its own case: 96 µs per branch at W=1000 against
// 1.4 µs by hand. So a branch that is a single node, straight to the
// fan-in, starts in a small function of its own, found in a table by the
// branch's index: its frames on the goroutine's stack are that function,
// and the handler, whatever the fork's width.

// simpleBranch reports whether branch entry br of fork f is one node whose
// edge leads straight to the fan-in, with no interrupt before it and
// nothing to resume after it.
func (e *emitter) simpleBranch(f *graph.Fork, br *graph.Node) bool {
	return f.Map == nil && br.Kind == graph.Plain && br.JoinOf == nil && br.Next == f.FanIn && !e.hasAfter(br) && !e.interrupts(br, false)
}

// startsVar is the table of fork f's branch starts, by branch index.
func (e *emitter) startsVar(f *graph.Fork) string { return e.pfx + "Starts" + f.From.GoName }

// branchStarts emits, for each simple branch of fork f, the method that
// runs it from its entry on its own copy of the fork-time state and
// delivers the result (start<Entry>), and the table RunBranch dispatches on:
//
//	var researchStartsPlan = [2]func(*researchJoinMerge, context.Context, runtime.Branch) error{
//		(*researchJoinMerge).startSearch, // a simple branch
//		(*researchJoinMerge).startAny,    // any other: the branch flow from its entry
//	}
//
// Nothing is emitted when no branch of f is simple (see anySimple).
func (e *emitter) branchStarts(f *graph.Fork) {
	if !e.anySimple(f) {
		return
	}
	jt := e.joinType(f)
	sig := []jen.Code{jen.Op("*").Id(jt), jen.Qual("context", "Context"), rt("Branch")}
	e.f.Comment(fmt.Sprintf("%s starts each branch of the fork at %q from its entry, by branch index (see RunBranch).", e.startsVar(f), f.From.Name))
	e.f.Var().Id(e.startsVar(f)).Op("=").Index(jen.Lit(len(f.Branches))).Func().Params(sig...).Error().ValuesFunc(func(g *jen.Group) {
		for _, br := range f.Branches {
			m := "startAny"
			if e.simpleBranch(f, br) {
				m = "start" + br.GoName
			}
			g.Line().Parens(jen.Op("*").Id(jt)).Dot(m)
		}
		g.Line()
	})
	e.f.Line()

	all := true
	for _, br := range f.Branches {
		all = all && e.simpleBranch(f, br)
	}
	if !all {
		e.startAny(f)
	}
	e.branchStartMethods(f)
}

// startAny emits the start of the branches of f that are not simple.
func (e *emitter) startAny(f *graph.Fork) {
	jt := e.joinType(f)
	e.f.Comment(fmt.Sprintf("startAny runs branch b, which is not a single node, from its entry with %s.", branchMethod(f)))
	e.f.Func().Params(jen.Id("j").Op("*").Id(jt)).Id("startAny").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("b").Add(rt("Branch"))).Error().Block(
		jen.Return(jen.Id("j").Dot("run").Call(jen.Id("ctx"), jen.Id("b"), jen.Id(e.forkVar(f)).Dot("Entries").Index(jen.Id("b").Dot("Index")), jen.Nil())),
	)
	e.f.Line()
}

// branchStartMethods emits start<Entry> for each simple branch of f (see
// branchStarts). A run with hooks or an observer takes the general path,
// run; any other calls the handler on a copy of the fork-time state and
// delivers what it returns:
//
//	func (j *researchJoinMerge) startSearch(ctx context.Context, in runtime.Branch) error {
//		x, n := j.x, researchNodeSearch
//		if x.Hooked() || x.Observed() {
//			return j.run(ctx, in, n, nil)
//		}
//		if err := x.Enter(ctx, in, n); err != nil {
//			return err
//		}
//		s, err := j.g.h.Search(ctx, j.fresh()) // j.fork if the copy is an assignment
//		if err != nil {
//			return x.Fail(n, err)
//		}
//		return j.deliver(in, &s)
//	}
//
// A node with a policy is called through the runtime (see callVia), on a
// local copy: st := ...; s, err := j.g.callSearch(ctx, x, in, &st).
//
// The branch's goroutine runs this frame under the handler's, and whatever
// the handler calls has to fit on the goroutine's first stack with it: the
// start holds nothing the fast path does not need (a frame of 448 bytes
// that held the flow's locals, Leave's and the delivery's made a branch
// that allocates outgrow its stack at W=1000). It defers no Recover: the
// runtime's branch (see runtime.Fork) recovers a panic of the branch as
// the error of its entry node, which is this node, as Recover would.
func (e *emitter) branchStartMethods(f *graph.Fork) {
	jt := e.joinType(f)
	for _, br := range f.Branches {
		if !e.simpleBranch(f, br) {
			continue
		}
		e.f.Comment(fmt.Sprintf("start%s runs branch %q from its entry on its own copy of the fork-time state and delivers the result.", br.GoName, br.Name))
		e.f.Func().Params(jen.Id("j").Op("*").Id(jt)).Id("start"+br.GoName).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("in").Add(rt("Branch"))).Error().BlockFunc(func(c *jen.Group) {
			c.List(jen.Id("x"), jen.Id("n")).Op(":=").List(jen.Id("j").Dot("x"), jen.Id(e.nodeConst(br)))
			c.If(jen.Id("x").Dot("Hooked").Call().Op("||").Id("x").Dot("Observed").Call()).Block(
				jen.Return(jen.Id("j").Dot("run").Call(jen.Id("ctx"), jen.Id("in"), jen.Id("n"), jen.Nil())),
			)
			c.If(jen.Err().Op(":=").Id("x").Dot("Enter").Call(jen.Id("ctx"), jen.Id("in"), jen.Id("n")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Err()),
			)
			if br.Policy != nil {
				c.Id("st").Op(":=").Add(e.forkCopy())
				c.List(jen.Id("s"), jen.Err()).Op(":=").Add(e.callVia(jen.Id("j").Dot("g"), br, false, jen.Op("&").Id("st")))
			} else {
				c.List(jen.Id("s"), jen.Err()).Op(":=").Id("j").Dot("g").Dot("h").Dot(br.GoName).Call(jen.Id("ctx"), e.forkCopy())
			}
			c.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("n"), jen.Err())))
			c.Return(jen.Id("j").Dot("deliver").Call(jen.Id("in"), jen.Op("&").Id("s")))
		})
		e.f.Line()
	}
}

// anySimple reports whether a branch of fork f is simple (see simpleBranch).
func (e *emitter) anySimple(f *graph.Fork) bool {
	for _, br := range f.Branches {
		if e.simpleBranch(f, br) {
			return true
		}
	}
	return false
}

// runBranch emits the RunBranch of a fork with a simple branch: a branch
// that starts at its entry goes through the table of starts, any other
// (a resumed one) through run, the general path:
//
//	func (j *researchJoinMerge) RunBranch(ctx context.Context, b runtime.Branch, n int, r *State) error {
//		if r == nil && n == researchForkPlan.Entries[b.Index] {
//			return researchStartsPlan[b.Index](j, ctx, b)
//		}
//		return j.run(ctx, b, n, r)
//	}
func (e *emitter) runBranch(f *graph.Fork) {
	e.f.Comment(fmt.Sprintf("RunBranch runs branch b of the fork at %q from node n (its entry, or where a resumed branch stood) to %q, on r or else on its own copy of the fork-time state, then delivers the result.", f.From.Name, f.FanIn.Name))
	e.f.Func().Params(jen.Id("j").Op("*").Id(e.joinType(f))).Id("RunBranch").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("b").Add(rt("Branch")), jen.Id("n").Int(), jen.Id("r").Op("*").Add(e.stateT()),
	).Error().Block(
		jen.If(jen.Id("r").Op("==").Nil().Op("&&").Id("n").Op("==").Id(e.forkVar(f)).Dot("Entries").Index(jen.Id("b").Dot("Index"))).Block(
			jen.Return(jen.Id(e.startsVar(f)).Index(jen.Id("b").Dot("Index")).Call(jen.Id("j"), jen.Id("ctx"), jen.Id("b"))),
		),
		jen.Return(jen.Id("j").Dot("run").Call(jen.Id("ctx"), jen.Id("b"), jen.Id("n"), jen.Id("r"))),
	)
	e.f.Line()
}
