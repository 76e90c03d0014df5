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
// edge leads straight to the fan-in, with nothing to resume after it.
func (e *emitter) simpleBranch(f *graph.Fork, br *graph.Node) bool {
	return f.Map == nil && br.Kind == graph.Plain && br.JoinOf == nil && br.Next == f.FanIn && !e.hasAfter(br)
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
//	func (j *researchJoinMerge) startSearch(ctx context.Context, in runtime.Branch) (result error) {
//		g, x, n := j.g, j.x, researchNodeSearch
//		defer x.Recover(&n, &result)
//		var err error
//		st := researchCopyState(j.fork)
//		s := &st
//		var out State
//		... the run of search (see call) and x.Leave (see leave), to merge ...
//		j.mu.Lock()
//		defer j.mu.Unlock()
//		if j.arrived[0] {
//			return errors.New("graphc: a branch delivered to \"merge\" twice")
//		}
//		j.arrived[0] = true
//		j.in.Search = st
//		j.x.Arrived(in, researchNodeMerge, st)
//		return nil
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
// branchStarts): the node's case of the branch flow (see flow, call and
// leave), with the flow's names (g, x, in, n, s, out), then the delivery.
// One function, so that the branch path holds one frame between
// RunBranch and the handler.
func (e *emitter) branchStartMethods(f *graph.Fork) {
	jt := e.joinType(f)
	for i, br := range f.Branches {
		if !e.simpleBranch(f, br) {
			continue
		}
		e.f.Comment(fmt.Sprintf("start%s runs branch %q from its entry on its own copy of the fork-time state and delivers the result.", br.GoName, br.Name))
		e.f.Func().Params(jen.Id("j").Op("*").Id(jt)).Id("start"+br.GoName).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("in").Add(rt("Branch"))).Params(jen.Id("result").Error()).BlockFunc(func(c *jen.Group) {
			c.List(jen.Id("g"), jen.Id("x"), jen.Id("n")).Op(":=").List(jen.Id("j").Dot("g"), jen.Id("j").Dot("x"), jen.Id(e.nodeConst(br)))
			c.Defer().Id("x").Dot("Recover").Call(jen.Op("&").Id("n"), jen.Op("&").Id("result"))
			c.Var().Err().Error().Comment("the branch's error; result is set by the return, and by Recover on a panic (see flow)")
			c.Id("st").Op(":=").Add(e.copyOf(jen.Id("j").Dot("fork")))
			c.Id("s").Op(":=").Op("&").Id("st")
			c.Var().Id("out").Add(e.stateT()).Comment("what the node returned")
			e.startMethod = true
			e.call(c, br)
			e.leave(c, br, jen.Id(e.nodeConst(f.FanIn)), nil)
			e.startMethod = false
			c.Id("j").Dot("mu").Dot("Lock").Call()
			c.Defer().Id("j").Dot("mu").Dot("Unlock").Call()
			c.If(jen.Id("j").Dot("arrived").Index(jen.Lit(i))).Block(
				jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("graphc: a branch delivered to %q twice", f.FanIn.Name)))),
			)
			c.Id("j").Dot("arrived").Index(jen.Lit(i)).Op("=").True()
			c.Id("j").Dot("in").Dot(br.GoName).Op("=").Id("st")
			c.Id("j").Dot("x").Dot("Arrived").Call(jen.Id("in"), jen.Id(e.nodeConst(f.FanIn)), jen.Id("st"))
			c.Return(jen.Nil())
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
