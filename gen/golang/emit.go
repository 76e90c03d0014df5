package golang

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen/graph"
)

// Unexported identifiers all start with the lower-camel graph name and a
// word that no other kind uses (Node, Fork, Join, End, Names), so nodes with
// any names do not collide within a graph; between graphs of one package,
// the driver compares what each declares (see Helpers).

func (e *emitter) nodeConst(n *graph.Node) string  { return e.pfx + "Node" + n.GoName }
func (e *emitter) endConst() string                { return e.pfx + "End" }
func (e *emitter) namesVar() string                { return e.pfx + "Names" }
func (e *emitter) forkVar(f *graph.Fork) string    { return e.pfx + "Fork" + f.From.GoName }
func (e *emitter) joinType(f *graph.Fork) string   { return e.pfx + "Join" + f.FanIn.GoName }
func (e *emitter) graphVar() string                { return e.pfx + "Graph" }
func (e *emitter) afterConst(n *graph.Node) string { return e.pfx + "After" + n.GoName }

// hasAfter reports whether node n has an "after" entry: a case of its flow
// where a resumed run continues once n has run, to take its edge. Fork
// nodes have one (a run resumes inside their fork), and so do nodes that
// interrupt after themselves (their edge is taken after the resume).
func (e *emitter) hasAfter(n *graph.Node) bool {
	return n.Kind == graph.Parallel || e.interrupts(n, true)
}

// interrupts reports whether the run pauses before (or, with after, after) n.
func (e *emitter) interrupts(n *graph.Node, after bool) bool {
	list := e.g.Config.InterruptBefore
	if after {
		list = e.g.Config.InterruptAfter
	}
	for _, m := range list {
		if m == n {
			return true
		}
	}
	return false
}

// Methods of the executor type: route<Node>, branch<Fork>, run.
func routeMethod(n *graph.Node) string  { return "route" + n.GoName }
func branchMethod(f *graph.Fork) string { return "branch" + f.From.GoName }

// target is the constant a transition to n (nil: __end__) assigns.
func (e *emitter) target(n *graph.Node) *jen.Statement {
	if n == nil {
		return jen.Id(e.endConst())
	}
	return jen.Id(e.nodeConst(n))
}

// ctxParams are the parameters every flow and node method takes:
//
//	ctx context.Context, x *runtime.Exec[State], in runtime.Branch
//
// but the main flow, whose in is a local (see flow).
func (e *emitter) ctxParams() []jen.Code {
	return append(e.runParams(), jen.Id("in").Add(rt("Branch")))
}

// runParams are ctxParams without in: ctx context.Context, x *runtime.Exec[State].
func (e *emitter) runParams() []jen.Code {
	return []jen.Code{
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("x").Add(e.execT()),
	}
}

// valT is what node n's handler takes and returns: the state, or, for a
// node of a map's per-item flow, the item.
func (e *emitter) valT(n *graph.Node) *jen.Statement {
	if n.IsItem() {
		return e.itemT(n.Region)
	}
	return e.stateT()
}

// regionT is what the flows of region f run on (nil: the main flow).
func (e *emitter) regionT(f *graph.Fork) *jen.Statement {
	if f != nil && f.Map != nil {
		return e.itemT(f)
	}
	return e.stateT()
}

// itemT is the item type of map f.
func (e *emitter) itemT(f *graph.Fork) *jen.Statement { return jen.Add(e.in.Items[f].Type) }

// arg is the name of node n's handler parameter: d for an item, s for the state.
func (e *emitter) arg(n *graph.Node) string {
	if n.IsItem() {
		return "d"
	}
	return "s"
}

func (e *emitter) state() {
	if len(e.in.InlineFields) == 0 {
		return
	}
	st := e.g.State
	e.f.Add(doc(fmt.Sprintf("%s is the state of the %s graph, declared in %s.", st.Type, e.g.Name, e.in.Source)))
	e.f.Type().Id(st.Type).StructFunc(func(g *jen.Group) {
		for _, fd := range e.in.InlineFields {
			g.Add(doc(fd.Doc))
			g.Id(fd.Name).Add(fd.Type)
		}
	})
	e.f.Line()
}

func (e *emitter) handlers() {
	g := e.g
	e.f.Add(doc(
		fmt.Sprintf("%sHandlers are the node handlers of the %s graph: implement them and pass them to New%s.", g.Name, g.Name, g.Name),
		g.Doc,
	))
	e.f.Type().Id(g.Name + "Handlers").InterfaceFunc(func(ig *jen.Group) {
		for _, n := range g.Nodes {
			what := fmt.Sprintf("%s runs node %q.", n.GoName, n.Name)
			arg := e.arg(n)
			params := []jen.Code{jen.Id("ctx").Qual("context", "Context"), jen.Id(arg).Add(e.valT(n))}
			if n.IsItem() {
				what = fmt.Sprintf("%s runs node %q on one item of the map at %q, on its own copy of the item.", n.GoName, n.Name, n.Region.From.Name)
			}
			if f := n.JoinOf; f != nil {
				what = fmt.Sprintf("%s runs fan-in %q once every branch forked at %q has arrived: s is the state %q returned, in what each branch ended with.", n.GoName, n.Name, f.From.Name, f.From.Name)
				if f.Map != nil {
					what = fmt.Sprintf("%s runs fan-in %q once every item mapped at %q has arrived (at once for no items): s is the state %q returned, in the items as their flows ended, in input order.", n.GoName, n.Name, f.From.Name, f.From.Name)
				}
				params = append(params, jen.Id("in").Id(f.BranchesType))
			}
			ig.Add(doc(what, n.Doc))
			ig.Id(n.GoName).Params(params...).Params(e.valT(n), jen.Error())
			if n.Kind == graph.Cond {
				ig.Add(doc(fmt.Sprintf("%s picks the edge out of %q, given the %s %s returned.", n.RouteMethod, n.Name, map[bool]string{true: "item", false: "state"}[n.IsItem()], n.GoName)))
				ig.Id(n.RouteMethod).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id(arg).Add(e.valT(n))).Params(jen.Id(n.RouteType), jen.Error())
			}
			if f := n.Fork; f != nil && f.Map != nil && f.Map.ItemsMethod != "" {
				ig.Add(doc(fmt.Sprintf("%s builds the items that the map at %q runs through %q, given the state %s returned; each item's flow sees only its item. More than %d items fail the run (max_items).", f.Map.ItemsMethod, n.Name, f.Branches[0].Name, n.GoName, f.Map.MaxItems)))
				ig.Id(f.Map.ItemsMethod).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT())).Params(jen.Index().Add(e.itemT(f)), jen.Error())
			}
			if f := n.Fork; f != nil && f.Select {
				ig.Add(doc(fmt.Sprintf("%s picks which branches forked at %q run, given the state %s returned; the others never run and hold their zero value in %s (see its Ran). With none, %q runs at once.", f.SelectMethod(), n.Name, n.GoName, f.BranchesType, f.FanIn.Name)))
				ig.Id(f.SelectMethod()).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT())).Params(jen.Id(f.SetType), jen.Error())
			}
		}
	})
	e.f.Line()
}

// routes emits, per conditional node (nodes holds no other), its enum:
//
//	type ReviewRoute uint8
//	const ( ReviewRevise ReviewRoute = iota + 1; ReviewDone )
//	func (r ReviewRoute) String() string { switch r { case ReviewRevise: return "revise" ... } }
func (e *emitter) routes(nodes []*graph.Node) {
	for _, n := range nodes {
		e.f.Add(doc(fmt.Sprintf("%s is a label of the conditional edge out of node %q, returned by %sHandlers.%s. Its zero value is no label.", n.RouteType, n.Name, e.g.Name, n.RouteMethod)))
		e.f.Type().Id(n.RouteType).Uint8()
		e.f.Line()
		e.f.Const().DefsFunc(func(g *jen.Group) {
			for i, c := range n.Cases {
				g.Add(doc(fmt.Sprintf("%s (%q) %s.", c.Const, c.Label, describeTarget(c.Target, n))))
				if i == 0 {
					g.Id(c.Const).Id(n.RouteType).Op("=").Iota().Op("+").Lit(1)
				} else {
					g.Id(c.Const)
				}
			}
		})
		e.f.Line()
		e.f.Comment("String returns the label as written in the spec.")
		e.f.Func().Params(jen.Id("r").Id(n.RouteType)).Id("String").Params().String().Block(
			jen.Switch(jen.Id("r")).BlockFunc(func(g *jen.Group) {
				for _, c := range n.Cases {
					g.Case(jen.Id(c.Const)).Return(jen.Lit(c.Label))
				}
			}),
			jen.Return(jen.Lit(n.RouteType+"(").Op("+").Qual("strconv", "Itoa").Call(jen.Int().Call(jen.Id("r"))).Op("+").Lit(")")),
		)
		e.f.Line()
	}
}

func describeTarget(t *graph.Node, from *graph.Node) string {
	switch {
	case t == nil:
		return "ends the run"
	case from.Region != nil && t == from.Region.FanIn:
		return fmt.Sprintf("ends the branch at fan-in %q", t.Name)
	}
	return fmt.Sprintf("goes to %q", t.Name)
}

func (e *emitter) branchesTypes(forks []*graph.Fork) {
	for _, f := range forks {
		if f.Map != nil {
			e.itemsType(f)
			continue
		}
		if f.Select {
			e.setType(f)
		}
		e.f.Add(doc(fmt.Sprintf("%s holds what each branch forked at %q ended with when it reached fan-in %q.", f.BranchesType, f.From.Name, f.FanIn.Name)))
		e.f.Type().Id(f.BranchesType).StructFunc(func(g *jen.Group) {
			for _, b := range f.Branches {
				g.Add(doc(fmt.Sprintf("%s is the state of the branch that started at %q.", b.GoName, b.Name)))
				g.Id(b.GoName).Add(e.stateT())
			}
			if f.Select {
				g.Line()
				g.Id("ran").Id(f.SetType).Comment("the branches " + f.SelectMethod() + " picked")
			}
		})
		e.f.Line()
		if f.Select {
			// func (b *MergeBranches) Ran() PlanSet { return b.ran }
			e.f.Comment(fmt.Sprintf("Ran returns the branches that ran: those %s picked. The others hold the zero %s.", f.SelectMethod(), e.g.State.Type))
			e.f.Func().Params(jen.Id("b").Op("*").Id(f.BranchesType)).Id("Ran").Params().Id(f.SetType).Block(jen.Return(jen.Id("b").Dot("ran")))
			e.f.Line()
		}
		// func (b *MergeBranches) All() iter.Seq2[string, State] {
		//	return func(yield func(string, State) bool) {
		//		_ = yield("search_web", b.SearchWeb) && yield("search_papers", b.SearchPapers)
		//	}
		// }
		e.f.Comment("All yields each branch's entry node and final state, in the order of the parallel edge.")
		e.f.Func().Params(jen.Id("b").Op("*").Id(f.BranchesType)).Id("All").Params().Qual("iter", "Seq2").Types(jen.String(), e.stateT()).Block(
			jen.Return(jen.Func().Params(jen.Id("yield").Func().Params(jen.String(), e.stateT()).Bool()).BlockFunc(func(g *jen.Group) {
				var calls []jen.Code
				for _, br := range f.Branches {
					calls = append(calls, jen.Id("yield").Call(jen.Lit(br.Name), jen.Id("b").Dot(br.GoName)))
				}
				chain := jen.Add(calls[0])
				for _, c := range calls[1:] {
					chain = chain.Op("&&").Line().Add(c)
				}
				g.Id("_").Op("=").Add(chain)
			})),
		)
		e.f.Line()
	}
}

// itemsType emits the results of map f, as its fan-in receives them:
//
//	type CombineItems struct {
//		Docs []Doc
//	}
func (e *emitter) itemsType(f *graph.Fork) {
	from := "the state's " + f.Map.Over
	if f.Map.Over == "" {
		from = f.Map.ItemsMethod
	}
	e.f.Add(doc(fmt.Sprintf("%s holds what each item mapped at %q ended with when its flow reached fan-in %q.", f.BranchesType, f.From.Name, f.FanIn.Name)))
	e.f.Type().Id(f.BranchesType).Struct(
		doc(fmt.Sprintf("%s holds one result per item of %s, in input order: element i is item i as its flow ended.", f.Map.Field, from)),
		jen.Id(f.Map.Field).Index().Add(e.itemT(f)),
	)
	e.f.Line()
}

// setType emits the bit set a select fork's handler returns:
//
//	type PlanSet uint64
//	const ( PlanSetSearchWeb PlanSet = 1 << iota; PlanSetSearchPapers )
//	func (s PlanSet) Has(b PlanSet) bool { return s&b == b }
func (e *emitter) setType(f *graph.Fork) {
	e.f.Add(doc(fmt.Sprintf("%s is a set of the branches forked at %q, returned by %sHandlers.%s: combine its constants with |. Its zero value is no branch.", f.SetType, f.From.Name, e.g.Name, f.SelectMethod())))
	e.f.Type().Id(f.SetType).Uint64()
	e.f.Line()
	e.f.Const().DefsFunc(func(g *jen.Group) {
		for i, b := range f.Branches {
			g.Add(doc(fmt.Sprintf("%s is the branch that starts at %q.", f.SetType+b.GoName, b.Name)))
			if i == 0 {
				g.Id(f.SetType + b.GoName).Id(f.SetType).Op("=").Lit(1).Op("<<").Iota()
			} else {
				g.Id(f.SetType + b.GoName)
			}
		}
	})
	e.f.Line()
	e.f.Comment("Has reports whether every branch of b is in the set.")
	e.f.Func().Params(jen.Id("s").Id(f.SetType)).Id("Has").Params(jen.Id("b").Id(f.SetType)).Bool().Block(
		jen.Return(jen.Id("s").Op("&").Id("b").Op("==").Id("b")),
	)
	e.f.Line()
}

func (e *emitter) executor() {
	g := e.g
	name := g.Name
	e.f.Add(doc(
		fmt.Sprintf("%s runs the graph declared in %s. Create it with New%s; it is safe for concurrent use.", name, e.in.Source, name),
		g.Doc,
	))
	e.f.Type().Id(name).Struct(
		jen.Id("h").Id(name+"Handlers"),
		jen.Id("opts").Add(rt("Options")),
	)
	e.f.Line()

	policy := "Cancel"
	if g.Config.OnBranchError == graph.Wait {
		policy = "Wait"
	}
	workers := "one goroutine per branch"
	if g.Config.MaxWorkers > 0 {
		workers = fmt.Sprintf("at most %d branch goroutines", g.Config.MaxWorkers)
	}
	steps := g.Config.MaxSteps
	if steps == 0 {
		steps = 10000 // runtime.DefaultMaxSteps
	}
	e.f.Add(doc(fmt.Sprintf("New%s returns an executor for h. The spec's config is the default — %s, %d steps per run, on_branch_error %s — and opts override it, as do the options of each call.",
		name, workers, steps, g.Config.OnBranchError)))
	e.f.Func().Id("New"+name).Params(jen.Id("h").Id(name+"Handlers"), jen.Id("opts").Op("...").Add(rt("Option"))).Op("*").Id(name).Block(
		jen.Id("o").Op(":=").Add(rt("Options")).Values(jen.Dict{
			jen.Id("MaxWorkers"):    jen.Lit(g.Config.MaxWorkers),
			jen.Id("MaxSteps"):      jen.Lit(g.Config.MaxSteps),
			jen.Id("OnBranchError"): rt(policy),
		}),
		jen.Return(jen.Op("&").Id(name).Values(jen.Dict{
			jen.Id("h"):    jen.Id("h"),
			jen.Id("opts"): jen.Id("o").Dot("Apply").Call(jen.Id("opts").Op("...")),
		})),
	)
	e.f.Line()

	// func WithResearchObserver(fn func(runtime.Event[State])) runtime.Option { return runtime.WithObserver(fn) }
	e.f.Add(doc(fmt.Sprintf("With%sObserver returns an option that calls fn with every event of a run, synchronously, from the goroutine the event happened on (so fn must be safe for concurrent use). Unlike runtime.WithObserver, a function for another state type does not compile.", name)))
	e.f.Func().Id("With" + name + "Observer").Params(jen.Id("fn").Func().Params(rt("Event").Types(e.stateT()))).Add(rt("Option")).Block(
		jen.Return(rt("WithObserver").Call(jen.Id("fn"))),
	)
	e.f.Line()

	recv := func() *jen.Statement { return jen.Func().Params(jen.Id("g").Op("*").Id(name)) }
	e.f.Add(doc(
		fmt.Sprintf("Invoke runs the graph on s from node %q until it reaches __end__, and returns the final state.", g.Entry.Name),
		"On failure the error names the node (see runtime.NodeError) and the state is the last one the main flow completed.",
		e.invokeDurableDoc(),
	))
	// var x runtime.Exec[State]
	// ctx, err := x.Open(ctx, &g.opts, opts, &researchGraph, researchNodePlan, &s)
	// if err != nil { return s, err }
	// err = g.run(ctx, &x, researchNodePlan, &s)
	// return x.End(s, err)
	e.f.Add(recv().Id("Invoke").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT()), jen.Id("opts").Op("...").Add(rt("Option"))).Params(e.stateT(), jen.Error()).Block(
		jen.Var().Id("x").Add(rt("Exec")).Types(e.stateT()),
		jen.List(jen.Id("ctx"), jen.Err()).Op(":=").Id("x").Dot("Open").Call(
			jen.Id("ctx"),
			jen.Op("&").Id("g").Dot("opts"),
			jen.Id("opts"),
			jen.Op("&").Id(e.graphVar()),
			jen.Id(e.nodeConst(g.Entry)),
			jen.Op("&").Id("s"),
		),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("s"), jen.Err())),
		jen.Err().Op("=").Id("g").Dot("run").Call(jen.Id("ctx"), jen.Op("&").Id("x"), jen.Id(e.nodeConst(g.Entry)), jen.Op("&").Id("s")),
		jen.Return(jen.Id("x").Dot("End").Call(jen.Id("s"), jen.Err())),
	))
	e.f.Line()
	e.durable(recv)

	e.f.Add(doc(
		"Stream runs the graph like Invoke and yields its events as they happen: node started, node finished (with its state), fork, branch started, branch arrived (with what it delivered) or failed, join, and last Done with the final state and the run's error.",
		"Breaking out of the loop cancels the run. With nobody ranging over the result, nothing runs.",
	))
	// return runtime.Stream(ctx, func(ctx context.Context, observe runtime.Option) (State, error) {
	//	return g.Invoke(ctx, s, append(opts[:len(opts):len(opts)], observe)...)
	// })
	e.f.Add(recv().Id("Stream").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT()), jen.Id("opts").Op("...").Add(rt("Option"))).
		Qual("iter", "Seq2").Types(rt("Event").Types(e.stateT()), jen.Error()).Block(
		jen.Return(rt("Stream").Call(jen.Id("ctx"),
			jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("observe").Add(rt("Option"))).Params(e.stateT(), jen.Error()).Block(
				jen.Return(jen.Id("g").Dot("Invoke").Call(jen.Id("ctx"), jen.Id("s"),
					jen.Append(jen.Id("opts").Index(jen.Empty(), jen.Len(jen.Id("opts")), jen.Len(jen.Id("opts"))), jen.Id("observe")).Op("...")))),
		)),
	))
	e.f.Line()
}

// invokeDurableDoc is the paragraph of Invoke's doc on durable runs.
func (e *emitter) invokeDurableDoc() string {
	switch {
	case e.in.NoCheckpoints:
		return "The spec says checkpoints: false: the graph runs without a store, and refuses one."
	case len(e.g.Config.InterruptBefore)+len(e.g.Config.InterruptAfter) > 0:
		return "The graph pauses at interrupts, so it needs a store (runtime.WithStore) and a thread id (runtime.WithThread): it records the run as it goes, and at an interrupt returns the state so far with a *runtime.Interrupted; Resume continues the thread."
	}
	return "With a store (runtime.WithStore) and a thread id (runtime.WithThread) the run is durable: it records itself as it goes, and Resume continues it after a crash."
}

// durable emits Resume, Snapshot and With<Graph>Update.
func (e *emitter) durable(recv func() *jen.Statement) {
	g := e.g
	name := g.Name
	e.f.Add(doc(
		fmt.Sprintf("Resume continues thread, which a run of %s recorded in the store given with runtime.WithStore (to New%s or here), and returns the final state like Invoke.", name, name),
		"It rebuilds where every flow of the run stood from the records: a node whose completion was recorded never runs again; the node that was running when the run stopped (a crash, a failure) runs again, so handlers must tolerate running twice for one input (at-least-once per node). Branches that had delivered fill their join without running; started branches continue at their next node; the others start at their entry. A run that paused at an interrupt continues there, with the edit of With"+name+"Update applied first and recorded.",
		"Errors: runtime.ErrNoThread for a thread the store does not hold, *runtime.GraphChangedError for a thread recorded by another version of the graph, an error wrapping runtime.ErrConflict when another run took the thread over first. A thread that had finished is not run again: Resume returns its final state.",
	))
	// var x runtime.Exec[State]
	// var s State
	// n, err := x.Resume(ctx, g.opts.Apply(opts...), &researchGraph, thread, &s)
	// if err != nil || n == researchEnd { return s, err }
	// ctx = x.Begin(ctx)
	// err = g.run(ctx, &x, n, &s)
	// return x.End(s, err)
	e.f.Add(recv().Id("Resume").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("thread").String(), jen.Id("opts").Op("...").Add(rt("Option"))).Params(e.stateT(), jen.Error()).Block(
		jen.Var().Id("x").Add(rt("Exec")).Types(e.stateT()),
		jen.Var().Id("s").Add(e.stateT()),
		jen.List(jen.Id("n"), jen.Err()).Op(":=").Id("x").Dot("Resume").Call(
			jen.Id("ctx"),
			jen.Id("g").Dot("opts").Dot("Apply").Call(jen.Id("opts").Op("...")),
			jen.Op("&").Id(e.graphVar()),
			jen.Id("thread"),
			jen.Op("&").Id("s"),
		),
		jen.If(jen.Err().Op("!=").Nil().Op("||").Id("n").Op("==").Id(e.endConst())).Block(jen.Return(jen.Id("s"), jen.Err())),
		jen.Id("ctx").Op("=").Id("x").Dot("Begin").Call(jen.Id("ctx")),
		jen.Err().Op("=").Id("g").Dot("run").Call(jen.Id("ctx"), jen.Op("&").Id("x"), jen.Id("n"), jen.Op("&").Id("s")),
		jen.Return(jen.Id("x").Dot("End").Call(jen.Id("s"), jen.Err())),
	))
	e.f.Line()

	e.f.Add(doc(
		"ResumeStream resumes thread like Resume and yields the run's events as Stream does, starting with Resumed.",
	))
	e.f.Add(recv().Id("ResumeStream").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("thread").String(), jen.Id("opts").Op("...").Add(rt("Option"))).
		Qual("iter", "Seq2").Types(rt("Event").Types(e.stateT()), jen.Error()).Block(
		jen.Return(rt("Stream").Call(jen.Id("ctx"),
			jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("observe").Add(rt("Option"))).Params(e.stateT(), jen.Error()).Block(
				jen.Return(jen.Id("g").Dot("Resume").Call(jen.Id("ctx"), jen.Id("thread"),
					jen.Append(jen.Id("opts").Index(jen.Empty(), jen.Len(jen.Id("opts")), jen.Len(jen.Id("opts"))), jen.Id("observe")).Op("...")))),
		)),
	))
	e.f.Line()

	e.f.Add(doc(
		"Snapshot reads thread from the store without running anything: its status (running, paused, failed, done), the next main-flow node, the state, and each fork in flight with its branches (delivered, at a node, not started).",
		"Errors are those of Resume, except that no run is taken over.",
	))
	e.f.Add(recv().Id("Snapshot").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("thread").String(), jen.Id("opts").Op("...").Add(rt("Option"))).Params(rt("Snapshot").Types(e.stateT()), jen.Error()).Block(
		jen.Return(rt("LoadSnapshot").Types(e.stateT()).Call(jen.Id("ctx"), jen.Id("g").Dot("opts").Dot("Apply").Call(jen.Id("opts").Op("...")), jen.Op("&").Id(e.graphVar()), jen.Id("thread"))),
	))
	e.f.Line()

	e.f.Add(doc(fmt.Sprintf("With%sUpdate returns a Resume option that edits the paused state before the run continues; the edited state is recorded. After an interrupt after a node, the node's edge is taken on the edited state, so an edit can change the route. An error from fn fails Resume with nothing recorded.", name)))
	e.f.Func().Id("With" + name + "Update").Params(jen.Id("fn").Func().Params(jen.Id("s").Op("*").Add(e.stateT())).Error()).Add(rt("Option")).Block(
		jen.Return(rt("WithUpdate").Call(jen.Id("fn"))),
	)
	e.f.Line()
}

func (e *emitter) tables() {
	g := e.g
	e.f.Comment(e.endConst() + " stands for __end__ where a node identifier is expected.")
	e.f.Const().Id(e.endConst()).Op("=").Lit(-1)
	e.f.Line()
	e.f.Comment("Node identifiers: indexes into " + e.namesVar() + ".")
	e.f.Const().DefsFunc(func(d *jen.Group) {
		for i, n := range g.Nodes {
			if i == 0 {
				d.Id(e.nodeConst(n)).Op("=").Iota()
			} else {
				d.Id(e.nodeConst(n))
			}
		}
	})
	e.f.Line()
	e.f.Comment(e.namesVar() + " are the node names as written in the spec.")
	e.f.Var().Id(e.namesVar()).Op("=").Index(jen.Op("...")).String().ValuesFunc(func(v *jen.Group) {
		for _, n := range g.Nodes {
			v.Line().Id(e.nodeConst(n)).Op(":").Lit(n.Name)
		}
		v.Line()
	})
	e.f.Line()
	var afters []*graph.Node
	for _, n := range g.Nodes {
		if e.hasAfter(n) {
			afters = append(afters, n)
		}
	}
	if len(afters) > 0 {
		// researchAfterPlan = researchNodePlan + len(researchNames)
		e.f.Comment("After-entries: where a resumed flow continues once a node has run, to take its edge (see runtime.Exec.Resume).")
		e.f.Const().DefsFunc(func(d *jen.Group) {
			for _, n := range afters {
				d.Id(e.afterConst(n)).Op("=").Id(e.nodeConst(n)).Op("+").Len(jen.Id(e.namesVar()))
			}
		})
		e.f.Line()
	}
	e.f.Add(doc(fmt.Sprintf("%s describes the graph to the runtime; its fingerprint changes with the nodes, edges, forks, interrupts and the state's shape, so a thread recorded by another version of the graph is refused at resume.", e.graphVar())))
	e.f.Var().Id(e.graphVar()).Op("=").Add(rt("Graph")).Values(jen.DictFunc(func(d jen.Dict) {
		d[jen.Id("Name")] = jen.Lit(g.Name)
		d[jen.Id("Fingerprint")] = jen.Lit(e.in.Fingerprint)
		d[jen.Id("Names")] = jen.Id(e.namesVar()).Index(jen.Empty(), jen.Empty())
		if len(g.Forks) > 0 {
			d[jen.Id("Forks")] = jen.Index().Op("*").Add(rt("ForkSpec")).ValuesFunc(func(v *jen.Group) {
				for _, f := range g.Forks {
					v.Op("&").Id(e.forkVar(f))
				}
			})
		}
		if len(g.Config.InterruptBefore)+len(g.Config.InterruptAfter) > 0 {
			d[jen.Id("Interrupts")] = jen.True()
		}
		if e.in.NoCheckpoints {
			d[jen.Id("NoCheckpoints")] = jen.True()
		}
	}))
	e.f.Line()
	for _, f := range g.Forks {
		what := fmt.Sprintf("%s is the parallel edge from %q: its branches meet at %q.", e.forkVar(f), f.From.Name, f.FanIn.Name)
		if f.Map != nil {
			what = fmt.Sprintf("%s is the map edge from %q: each item runs from %q, and the items meet at %q.", e.forkVar(f), f.From.Name, f.Branches[0].Name, f.FanIn.Name)
		}
		fields := jen.Dict{
			jen.Id("Node"):  jen.Id(e.nodeConst(f.From)),
			jen.Id("FanIn"): jen.Id(e.nodeConst(f.FanIn)),
			jen.Id("Entries"): jen.Index().Int().ValuesFunc(func(v *jen.Group) {
				for _, b := range f.Branches {
					v.Id(e.nodeConst(b))
				}
			}),
		}
		if f.Map != nil {
			fields[jen.Id("Map")] = jen.True()
			fields[jen.Id("MaxItems")] = jen.Lit(f.Map.MaxItems)
		}
		if f.Select {
			fields[jen.Id("Select")] = jen.True()
		}
		e.f.Add(doc(what))
		e.f.Var().Id(e.forkVar(f)).Op("=").Add(rt("ForkSpec")).Values(fields)
		e.f.Line()
	}
}

// mainNodes are the nodes of the main flow that have a case in run (a
// fan-in runs in the case of its fork node).
func (e *emitter) mainNodes() []*graph.Node {
	var nodes []*graph.Node
	for _, n := range e.g.Nodes {
		if n.Region == nil && n.JoinOf == nil {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// flowSpec is one transition loop: the main flow's (region nil) or the
// branches' of a fork, its function's name and doc, and its nodes in the
// order of their cases (see chainOrder).
type flowSpec struct {
	name    string
	region  *graph.Fork
	order   []*graph.Node
	comment string
}

// mainFlow is run, the loop of the main flow.
func (e *emitter) mainFlow() flowSpec {
	return flowSpec{"run", nil, chainOrder(e.mainNodes(), nil),
		"run runs the main flow from node n until it reaches __end__, updating *s as each node returns."}
}

// branchNodes are the nodes of fork f's branches that have a case in
// branch<Fork> (its fan-in runs in the case of the fork node).
func branchNodes(f *graph.Fork) []*graph.Node {
	var nodes []*graph.Node
	for _, n := range f.Nodes {
		if n.JoinOf == nil {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// branchFlow is branch<Fork>, the loop of the branches of fork f.
func (e *emitter) branchFlow(f *graph.Fork) flowSpec {
	what := fmt.Sprintf("%s runs one branch forked at %q from node n until it reaches fan-in %q.", branchMethod(f), f.From.Name, f.FanIn.Name)
	if f.Map != nil {
		what = fmt.Sprintf("%s runs the flow of one item mapped at %q, *s, from node n until it reaches fan-in %q.", branchMethod(f), f.From.Name, f.FanIn.Name)
	}
	return flowSpec{branchMethod(f), f, chainOrder(branchNodes(f), f), what}
}

// flow emits the function of fl, the transition loop of one region, with
// every case of its switch; flowFrame and flowCases emit the same function
// in parts (see flowParts). Fan-ins run inside the case of their fork
// node, so they have no case of their own:
//
//	func (g *Research) run(ctx context.Context, x *runtime.Exec[State], n int, s *State) (result error) {
//		defer x.Recover(&n, &result)
//		var in runtime.Branch // the main flow's: Fork 0, no path (a branch flow takes in as a parameter)
//		var err error // the flow's error; result is set by the return, and by Recover on a panic
//		var out State // what the node that just ran returned
//	flow:
//		for {
//			switch n {
//			case researchNodeReview:
//				... the run of review (see call) ...
//				if n, err = g.routeReview(ctx, x, in, s); err != nil {
//					break flow
//				}
//				if err = x.Leave(in, researchNodeReview, n, s); err != nil || n == researchEnd {
//					break flow
//				}
//			...
//			}
//		}
//		return err
//	}
//
// (see emitter.breakFlow). The flow's error is a local, not the result
// that Recover writes through a pointer: a variable whose address is taken
// lives in memory, and err is set and tested a few times per node (a loop of
// 1000 ran 15% faster with it in registers).
//
// A node with an after-entry (see hasAfter) ends its case once it has run
// and falls through into the case of its after-entry, where a resumed run
// can also start:
//
//	case researchNodePlan:
//		... the run of plan, recorded as not routed ...
//		n = researchAfterPlan
//		fallthrough
//	case researchAfterPlan:
//		... the fork, the fan-in, its edge ...
func (e *emitter) flow(fl flowSpec) {
	e.flowFunc(fl, func(sw *jen.Group) { e.flowCases(sw, fl, 0, len(fl.order)) })
}

// flowFrame emits the function of fl with a mark where the cases of its
// switch go, before its default case (see flowParts):
//
//	switch n {
//	// graphc:cases run
//	default:
func (e *emitter) flowFrame(fl flowSpec) {
	e.flowFunc(fl, func(sw *jen.Group) { sw.Comment(casesMark + fl.name) })
}

// flowFunc emits the function of fl; cases adds the case clauses of its
// switch.
func (e *emitter) flowFunc(fl flowSpec, cases func(sw *jen.Group)) {
	params := e.ctxParams()
	var main []jen.Code
	if fl.region == nil {
		// The main flow's Branch is always the zero one: a local, not a
		// parameter, so that the compiler folds it into Enter's fast path
		// and every call that takes it (a chain of 1000: 98k -> 88k
		// instructions per run under callgrind).
		params = e.runParams()
		main = append(main, jen.Var().Id("in").Add(rt("Branch")).Comment("the main flow's: Fork 0, no path"))
	}
	params = append(params, jen.Id("n").Int(), jen.Id("s").Op("*").Add(e.regionT(fl.region)))
	e.f.Comment(fl.comment)
	e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id(fl.name).Params(params...).Params(jen.Id("result").Error()).Block(slices.Concat([]jen.Code{
		jen.Defer().Id("x").Dot("Recover").Call(jen.Op("&").Id("n"), jen.Op("&").Id("result")),
	}, main, []jen.Code{
		jen.Var().Err().Error().Comment("the flow's error; result is set by the return, and by Recover on a panic"),
		jen.Var().Id("out").Add(e.regionT(fl.region)).Comment("what the node that just ran returned"),
		jen.Id("flow").Op(":"),
		jen.For().Block(
			jen.Switch(jen.Id("n")).BlockFunc(func(sw *jen.Group) {
				cases(sw)
				sw.Default().Block(jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("n"), jen.Qual("errors", "New").Call(jen.Lit("graphc: node is not part of this flow")))))
			}),
		),
		jen.Return(jen.Err()),
	})...)
	e.f.Line()
}

// flowCases adds to sw the case clauses of fl's nodes order[from:to].
func (e *emitter) flowCases(sw *jen.Group, fl flowSpec, from, to int) {
	sink := jen.Id(e.endConst())
	if fl.region != nil {
		sink = jen.Id(e.nodeConst(fl.region.FanIn))
	}
	fc := &caseList{}
	for i := from; i < to; i++ {
		var after *graph.Node
		if i+1 < len(fl.order) {
			after = fl.order[i+1]
		}
		fc.open(jen.Id(e.nodeConst(fl.order[i])))
		e.step(fc, fl.order[i], sink, after)
	}
	for _, c := range fc.list {
		sw.Add(c)
	}
}

// breakFlow leaves a flow's loop for its one return, with err: a node's
// failure, a store's, the step limit, or nil at the end. The exits of a
// node's run and of its edge break rather than return, so that a flow has
// few return statements: the compiler then inlines the deferred Recover at
// each (an open-coded defer) instead of registering it at run time, and a
// long chain's cases carry no return sequence each.
func (e *emitter) breakFlow() *jen.Statement {
	return jen.Break().Id("flow")
}

// caseList collects the case clauses of a flow's switch; cur is the body
// of the last one, which statements are added to.
type caseList struct {
	list []jen.Code
	cur  *jen.Group
}

// open starts the case clause of label.
func (fc *caseList) open(label jen.Code) {
	fc.list = append(fc.list, jen.Case(label).BlockFunc(func(g *jen.Group) { fc.cur = g }))
}

// split ends the current case by falling through into a new one, label's:
//
//	n = researchAfterPlan
//	fallthrough
//	case researchAfterPlan:
func (fc *caseList) split(label string) {
	fc.cur.Id("n").Op("=").Id(label)
	fc.cur.Fallthrough()
	fc.open(jen.Id(label))
}

// chainOrder orders the cases of a region so that a plain edge leads, as
// often as possible, to the very next case: the flow then falls through
// instead of going round the loop, and a chain of nodes runs as straight
// code (an indirect jump per node mispredicts on long chains). Chains
// start in spec order.
func chainOrder(nodes []*graph.Node, region *graph.Fork) []*graph.Node {
	inRegion := map[*graph.Node]bool{}
	for _, n := range nodes {
		inRegion[n] = true
	}
	// follow is the node a plain transition out of n (or out of the fan-in
	// of the fork n starts) leads to, if it has a case here.
	follow := func(n *graph.Node) *graph.Node {
		if n.Kind == graph.Parallel {
			n = n.Fork.FanIn
		}
		if n.Kind != graph.Plain || n.Next == nil || !inRegion[n.Next] {
			return nil
		}
		return n.Next
	}
	placed := map[*graph.Node]bool{}
	order := make([]*graph.Node, 0, len(nodes))
	for _, start := range nodes {
		for n := start; n != nil && !placed[n]; n = follow(n) {
			placed[n] = true
			order = append(order, n)
		}
	}
	return order
}

// step emits the case body of node n: run it, then take its edge; after is
// the node of the next case, if any.
func (e *emitter) step(fc *caseList, n *graph.Node, sink *jen.Statement, after *graph.Node) {
	e.call(fc.cur, n)
	e.edge(fc, n, sink, after)
}

// call emits the run of node n (the current n) with its handler; out is
// declared once per flow, so that the frame of a branch's flow stays small
// (branch goroutines start on small stacks):
//
//	if err = x.Pause(researchNodeReview, runtime.Before, s); err != nil { // interrupt_before only
//		break flow
//	}
//	if !x.Step(in) { // the fast path, inlined even in a flow of thousands of nodes
//		if err = x.Enter(ctx, in, n); err != nil {
//			break flow
//		}
//	}
//	out, err = g.h.Plan(ctx, *s) // see invoke
//	if err != nil {
//		err = x.Fail(n, err)
//		break flow
//	}
//	*s = out
//
// The body is inlined in each case rather than shared: a shared helper
// would call every handler from one indirect call site, which mispredicts
// on every node of a long chain. The edge (see edge) records the node's
// completion with x.Leave once it knows where the edge leads.
func (e *emitter) call(c *jen.Group, n *graph.Node) {
	args := []jen.Code{jen.Id("ctx"), jen.Op("*").Id("s")}
	if f := n.JoinOf; f != nil {
		args = append(args, jen.Id("j"+f.FanIn.GoName).Dot("in"))
	}
	if e.interrupts(n, false) {
		c.If(jen.Err().Op("=").Id("x").Dot("Pause").Call(jen.Id(e.nodeConst(n)), rt("Before"), jen.Id("s")), jen.Err().Op("!=").Nil()).Block(e.breakFlow())
	}
	// if !x.Step(in) {
	//	if err = x.Enter(ctx, in, n); err != nil {
	//		break flow
	//	}
	// }
	c.If(jen.Op("!").Id("x").Dot("Step").Call(jen.Id("in"))).Block(
		jen.If(jen.Err().Op("=").Id("x").Dot("Enter").Call(jen.Id("ctx"), jen.Id("in"), jen.Id("n")), jen.Err().Op("!=").Nil()).Block(e.breakFlow()),
	)
	c.Add(e.invoke(n, false, []jen.Code{jen.Id("out"), jen.Err()}, args))
	c.If(jen.Err().Op("!=").Nil()).Block(jen.Err().Op("=").Id("x").Dot("Fail").Call(jen.Id("n"), jen.Err()), e.breakFlow())
	c.Op("*").Id("s").Op("=").Id("out")
}

// leave emits x.Leave for node n whose edge leads to next, leaving the flow
// on a store error or, with stop, when next is stop:
//
//	if x.Observed() {
//		if err = x.Leave(in, researchNodeReview, n, s); err != nil {
//			break flow
//		}
//	}
//	if n == researchEnd {
//		break flow
//	}
//
// Step (see call) and Observed are what the inliner keeps in a flow of
// hundreds of nodes, where Enter and Leave are calls (its budget shrinks in
// large functions): a chain of 1000 went from 88k to 43k instructions per
// run under callgrind.
func (e *emitter) leave(c *jen.Group, n *graph.Node, next jen.Code, stop *jen.Statement) {
	if n.IsItem() {
		// if err = runtime.LeaveItem(x, in, mapNodeSummarize, mapNodeCheck, s); err != nil { return err }
		cond := jen.Err().Op("!=").Nil()
		if stop != nil {
			cond = cond.Op("||").Id("n").Op("==").Add(stop)
		}
		c.If(jen.Err().Op("=").Add(rt("LeaveItem")).Call(jen.Id("x"), jen.Id("in"), jen.Id(e.nodeConst(n)), next, jen.Id("s")), cond).Block(e.breakFlow())
		return
	}
	c.If(jen.Id("x").Dot("Observed").Call()).Block(
		jen.If(jen.Err().Op("=").Id("x").Dot("Leave").Call(jen.Id("in"), jen.Id(e.nodeConst(n)), next, jen.Id("s")), jen.Err().Op("!=").Nil()).Block(e.breakFlow()),
	)
	if stop != nil {
		c.If(jen.Id("n").Op("==").Add(stop)).Block(e.breakFlow())
	}
}

// edge emits the transition out of n, which has just run. A node that
// interrupts after itself, and a fork node, record their completion as not
// routed and split the case (see caseList.split): the edge is taken in the
// case of their after-entry.
func (e *emitter) edge(fc *caseList, n *graph.Node, sink *jen.Statement, after *graph.Node) {
	resumed := false // the edge is taken in an after-entry: x.Route records it
	if e.hasAfter(n) {
		if e.interrupts(n, true) {
			// return x.PauseAfter(in, researchNodeReview, s)
			fc.cur.Return(jen.Id("x").Dot("PauseAfter").Call(jen.Id("in"), jen.Id(e.nodeConst(n)), jen.Id("s")))
			fc.open(jen.Id(e.afterConst(n)))
			resumed = n.Kind != graph.Parallel
		} else {
			e.leave(fc.cur, n, rt("NotRouted"), nil)
			fc.split(e.afterConst(n))
		}
	}
	c := fc.cur
	switch n.Kind {
	case graph.Plain:
		toSink := n.Next == nil || (n.Region != nil && n.Next == n.Region.FanIn)
		target := e.target(n.Next)
		if toSink && n.Region != nil {
			target = jen.Id(e.nodeConst(n.Region.FanIn))
		}
		if resumed {
			// if err = x.Route(in, researchNodeReview, researchNodePlan); err != nil { break flow }
			c.If(jen.Err().Op("=").Id("x").Dot("Route").Call(jen.Id("in"), jen.Id(e.nodeConst(n)), target), jen.Err().Op("!=").Nil()).Block(e.breakFlow())
		} else {
			e.leave(c, n, target, nil)
		}
		if toSink {
			c.Return(jen.Nil())
			return
		}
		c.Id("n").Op("=").Id(e.nodeConst(n.Next))
		if n.Next == after {
			c.Fallthrough()
		}
	case graph.Cond:
		if n.Region == nil {
			e.route(c, n)
		} else {
			// if n, err = g.routeReview(ctx, x, in, s); err != nil { break flow }
			c.If(
				jen.List(jen.Id("n"), jen.Err()).Op("=").Id("g").Dot(routeMethod(n)).Call(jen.Id("ctx"), jen.Id("x"), jen.Id("in"), jen.Id("s")),
				jen.Err().Op("!=").Nil(),
			).Block(e.breakFlow())
		}
		if resumed {
			// if err = x.Route(in, researchNodeReview, n); err != nil || n == researchEnd { break flow }
			c.If(jen.Err().Op("=").Id("x").Dot("Route").Call(jen.Id("in"), jen.Id(e.nodeConst(n)), jen.Id("n")), jen.Err().Op("!=").Nil().Op("||").Id("n").Op("==").Add(sink)).Block(e.breakFlow())
		} else {
			e.leave(c, n, jen.Id("n"), sink)
		}
	case graph.Parallel:
		f := n.Fork
		j := "j" + f.FanIn.GoName
		switch {
		case f.Map != nil:
			e.mapFork(c, f, j)
		case f.Select:
			e.selectFork(c, f, j)
		default:
			// jMerge := &researchJoinMerge{g: g, x: x, fork: *s}
			// if err = x.Fork(ctx, in, &researchForkPlan, jMerge, s); err != nil { return err }
			c.Comment(fmt.Sprintf("The branches forked at %q meet at %q, which runs here once all have arrived.", f.From.Name, f.FanIn.Name))
			c.Id(j).Op(":=").Op("&").Id(e.joinType(f)).Values(jen.Dict{
				jen.Id("g"):    jen.Id("g"),
				jen.Id("x"):    jen.Id("x"),
				jen.Id("fork"): jen.Op("*").Id("s"),
			})
			c.If(jen.Err().Op("=").Id("x").Dot("Fork").Call(jen.Id("ctx"), jen.Id("in"), jen.Op("&").Id(e.forkVar(f)), jen.Id(j), jen.Id("s")).Op(";").Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		}
		// n = researchNodeMerge
		// ... the run of merge, with jMerge.in (see call), and its edge
		c.Id("n").Op("=").Id(e.nodeConst(f.FanIn))
		e.call(c, f.FanIn)
		e.edge(fc, f.FanIn, sink, after)
	}
}

// mapFork emits the run of map f's items, into the join j:
//
//	jCombine := &mapJoinCombine{g: g, x: x}
//	var ok bool
//	if jCombine.items, ok, err = runtime.RecordedItems[State, Doc](x, in, &mapForkPlan); err != nil {
//		return err
//	}
//	if !ok {
//		jCombine.items = s.Docs // or: if jCombine.items, err = g.h.ItemsPlan(ctx, *s); err != nil { return x.Fail(n, err) }
//	}
//	if err = x.CheckItems(&mapForkPlan, len(jCombine.items)); err != nil {
//		return err
//	}
//	jCombine.arrived = make([]bool, len(jCombine.items))
//	jCombine.in.Docs = make([]Doc, len(jCombine.items))
//	if err = runtime.Map(ctx, x, in, &mapForkPlan, jCombine, s, jCombine.items); err != nil {
//		return err
//	}
func (e *emitter) mapFork(c *jen.Group, f *graph.Fork, j string) {
	m := f.Map
	items := jen.Id(j).Dot("items")
	spec := jen.Op("&").Id(e.forkVar(f))
	c.Comment(fmt.Sprintf("Each item mapped at %q runs from %q on its own copy; the items meet at %q, which runs here once all have arrived. A resumed run takes the items recorded at fork time.", f.From.Name, f.Branches[0].Name, f.FanIn.Name))
	c.Id(j).Op(":=").Op("&").Id(e.joinType(f)).Values(jen.Dict{
		jen.Id("g"): jen.Id("g"),
		jen.Id("x"): jen.Id("x"),
	})
	c.Var().Id("ok").Bool()
	c.If(jen.List(items, jen.Id("ok"), jen.Err()).Op("=").Add(rt("RecordedItems")).Types(e.stateT(), e.itemT(f)).Call(jen.Id("x"), jen.Id("in"), spec), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	if m.Over != "" {
		c.If(jen.Op("!").Id("ok")).Block(jen.Add(items).Op("=").Id("s").Dot(m.Over))
	} else {
		c.If(jen.Op("!").Id("ok")).Block(
			jen.If(jen.List(items, jen.Err()).Op("=").Id("g").Dot("h").Dot(m.ItemsMethod).Call(jen.Id("ctx"), jen.Op("*").Id("s")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("n"), jen.Err())),
			),
		)
	}
	c.If(jen.Err().Op("=").Id("x").Dot("CheckItems").Call(spec, jen.Len(items)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	c.Id(j).Dot("arrived").Op("=").Make(jen.Index().Bool(), jen.Len(items))
	c.Id(j).Dot("in").Dot(m.Field).Op("=").Make(jen.Index().Add(e.itemT(f)), jen.Len(items))
	c.If(jen.Err().Op("=").Add(rt("Map")).Call(jen.Id("ctx"), jen.Id("x"), jen.Id("in"), spec, jen.Id(j), jen.Id("s"), items), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
}

// selectFork emits the run of the branches of select fork f that its
// handler picks, into the join j:
//
//	jMerge := &researchJoinMerge{g: g, x: x, fork: *s}
//	sel, ok := x.RecordedSelection(in, &researchForkPlan)
//	if !ok {
//		var set PlanSet
//		if set, err = g.h.SelectPlan(ctx, *s); err != nil {
//			return x.Fail(n, err)
//		}
//		sel = uint64(set)
//	}
//	jMerge.in.ran = PlanSet(sel)
//	if err = x.ForkSelect(ctx, in, &researchForkPlan, jMerge, s, sel); err != nil {
//		return err
//	}
func (e *emitter) selectFork(c *jen.Group, f *graph.Fork, j string) {
	spec := jen.Op("&").Id(e.forkVar(f))
	c.Comment(fmt.Sprintf("The branches forked at %q that %s picks (those a resumed run recorded) meet at %q, which runs here once all have arrived.", f.From.Name, f.SelectMethod(), f.FanIn.Name))
	c.Id(j).Op(":=").Op("&").Id(e.joinType(f)).Values(jen.Dict{
		jen.Id("g"):    jen.Id("g"),
		jen.Id("x"):    jen.Id("x"),
		jen.Id("fork"): jen.Op("*").Id("s"),
	})
	c.List(jen.Id("sel"), jen.Id("ok")).Op(":=").Id("x").Dot("RecordedSelection").Call(jen.Id("in"), spec)
	c.If(jen.Op("!").Id("ok")).Block(
		jen.Var().Id("set").Id(f.SetType),
		jen.If(jen.List(jen.Id("set"), jen.Err()).Op("=").Id("g").Dot("h").Dot(f.SelectMethod()).Call(jen.Id("ctx"), jen.Op("*").Id("s")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("n"), jen.Err())),
		),
		jen.Id("sel").Op("=").Uint64().Call(jen.Id("set")),
	)
	c.Id(j).Dot("in").Dot("ran").Op("=").Id(f.SetType).Call(jen.Id("sel"))
	c.If(jen.Err().Op("=").Id("x").Dot("ForkSelect").Call(jen.Id("ctx"), jen.Id("in"), spec, jen.Id(j), jen.Id("s"), jen.Id("sel")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
}

// route emits, in the main flow's case of conditional node n, the call of
// its route handler and the switch from its route to the next node:
//
//	var r ReviewRoute
//	r, err = g.h.RouteReview(ctx, *s) // see invoke
//	if err != nil {
//		err = x.Fail(researchNodeReview, err)
//		break flow
//	}
//	switch r {
//	case ReviewRevise:
//		n = researchNodePlan
//	...
//	default:
//		err = x.BadRoute(researchNodeReview, "ReviewRoute", uint64(r))
//		break flow
//	}
//
// A loop's edge is taken once per turn: inline, it costs no call (with
// the flow's context, branch and state as arguments) per turn. Branch
// flows call a route method instead (see routeMethods), which keeps their
// frames small: branch goroutines start on small stacks.
func (e *emitter) route(c *jen.Group, n *graph.Node) {
	id := jen.Id(e.nodeConst(n))
	c.Var().Id("r").Id(n.RouteType)
	c.Add(e.invoke(n, true, []jen.Code{jen.Id("r"), jen.Err()}, []jen.Code{jen.Id("ctx"), jen.Op("*").Id("s")}))
	c.If(jen.Err().Op("!=").Nil()).Block(jen.Err().Op("=").Id("x").Dot("Fail").Call(id, jen.Err()), e.breakFlow())
	c.Switch(jen.Id("r")).BlockFunc(func(sw *jen.Group) {
		for _, rc := range n.Cases {
			sw.Case(jen.Id(rc.Const)).Id("n").Op("=").Add(e.target(rc.Target))
		}
		sw.Default().Block(
			jen.Err().Op("=").Id("x").Dot("BadRoute").Call(id, jen.Lit(n.RouteType), jen.Uint64().Call(jen.Id("r"))),
			e.breakFlow(),
		)
	})
}

// routeMethods emits, per conditional node of a branch flow (nodes holds
// no other), the method that maps its route to the next node (the main
// flow routes inline: see route).
func (e *emitter) routeMethods(nodes []*graph.Node) {
	for _, n := range nodes {
		id := jen.Id(e.nodeConst(n))
		// func (g *Research) routeReview(ctx context.Context, x *runtime.Exec[State], in runtime.Branch, s *State) (int, error) {
		//	var (r ReviewRoute; err error)
		//	r, err = g.h.RouteReview(ctx, *s) // see invoke
		//	if err != nil { return 0, x.Fail(researchNodeReview, err) }
		//	switch r { case ReviewRevise: return researchNodePlan, nil ... }
		//	return 0, x.BadRoute(researchNodeReview, "ReviewRoute", uint64(r))
		// }
		e.f.Comment(fmt.Sprintf("%s asks %s which edge leaves %q and returns the node it leads to.", routeMethod(n), n.RouteMethod, n.Name))
		e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id(routeMethod(n)).Params(
			jen.Id("ctx").Qual("context", "Context"), jen.Id("x").Add(e.execT()), jen.Id("in").Add(rt("Branch")), jen.Id("s").Op("*").Add(e.valT(n)),
		).Params(jen.Int(), jen.Error()).Block(
			jen.Var().Defs(jen.Id("r").Id(n.RouteType), jen.Err().Error()),
			e.invoke(n, true, []jen.Code{jen.Id("r"), jen.Err()}, []jen.Code{jen.Id("ctx"), jen.Op("*").Id("s")}),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Id("x").Dot("Fail").Call(id, jen.Err()))),
			jen.Switch(jen.Id("r")).BlockFunc(func(sw *jen.Group) {
				for _, c := range n.Cases {
					sw.Case(jen.Id(c.Const)).Return(e.target(c.Target), jen.Nil())
				}
			}),
			jen.Return(jen.Lit(0), jen.Id("x").Dot("BadRoute").Call(id, jen.Lit(n.RouteType), jen.Uint64().Call(jen.Id("r")))),
		)
		e.f.Line()
	}
}

// joins emits, per fork, the struct its branches deliver into and the
// RunBranch method the runtime calls for each branch:
//
//	type researchJoinMerge struct {
//		g    *Research
//		x    *runtime.Exec[State]
//		fork State
//		mu      sync.Mutex
//		arrived [2]bool
//		in      MergeBranches
//	}
func (e *emitter) joins(forks []*graph.Fork) {
	for _, f := range forks {
		if f.Map != nil {
			e.mapJoin(f)
			continue
		}
		jt := e.joinType(f)
		e.f.Add(doc(fmt.Sprintf("%s is one activation of the fork at %q: each branch delivers its final state into it exactly once, under its lock, and fan-in %q reads it after all have arrived.", jt, f.From.Name, f.FanIn.Name)))
		e.f.Type().Id(jt).Struct(
			jen.Id("g").Op("*").Id(e.g.Name),
			jen.Id("x").Add(e.execT()),
			jen.Id("fork").Add(e.stateT()).Comment(fmt.Sprintf("the state %q returned; each branch starts on a deep copy", f.From.Name)),
			jen.Line(),
			jen.Id("mu").Qual("sync", "Mutex").Comment("guards arrived and in"),
			jen.Id("arrived").Index(jen.Lit(len(f.Branches))).Bool(),
			jen.Id("in").Id(f.BranchesType),
		)
		e.f.Line()

		copyExpr := e.forkCopy()
		// var s State
		// if r != nil { s = *r } else { s = researchCopyState(j.fork) }
		// if n != researchNodeMerge {
		//	if err := j.g.branchPlan(ctx, j.x, b, n, &s); err != nil { return err }
		// }
		run := "RunBranch"
		if e.anySimple(f) {
			run = "run" // RunBranch starts simple branches apart (see branchStarts)
			e.runBranch(f)
			e.f.Comment(fmt.Sprintf("run is RunBranch for any branch of the fork at %q: from node n (its entry, or where a resumed branch stood) to %q, on r or else on its own copy of the fork-time state; then it delivers the result.", f.From.Name, f.FanIn.Name))
		} else {
			e.f.Comment(fmt.Sprintf("RunBranch runs branch b of the fork at %q from node n (its entry, or where a resumed branch stood) to %q, on r or else on its own copy of the fork-time state, then delivers the result.", f.From.Name, f.FanIn.Name))
		}
		e.f.Func().Params(jen.Id("j").Op("*").Id(jt)).Id(run).Params(
			jen.Id("ctx").Qual("context", "Context"), jen.Id("b").Add(rt("Branch")), jen.Id("n").Int(), jen.Id("r").Op("*").Add(e.stateT()),
		).Error().Block(
			jen.Var().Id("s").Add(e.stateT()),
			jen.If(jen.Id("r").Op("!=").Nil()).Block(
				jen.Id("s").Op("=").Op("*").Id("r"),
			).Else().Block(
				jen.Id("s").Op("=").Add(copyExpr),
			),
			jen.If(jen.Id("n").Op("!=").Id(e.nodeConst(f.FanIn))).Block(
				jen.If(jen.Err().Op(":=").Id("j").Dot("g").Dot(branchMethod(f)).Call(jen.Id("ctx"), jen.Id("j").Dot("x"), jen.Id("b"), jen.Id("n"), jen.Op("&").Id("s")).Op(";").Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			),
			jen.Return(jen.Id("j").Dot("deliver").Call(jen.Id("b"), jen.Op("&").Id("s"))),
		)
		e.f.Line()
		e.fresh(f)
		e.deliver(f)
		e.branchStarts(f)
	}
}

// deliver emits the method by which a branch of fork f delivers the state
// it ended with: once per branch, under the join's lock.
//
//	func (j *researchJoinMerge) deliver(b runtime.Branch, s *State) error {
//		j.mu.Lock()
//		defer j.mu.Unlock()
//		if j.arrived[b.Index] {
//			return errors.New("graphc: a branch delivered to \"merge\" twice")
//		}
//		j.arrived[b.Index] = true
//		switch b.Index {
//		case 0:
//			j.in.SearchWeb = *s
//		...
//		}
//		j.x.Arrived(b, researchNodeMerge, *s)
//		return nil
//	}
func (e *emitter) deliver(f *graph.Fork) {
	e.f.Comment(fmt.Sprintf("deliver records *s as what branch b of the fork at %q ended with, under the join's lock; a second delivery of b is an error. It is never inlined, so that its lock and deferred unlock take no room in a branch's start (see start%s).", f.From.Name, "<Entry>"))
	e.f.Comment("")
	e.f.Comment("//go:noinline")
	e.f.Func().Params(jen.Id("j").Op("*").Id(e.joinType(f))).Id("deliver").Params(jen.Id("b").Add(rt("Branch")), jen.Id("s").Op("*").Add(e.stateT())).Error().Block(
		jen.Id("j").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("j").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("j").Dot("arrived").Index(jen.Id("b").Dot("Index"))).Block(
			jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("graphc: a branch delivered to %q twice", f.FanIn.Name)))),
		),
		jen.Id("j").Dot("arrived").Index(jen.Id("b").Dot("Index")).Op("=").True(),
		jen.Switch(jen.Id("b").Dot("Index")).BlockFunc(func(sw *jen.Group) {
			for i, br := range f.Branches {
				sw.Case(jen.Lit(i)).Id("j").Dot("in").Dot(br.GoName).Op("=").Op("*").Id("s")
			}
		}),
		jen.Id("j").Dot("x").Dot("Arrived").Call(jen.Id("b"), jen.Id(e.nodeConst(f.FanIn)), jen.Op("*").Id("s")),
		jen.Return(jen.Nil()),
	)
	e.f.Line()
}

// mapJoin emits the join of map f and its RunBranch, which runs one item:
//
//	type mapJoinCombine struct {
//		g       *Map
//		x       *runtime.Exec[State]
//		items   []Doc
//		mu      sync.Mutex
//		arrived []bool
//		in      CombineItems
//	}
//
//	func (j *mapJoinCombine) RunBranch(ctx context.Context, b runtime.Branch, n int, r *Doc) error {
//		var d Doc
//		if r != nil { d = *r } else { d = mapCopyDoc(j.items[b.Index]) }
//		if n != mapNodeCombine {
//			if err := j.g.branchPlan(ctx, j.x, b, n, &d); err != nil { return err }
//		}
//		j.mu.Lock()
//		defer j.mu.Unlock()
//		if j.arrived[b.Index] { return errors.New("graphc: item delivered to \"combine\" twice") }
//		j.arrived[b.Index] = true
//		j.in.Docs[b.Index] = d
//		runtime.ArrivedItem(j.x, b, mapNodeCombine, d)
//		return nil
//	}
func (e *emitter) mapJoin(f *graph.Fork) {
	jt := e.joinType(f)
	e.f.Add(doc(fmt.Sprintf("%s is one activation of the map at %q: each item's flow delivers its final item into it exactly once, at the item's index, under its lock, and fan-in %q reads it after all have arrived.", jt, f.From.Name, f.FanIn.Name)))
	e.f.Type().Id(jt).Struct(
		jen.Id("g").Op("*").Id(e.g.Name),
		jen.Id("x").Add(e.execT()),
		jen.Id("items").Index().Add(e.itemT(f)).Comment("the items, in input order; item i's flow starts on a deep copy of items[i]"),
		jen.Line(),
		jen.Id("mu").Qual("sync", "Mutex").Comment("guards arrived and in"),
		jen.Id("arrived").Index().Bool(),
		jen.Id("in").Id(f.BranchesType),
	)
	e.f.Line()
	copyExpr := e.itemCopy[f]
	e.f.Comment(fmt.Sprintf("RunBranch runs the flow of item b.Index of the map at %q from node n (its entry, or where a resumed item stood) to %q, on r or else on its own copy of the item, then delivers the result.", f.From.Name, f.FanIn.Name))
	e.f.Func().Params(jen.Id("j").Op("*").Id(jt)).Id("RunBranch").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("b").Add(rt("Branch")), jen.Id("n").Int(), jen.Id("r").Op("*").Add(e.itemT(f)),
	).Error().Block(
		jen.Var().Id("d").Add(e.itemT(f)),
		jen.If(jen.Id("r").Op("!=").Nil()).Block(
			jen.Id("d").Op("=").Op("*").Id("r"),
		).Else().Block(
			jen.Id("d").Op("=").Add(copyExpr),
		),
		jen.If(jen.Id("n").Op("!=").Id(e.nodeConst(f.FanIn))).Block(
			jen.If(jen.Err().Op(":=").Id("j").Dot("g").Dot(branchMethod(f)).Call(jen.Id("ctx"), jen.Id("j").Dot("x"), jen.Id("b"), jen.Id("n"), jen.Op("&").Id("d")).Op(";").Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		),
		jen.Id("j").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("j").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("j").Dot("arrived").Index(jen.Id("b").Dot("Index"))).Block(
			jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("graphc: an item delivered to %q twice", f.FanIn.Name)))),
		),
		jen.Id("j").Dot("arrived").Index(jen.Id("b").Dot("Index")).Op("=").True(),
		jen.Id("j").Dot("in").Dot(f.Map.Field).Index(jen.Id("b").Dot("Index")).Op("=").Id("d"),
		rt("ArrivedItem").Call(jen.Id("j").Dot("x"), jen.Id("b"), jen.Id(e.nodeConst(f.FanIn)), jen.Id("d")),
		jen.Return(jen.Nil()),
	)
	e.f.Line()
}

// copies makes, once, the deep copies the joins write: of the fork-time
// state (j.fork) and of each map's item (j.items[b.Index]). The parts of
// the file are built side by side (see renderParts), and Input's Copy
// functions register helpers as they go: they are called here, before,
// and never from a part's goroutine.
func (e *emitter) copies() {
	fork := jen.Id("j").Dot("fork")
	if e.in.Copy != nil {
		if c := e.in.Copy(fork); c != jen.Code(fork) {
			e.forkCopyExpr = c
		}
	}
	e.itemCopy = map[*graph.Fork]jen.Code{}
	for _, f := range e.g.Forks {
		if item, ok := e.in.Items[f]; ok && f.Map != nil {
			e.itemCopy[f] = item.Copy(jen.Id("j").Dot("items").Index(jen.Id("b").Dot("Index")))
		}
	}
}

// forkCopy is a branch's copy of the fork-time state: the join's fresh
// method when the copy is deep (see fresh), else the state itself.
func (e *emitter) forkCopy() jen.Code {
	if e.forkCopyExpr != nil {
		return jen.Id("j").Dot("fresh").Call()
	}
	return jen.Id("j").Dot("fork")
}

// fresh emits, when the state's copy is deep, the method that returns a
// branch's copy of fork f's fork-time state:
//
//	// fresh returns a deep copy of the fork-time state, a branch's own. ...
//	//
//	//go:noinline
//	func (j *researchJoinMerge) fresh() State {
//		return researchCopyState(j.fork)
//	}
func (e *emitter) fresh(f *graph.Fork) {
	if e.forkCopyExpr == nil {
		return
	}
	e.f.Comment("fresh returns a deep copy of the fork-time state, a branch's own. It is never inlined: the copy's temporaries would take room in a branch's start (see start<Entry>), under its handler's frames.")
	e.f.Comment("")
	e.f.Comment("//go:noinline")
	e.f.Func().Params(jen.Id("j").Op("*").Id(e.joinType(f))).Id("fresh").Params().Add(e.stateT()).Block(
		jen.Return(e.forkCopyExpr),
	)
	e.f.Line()
}
