package golang

import (
	"bytes"
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen/graph"
)

// Import paths of the Temporal workflow's file.
const (
	// TemporalPath is graphc's helper package for generated workflows, in
	// the nested module github.com/graphc/graphc/temporal.
	TemporalPath  = "github.com/graphc/graphc/temporal"
	sdkWorkflow   = "go.temporal.io/sdk/workflow"
	sdkWorker     = "go.temporal.io/sdk/worker"
	sdkActivity   = "go.temporal.io/sdk/activity"
	sdkTemporal   = "go.temporal.io/sdk/temporal"
	temporalAlias = "temporalgraphc"
)

// TemporalName is the Temporal workflow's file for a graph's output:
// research_graph.go -> research_temporal.go.
func TemporalName(out string) string {
	return out[:len(out)-len("_graph.go")] + "_temporal.go"
}

// WorkflowRevision is the revision of the workflow code graphc emits. A
// running execution replays its history against the workflow code of the
// worker that picks it up; if a new graphc emits different commands for an
// unchanged graph (another activity, another order), that replay fails. Bump
// WorkflowRevision with any such change, and re-record the histories of the
// replay tests (make e2e-temporal E2E_ARGS=-record): the new code is then a
// new workflow type, and old executions finish on workers built with the old
// graphc, as with a changed graph.
const WorkflowRevision = 1

// WorkflowName is the workflow type a graph's Temporal workflow is
// registered under: its name, its fingerprint and the revision of the
// emitted code (Research_864ea844c2c8192f_r1), so that a changed graph, or
// workflow code that issues other commands, is a new workflow type.
func WorkflowName(g *graph.Graph, fingerprint string) string {
	return fmt.Sprintf("%s_%s_r%d", g.Name, fingerprint, WorkflowRevision)
}

// tp names an identifier of the helper package.
func tp(name string) *jen.Statement { return jen.Qual(TemporalPath, name) }

// temporal emits names of the Temporal file.
func (e *emitter) wfType() string                   { return e.pfx + "Workflow" }
func (e *emitter) continueFunc() string             { return e.pfx + "Continue" }
func (e *emitter) activityVar(n *graph.Node) string { return e.pfx + "Activity" + n.GoName }
func (e *emitter) routeActivityVar(n *graph.Node) string {
	return e.pfx + "Activity" + n.RouteMethod
}
func (e *emitter) selectActivityVar(f *graph.Fork) string {
	return e.pfx + "Activity" + f.SelectMethod()
}
func (e *emitter) itemsActivityVar(f *graph.Fork) string {
	return e.pfx + "Activity" + f.Map.ItemsMethod
}

// itemsHandler reports whether map f builds its items with a handler.
func itemsHandler(f *graph.Fork) bool { return f != nil && f.Map != nil && f.Map.ItemsMethod != "" }

// TemporalNames lists the package-level names the Temporal files of g
// declare (its test file's included).
func TemporalNames(g *graph.Graph) []string {
	e := &emitter{g: g, pfx: lowerFirst(g.Name)}
	out := []string{
		g.Name + "Workflow", g.Name + "WorkflowName", g.Name + "Activities", "Register" + g.Name, "Register" + g.Name + "Activities",
		e.wfType(), e.continueFunc(), "Test" + g.Name + "Temporal", TemporalProbeType(g),
	}
	for _, n := range g.Nodes {
		out = append(out, e.activityVar(n))
		if e.splitRoute(n) {
			out = append(out, e.routeActivityVar(n))
		}
		if f := n.Fork; f != nil && f.Select {
			out = append(out, e.selectActivityVar(f))
		}
		if itemsHandler(n.Fork) {
			out = append(out, e.itemsActivityVar(n.Fork))
		}
	}
	return out
}

// splitRoute reports whether conditional node n's route handler runs in an
// activity of its own: when the run pauses after n, the edge is taken on
// the state the resume gives, so the route cannot run with the node; and
// when n's policy retries or times out, since locally the route handler is
// a call of its own under that policy (runtime.CallRouteHandler): a failed
// route is retried alone, without running the node's handler again, and each
// call has the whole timeout.
func (e *emitter) splitRoute(n *graph.Node) bool {
	if n.Kind != graph.Cond {
		return false
	}
	p := n.Policy
	return e.interrupts(n, true) || p != nil && (p.Attempts > 1 || p.Timeout > 0)
}

// GenerateTemporal returns the gofmt'd source of the graph's Temporal
// workflow (graphc generate -temporal): <Graph>Workflow, the activities
// type <Graph>Activities and the registration helpers. in.Fingerprint
// names the workflow type.
func GenerateTemporal(in Input) ([]byte, error) {
	g := in.Graph
	e := &emitter{in: in, g: g, pfx: lowerFirst(g.Name)}
	e.newFile()
	e.f.ImportAlias(TemporalPath, temporalAlias)
	name := WorkflowName(g, in.Fingerprint)

	e.f.Add(doc(fmt.Sprintf("%sWorkflowName is the workflow type %sWorkflow is registered under: the graph's name, its fingerprint, which changes with its nodes, edges, forks, interrupts and the state's shape, and the revision of the workflow code graphc emits. A changed graph, or a graphc that emits other workflow code, makes a new workflow type, so that executions started by the old one finish on workers that still register it.", g.Name, g.Name)))
	e.f.Const().Id(g.Name + "WorkflowName").Op("=").Lit(name)
	e.f.Line()

	e.register(name)
	e.activities()
	e.activityTable(name)
	e.workflowFuncs(name)
	e.temporalFlows()

	var buf bytes.Buffer
	if err := e.f.Render(&buf); err != nil {
		return nil, fmt.Errorf("graphc: rendering the Temporal workflow of %s: %w", in.Source, err)
	}
	return buf.Bytes(), nil
}

// register emits the registration helpers:
//
//	func RegisterResearch(w worker.WorkflowRegistry) {
//		w.RegisterWorkflowWithOptions(ResearchWorkflow, workflow.RegisterOptions{Name: ResearchWorkflowName})
//		w.RegisterWorkflowWithOptions(researchContinue, workflow.RegisterOptions{Name: ResearchWorkflowName + ".continue"})
//	}
//	func RegisterResearchActivities(w worker.ActivityRegistry, h ResearchHandlers) {
//		w.RegisterActivityWithOptions(&ResearchActivities{H: h}, activity.RegisterOptions{Name: ResearchWorkflowName + "."})
//	}
func (e *emitter) register(name string) {
	g := e.g
	wfName := jen.Id(g.Name + "WorkflowName")
	e.f.Add(doc(fmt.Sprintf("Register%s registers %sWorkflow with w under %sWorkflowName, and the workflow type it continues as new under (%q). Register the activities too, on this worker or another of the task queue, with Register%sActivities. w may be a worker.Worker, or a worker.WorkflowReplayer to replay recorded histories.", g.Name, g.Name, g.Name, name+".continue", g.Name)))
	e.f.Func().Id("Register"+g.Name).Params(jen.Id("w").Qual(sdkWorker, "WorkflowRegistry")).Block(
		jen.Id("w").Dot("RegisterWorkflowWithOptions").Call(jen.Id(g.Name+"Workflow"), jen.Qual(sdkWorkflow, "RegisterOptions").Values(jen.Dict{jen.Id("Name"): wfName})),
		jen.Id("w").Dot("RegisterWorkflowWithOptions").Call(jen.Id(e.continueFunc()), jen.Qual(sdkWorkflow, "RegisterOptions").Values(jen.Dict{jen.Id("Name"): jen.Add(wfName).Op("+").Lit(".continue")})),
	)
	e.f.Line()
	e.f.Add(doc(fmt.Sprintf("Register%sActivities registers the activities of %sWorkflow, which call h, with w: each is named %sWorkflowName, a dot and its method of %sActivities.", g.Name, g.Name, g.Name, g.Name)))
	e.f.Func().Id("Register"+g.Name+"Activities").Params(jen.Id("w").Qual(sdkWorker, "ActivityRegistry"), jen.Id("h").Id(g.Name+"Handlers")).Block(
		jen.Id("w").Dot("RegisterActivityWithOptions").Call(
			jen.Op("&").Id(g.Name+"Activities").Values(jen.Dict{jen.Id("H"): jen.Id("h")}),
			jen.Qual(sdkActivity, "RegisterOptions").Values(jen.Dict{jen.Id("Name"): jen.Add(wfName).Op("+").Lit(".")}),
		),
	)
	e.f.Line()
}

// activities emits the activities type, one method per node:
//
//	func (a *ResearchActivities) Plan(ctx context.Context, s State) (State, error) {
//		return temporalgraphc.Run(ctx, false, func() (State, error) { return a.H.Plan(ctx, s) })
//	}
//	func (a *ResearchActivities) Review(ctx context.Context, s State) (temporalgraphc.Routed[State, ReviewRoute], error) {
//		return temporalgraphc.RunRoute(ctx, false, s, a.H.Review, a.H.RouteReview)
//	}
func (e *emitter) activities() {
	g := e.g
	act := g.Name + "Activities"
	e.f.Add(doc(fmt.Sprintf("%s are the activities of %sWorkflow: one per node, which calls H's handler (a conditional node's calls its route handler too, on the state the handler returned). A handler's error is retried as the node's retry policy says, except errors wrapped with runtime.Permanent; a panic is retried only with panics: true.", act, g.Name)))
	e.f.Type().Id(act).Struct(jen.Id("H").Id(g.Name + "Handlers"))
	e.f.Line()
	recv := func() *jen.Statement { return jen.Func().Params(jen.Id("a").Op("*").Id(act)) }
	for _, n := range g.Nodes {
		panics := jen.Lit(n.Policy != nil && n.Policy.Panics)
		params := []jen.Code{jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.valT(n))}
		args := []jen.Code{jen.Id("ctx"), jen.Id("s")}
		var setRan jen.Code = jen.Null()
		if f := n.JoinOf; f != nil {
			params = append(params, jen.Id("in").Id(f.BranchesType))
			args = append(args, jen.Id("in"))
			if f.Select {
				// in.ran = ran: the set travels beside the branches, whose
				// unexported field encoding/json leaves out.
				params = append(params, jen.Id("ran").Id(f.SetType))
				setRan = jen.Id("in").Dot("ran").Op("=").Id("ran")
			}
		}
		if f := n.Fork; f != nil && f.Select {
			e.f.Comment(fmt.Sprintf("%s picks the branches forked at %q that run, given the state %s returned.", f.SelectMethod(), n.Name, n.GoName))
			e.f.Add(recv()).Id(f.SelectMethod()).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT())).Params(jen.Id(f.SetType), jen.Error()).Block(
				jen.Return(tp("Run").Call(jen.Id("ctx"), jen.False(), jen.Func().Params().Params(jen.Id(f.SetType), jen.Error()).Block(
					jen.Return(jen.Id("a").Dot("H").Dot(f.SelectMethod()).Call(jen.Id("ctx"), jen.Id("s"))),
				))),
			)
			e.f.Line()
		}
		if f := n.Fork; itemsHandler(f) {
			// func (a *MappedActivities) ItemsPrepare(ctx context.Context, s State) ([]Task, error) {
			//	return temporalgraphc.Run(ctx, false, func() ([]Task, error) { return a.H.ItemsPrepare(ctx, s) })
			// }
			list := func() *jen.Statement { return jen.Index().Add(e.itemT(f)) }
			e.f.Comment(fmt.Sprintf("%s builds the items mapped at %q, given the state %s returned.", f.Map.ItemsMethod, n.Name, n.GoName))
			e.f.Add(recv()).Id(f.Map.ItemsMethod).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT())).Params(list(), jen.Error()).Block(
				jen.Return(tp("Run").Call(jen.Id("ctx"), jen.False(), jen.Func().Params().Params(list(), jen.Error()).Block(
					jen.Return(jen.Id("a").Dot("H").Dot(f.Map.ItemsMethod).Call(jen.Id("ctx"), jen.Id("s"))),
				))),
			)
			e.f.Line()
		}
		if n.Kind == graph.Cond && !e.splitRoute(n) {
			e.f.Comment(fmt.Sprintf("%s runs node %q and picks its edge: %s, then %s on its result.", n.GoName, n.Name, n.GoName, n.RouteMethod))
			routed := tp("Routed").Types(e.valT(n), jen.Id(n.RouteType))
			node := jen.Id("a").Dot("H").Dot(n.GoName)
			if n.JoinOf != nil {
				// func(ctx context.Context, s State) (State, error) { return a.H.Merge(ctx, s, in) }
				node = jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT())).Params(e.stateT(), jen.Error()).Block(
					jen.Return(jen.Id("a").Dot("H").Dot(n.GoName).Call(args...)),
				)
			}
			body := jen.Return(tp("RunRoute").Call(jen.Id("ctx"), panics, jen.Id("s"), node, jen.Id("a").Dot("H").Dot(n.RouteMethod)))
			e.f.Add(recv()).Id(n.GoName).Params(params...).Params(routed, jen.Error()).Block(setRan, body)
			e.f.Line()
			continue
		}
		e.f.Comment(fmt.Sprintf("%s runs node %q.", n.GoName, n.Name))
		e.f.Add(recv()).Id(n.GoName).Params(params...).Params(e.valT(n), jen.Error()).Block(
			setRan,
			jen.Return(tp("Run").Call(jen.Id("ctx"), panics, jen.Func().Params().Params(e.valT(n), jen.Error()).Block(
				jen.Return(jen.Id("a").Dot("H").Dot(n.GoName).Call(args...)),
			))),
		)
		e.f.Line()
		if e.splitRoute(n) {
			why := "which the run pauses after: it runs once the resume has given the state"
			if !e.interrupts(n, true) {
				why = "in an activity of its own, under the node's policy, as the runtime calls it locally: a failed route is retried without running the node again"
			}
			e.f.Comment(fmt.Sprintf("%s picks the edge out of %q, %s.", n.RouteMethod, n.Name, why))
			e.f.Add(recv()).Id(n.RouteMethod).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(e.stateT())).Params(jen.Id(n.RouteType), jen.Error()).Block(
				jen.Return(tp("Run").Call(jen.Id("ctx"), panics, jen.Func().Params().Params(jen.Id(n.RouteType), jen.Error()).Block(
					jen.Return(jen.Id("a").Dot("H").Dot(n.RouteMethod).Call(jen.Id("ctx"), jen.Id("s"))),
				))),
			)
			e.f.Line()
		}
	}
}

// activityTable emits each node's activity: its name and options.
//
//	var researchActivityFetchPapers = temporalgraphc.Activity{
//		Name: ResearchWorkflowName + ".FetchPapers",
//		Options: workflow.ActivityOptions{
//			StartToCloseTimeout: 20 * time.Second,
//			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second, MaximumAttempts: 3},
//		},
//	}
func (e *emitter) activityTable(name string) {
	for _, n := range e.g.Nodes {
		e.activityVarDecl(e.activityVar(n), n, n.GoName, n.Policy)
		if e.splitRoute(n) {
			e.activityVarDecl(e.routeActivityVar(n), n, n.RouteMethod, n.Policy)
		}
		if f := n.Fork; f != nil && f.Select {
			// The select handler is called once, as locally: no policy.
			e.activityVarDecl(e.selectActivityVar(f), n, f.SelectMethod(), nil)
		}
		if f := n.Fork; itemsHandler(f) {
			// So is the items handler.
			e.activityVarDecl(e.itemsActivityVar(f), n, f.Map.ItemsMethod, nil)
		}
	}
}

func (e *emitter) activityVarDecl(v string, n *graph.Node, method string, p *graph.NodePolicy) {
	timeout := tp("DefaultTimeout")
	retry := jen.Dict{jen.Id("MaximumAttempts"): jen.Lit(1)}
	what := "one attempt, and temporalgraphc.DefaultTimeout"
	if p != nil {
		what = describePolicy(p)
		if p.Timeout > 0 {
			timeout = jen.Add(durationLit(p.Timeout))
		} else {
			what += "; temporalgraphc.DefaultTimeout per attempt"
		}
		if p.Attempts > 1 {
			retry = jen.Dict{
				jen.Id("InitialInterval"):    durationLit(p.Initial),
				jen.Id("BackoffCoefficient"): jen.Lit(p.Backoff),
				jen.Id("MaximumInterval"):    durationLit(p.Max),
				jen.Id("MaximumAttempts"):    jen.Lit(p.Attempts),
			}
			if p.Jitter {
				what += " (Temporal has no jitter: its delays are exact)"
			}
		}
	}
	e.f.Add(doc(fmt.Sprintf("%s is how the workflow calls %sActivities.%s for node %q: %s.", v, e.g.Name, method, n.Name, what)))
	e.f.Var().Id(v).Op("=").Add(tp("Activity")).Values(jen.Dict{
		jen.Id("Name"): jen.Id(e.g.Name + "WorkflowName").Op("+").Lit("." + method),
		jen.Id("Options"): jen.Qual(sdkWorkflow, "ActivityOptions").Values(jen.Dict{
			jen.Id("StartToCloseTimeout"): timeout,
			jen.Id("RetryPolicy"):         jen.Op("&").Qual(sdkTemporal, "RetryPolicy").Values(retry),
		}),
	})
	e.f.Line()
}

// workflowFuncs emits the workflow, the workflow it continues as new as,
// and the type holding a run's state:
//
//	func ResearchWorkflow(ctx workflow.Context, s State) (State, error) {
//		return researchContinue(ctx, s, temporalgraphc.Frontier{Node: researchNodePlan})
//	}
//	func researchContinue(ctx workflow.Context, s State, at temporalgraphc.Frontier) (State, error) {
//		w := &researchWorkflow{r: temporalgraphc.Runner{Names: researchNames[:], ...}, s: s}
//		... query and update handlers ...
//		err := w.run(ctx, at.Node, &w.s)
//		return w.s, temporalgraphc.Encode(err)
//	}
func (e *emitter) workflowFuncs(name string) {
	g := e.g
	e.f.Add(doc(fmt.Sprintf("%sWorkflow runs the %s graph on s as a Temporal workflow, from node %q until it reaches __end__, and returns the final state: each node is an activity of %sActivities, each branch of a fork a coroutine. On failure the error is a Temporal application error that temporalgraphc.Decode turns into the *runtime.NodeError (and *runtime.BranchError) the local executor would return.", g.Name, g.Name, g.Entry.Name, g.Name),
		fmt.Sprintf("After temporalgraphc.ContinueAsNewAfter nodes it continues as new, as the workflow type %q, at the next node of the main flow. It answers the query temporalgraphc.QueryState with the main flow's state; at an interrupt it waits for the update temporalgraphc.UpdateResume.", name+".continue")))
	e.f.Func().Id(g.Name+"Workflow").Params(jen.Id("ctx").Qual(sdkWorkflow, "Context"), jen.Id("s").Add(e.stateT())).Params(e.stateT(), jen.Error()).Block(
		jen.Return(jen.Id(e.continueFunc()).Call(jen.Id("ctx"), jen.Id("s"), tp("Frontier").Values(jen.Dict{jen.Id("Node"): jen.Id(e.nodeConst(g.Entry))}))),
	)
	e.f.Line()

	e.f.Comment(fmt.Sprintf("%s runs the graph from the frontier at: node at.Node of the main flow, after at.Steps nodes.", e.continueFunc()))
	cancel := jen.True()
	if g.Config.OnBranchError == graph.Wait {
		cancel = jen.False()
	}
	e.f.Func().Id(e.continueFunc()).Params(jen.Id("ctx").Qual(sdkWorkflow, "Context"), jen.Id("s").Add(e.stateT()), jen.Id("at").Add(tp("Frontier"))).Params(e.stateT(), jen.Error()).BlockFunc(func(b *jen.Group) {
		b.Id("w").Op(":=").Op("&").Id(e.wfType()).Values(jen.Dict{
			jen.Id("r"): tp("Runner").Values(jen.Dict{
				jen.Id("Names"):      jen.Id(e.namesVar()).Index(jen.Op(":")),
				jen.Id("MaxSteps"):   jen.Lit(g.Config.MaxSteps),
				jen.Id("MaxWorkers"): jen.Lit(g.Config.MaxWorkers),
				jen.Id("Cancel"):     cancel,
			}),
			jen.Id("s"): jen.Id("s"),
		})
		b.Id("w").Dot("r").Dot("Start").Call(jen.Id("at"))
		b.If(jen.Err().Op(":=").Qual(sdkWorkflow, "SetQueryHandler").Call(jen.Id("ctx"), tp("QueryState"), jen.Func().Params().Params(e.stateT(), jen.Error()).Block(
			jen.Return(jen.Id("w").Dot("s"), jen.Nil()),
		)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("s"), jen.Err()))
		if len(g.Config.InterruptBefore)+len(g.Config.InterruptAfter) > 0 {
			// if err := workflow.SetQueryHandler(ctx, temporalgraphc.QueryPaused, func() (*temporalgraphc.Pause, error) { return w.r.Paused(), nil }); ...
			// if err := workflow.SetUpdateHandlerWithOptions(ctx, temporalgraphc.UpdateResume,
			//	func(ctx workflow.Context, edit State) error { w.s = edit; return w.r.Resume() },
			//	workflow.UpdateHandlerOptions{Validator: func(edit State) error { ... not paused ... }}); ...
			b.If(jen.Err().Op(":=").Qual(sdkWorkflow, "SetQueryHandler").Call(jen.Id("ctx"), tp("QueryPaused"), jen.Func().Params().Params(jen.Op("*").Add(tp("Pause")), jen.Error()).Block(
				jen.Return(jen.Id("w").Dot("r").Dot("Paused").Call(), jen.Nil()),
			)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("s"), jen.Err()))
			b.If(jen.Err().Op(":=").Qual(sdkWorkflow, "SetUpdateHandlerWithOptions").Call(
				jen.Id("ctx"), tp("UpdateResume"),
				jen.Func().Params(jen.Id("ctx").Qual(sdkWorkflow, "Context"), jen.Id("edit").Add(e.stateT())).Error().Block(
					jen.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("Resume").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
					jen.Id("w").Dot("s").Op("=").Id("edit"),
					jen.Return(jen.Nil()),
				),
				jen.Qual(sdkWorkflow, "UpdateHandlerOptions").Values(jen.Dict{jen.Id("Validator"): jen.Func().Params(jen.Id("edit").Add(e.stateT())).Error().Block(
					jen.If(jen.Id("w").Dot("r").Dot("Paused").Call().Op("==").Nil()).Block(
						jen.Return(jen.Qual("errors", "New").Call(jen.Lit("graphc: the run is not paused at an interrupt"))),
					),
					jen.Return(jen.Nil()),
				)}),
			), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("s"), jen.Err()))
		}
		b.Err().Op(":=").Id("w").Dot("run").Call(jen.Id("ctx"), jen.Id("at").Dot("Node"), jen.Op("&").Id("w").Dot("s"))
		b.Return(jen.Id("w").Dot("s"), tp("Encode").Call(jen.Err()))
	})
	e.f.Line()
	e.f.Comment(fmt.Sprintf("%s is one execution of %sWorkflow: the bookkeeping its flows share, and the main flow's state, which the query reads.", e.wfType(), g.Name))
	e.f.Type().Id(e.wfType()).Struct(
		jen.Id("r").Add(tp("Runner")),
		jen.Id("s").Add(e.stateT()),
	)
	e.f.Line()
}

// temporalFlows emits one loop per region, like the executor's flows, with
// activities for handlers and coroutines for branches.
func (e *emitter) temporalFlows() {
	e.temporalFlow("run", nil, e.mainNodes(), "run runs the main flow from node n until it reaches __end__, or continues as new.")
	for _, f := range e.g.Forks {
		what := fmt.Sprintf("%s runs one branch forked at %q on *s, from node n until it reaches fan-in %q.", branchMethod(f), f.From.Name, f.FanIn.Name)
		if f.Map != nil {
			what = fmt.Sprintf("%s runs the flow of one item mapped at %q on *s, the item, from node n until it reaches fan-in %q.", branchMethod(f), f.From.Name, f.FanIn.Name)
		}
		e.temporalFlow(branchMethod(f), f, branchNodes(f), what)
	}
}

// temporalFlow emits the loop of one region:
//
//	func (w *researchWorkflow) run(ctx workflow.Context, n int, s *State) error {
//		for {
//			if w.r.ShouldContinue(ctx) { // the main flow only
//				return workflow.NewContinueAsNewError(ctx, ResearchWorkflowName+".continue", *s, w.r.Frontier(n))
//			}
//			switch n {
//			case researchNodeReview:
//				... the activity, the edge (see temporalStep) ...
//			}
//		}
//	}
func (e *emitter) temporalFlow(name string, region *graph.Fork, nodes []*graph.Node, comment string) {
	e.f.Comment(comment)
	e.f.Func().Params(jen.Id("w").Op("*").Id(e.wfType())).Id(name).Params(
		jen.Id("ctx").Qual(sdkWorkflow, "Context"), jen.Id("n").Int(), jen.Id("s").Op("*").Add(e.regionT(region)),
	).Error().Block(
		jen.For().BlockFunc(func(loop *jen.Group) {
			if region == nil {
				loop.If(jen.Id("w").Dot("r").Dot("ShouldContinue").Call(jen.Id("ctx"))).Block(
					jen.Return(jen.Qual(sdkWorkflow, "NewContinueAsNewError").Call(jen.Id("ctx"), jen.Id(e.g.Name+"WorkflowName").Op("+").Lit(".continue"), jen.Op("*").Id("s"), jen.Id("w").Dot("r").Dot("Frontier").Call(jen.Id("n")))),
				)
			}
			loop.Switch(jen.Id("n")).BlockFunc(func(sw *jen.Group) {
				for _, n := range nodes {
					sw.Case(jen.Id(e.nodeConst(n))).BlockFunc(func(c *jen.Group) {
						e.temporalStep(c, n)
					})
				}
				sw.Default().Block(jen.Return(jen.Op("&").Add(rt("NodeError")).Values(jen.Dict{
					jen.Id("Node"): jen.Id(e.namesVar()).Index(jen.Id("n")),
					jen.Id("Err"):  jen.Qual("errors", "New").Call(jen.Lit("graphc: node is not part of this flow")),
				})))
			})
		}),
	)
	e.f.Line()
}

// ret is the statement that ends a flow's step: return nil when the edge
// leads out of the region (__end__, or the fan-in of a branch), else the
// move to the next node's case.
func (e *emitter) jump(c *jen.Group, n *graph.Node, to *graph.Node) {
	if to == nil || (n.Region != nil && to == n.Region.FanIn) {
		c.Return(jen.Nil())
		return
	}
	c.Id("n").Op("=").Id(e.nodeConst(to))
	c.Continue()
}

// temporalStep emits the run of node n and its edge:
//
//	if err := temporalgraphc.Call(ctx, &w.r, researchNodePlan, researchActivityPlan, s); err != nil {
//		return err
//	}
//	n = researchNodeReview
//	continue
//
// A conditional node's activity returns the label, and the workflow
// switches on it:
//
//	route, err := temporalgraphc.CallRoute[State, ReviewRoute](ctx, &w.r, researchNodeReview, researchActivityReview, s)
//	if err != nil {
//		return err
//	}
//	switch route {
//	case ReviewRevise:
//		n = researchNodePlan
//		continue
//	case ReviewDone:
//		return nil
//	}
//	return w.r.BadRoute(researchNodeReview, "ReviewRoute", uint64(route))
func (e *emitter) temporalStep(c *jen.Group, n *graph.Node) {
	id := jen.Id(e.nodeConst(n))
	if e.interrupts(n, false) {
		c.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("Pause").Call(jen.Id("ctx"), id, rt("Before")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	}
	args := []jen.Code{jen.Id("ctx"), jen.Op("&").Id("w").Dot("r"), id, jen.Id(e.activityVar(n)), jen.Id("s")}
	if f := n.JoinOf; f != nil {
		args = append(args, jen.Id("in"+f.FanIn.GoName))
		if f.Select {
			args = append(args, jen.Id("sel"+f.FanIn.GoName))
		}
	}
	pauseAfter := func() {
		if e.interrupts(n, true) {
			c.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("Pause").Call(jen.Id("ctx"), id, rt("After")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		}
	}
	if n.Kind != graph.Cond || e.splitRoute(n) {
		c.If(jen.Err().Op(":=").Add(tp("Call")).Call(args...), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		pauseAfter()
	}
	switch n.Kind {
	case graph.Plain:
		e.jump(c, n, n.Next)
	case graph.Cond:
		if e.splitRoute(n) {
			c.List(jen.Id("route"), jen.Err()).Op(":=").Add(tp("Route")).Types(e.stateT(), jen.Id(n.RouteType)).Call(jen.Id("ctx"), jen.Op("&").Id("w").Dot("r"), id, jen.Id(e.routeActivityVar(n)), jen.Op("*").Id("s"))
		} else {
			c.List(jen.Id("route"), jen.Err()).Op(":=").Add(tp("CallRoute")).Types(e.valT(n), jen.Id(n.RouteType)).Call(args...)
		}
		c.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		c.Switch(jen.Id("route")).BlockFunc(func(sw *jen.Group) {
			for _, cs := range n.Cases {
				sw.Case(jen.Id(cs.Const)).BlockFunc(func(cc *jen.Group) { e.jump(cc, n, cs.Target) })
			}
		})
		c.Return(jen.Id("w").Dot("r").Dot("BadRoute").Call(id, jen.Lit(n.RouteType), jen.Uint64().Call(jen.Id("route"))))
	case graph.Parallel:
		e.temporalFork(c, n.Fork)
		e.temporalStep(c, n.Fork.FanIn)
	}
}

// temporalFork emits the fork f: a coroutine per branch, each on its own
// copy of the state (the workflow never changes a state in place: every
// activity's result is decoded into a new value), delivering into its slot
// of the join:
//
//	var inMerge MergeBranches
//	if err := w.r.Fork(ctx, researchNodePlan, researchForkPlan.Entries, func(ctx workflow.Context, i int) error {
//		b := *s
//		switch i {
//		case 0:
//			if err := w.branchPlan(ctx, researchNodeSearchWeb, &b); err != nil {
//				return err
//			}
//			inMerge.SearchWeb = b
//		...
//		}
//		return nil
//	}); err != nil {
//		return err
//	}
//
// A select fork first asks its select handler, in an activity of its own,
// which branches run; the others return at once and keep their zero value:
//
//	selMerge, err := temporalgraphc.Route[State, PlanSet](ctx, &w.r, researchNodePlan, researchActivitySelectPlan, *s)
//	if err != nil {
//		return err
//	}
//	if err := w.r.CheckSelect(researchNodePlan, uint64(selMerge), 2); err != nil {
//		return err
//	}
//	var inMerge MergeBranches
//	inMerge.ran = selMerge
//	... w.r.Fork as above, each branch starting with:
//		if selMerge&(1<<i) == 0 {
//			return nil
//		}
func (e *emitter) temporalFork(c *jen.Group, f *graph.Fork) {
	if f.Map != nil {
		e.temporalMap(c, f)
		return
	}
	in := "in" + f.FanIn.GoName
	sel := "sel" + f.FanIn.GoName
	from := jen.Id(e.nodeConst(f.From))
	var skip jen.Code = jen.Null()
	if f.Select {
		c.List(jen.Id(sel), jen.Err()).Op(":=").Add(tp("Route")).Types(e.stateT(), jen.Id(f.SetType)).Call(jen.Id("ctx"), jen.Op("&").Id("w").Dot("r"), from, jen.Id(e.selectActivityVar(f)), jen.Op("*").Id("s"))
		c.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		c.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("CheckSelect").Call(from, jen.Uint64().Call(jen.Id(sel)), jen.Lit(len(f.Branches))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
		skip = jen.If(jen.Id(sel).Op("&").Parens(jen.Lit(1).Op("<<").Id("i")).Op("==").Lit(0)).Block(jen.Return(jen.Nil()))
	}
	c.Comment(fmt.Sprintf("The branches forked at %q run as coroutines and meet at %q, which runs once all have delivered.", f.From.Name, f.FanIn.Name))
	c.Var().Id(in).Id(f.BranchesType)
	if f.Select {
		c.Id(in).Dot("ran").Op("=").Id(sel)
	}
	c.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("Fork").Call(
		jen.Id("ctx"), jen.Id(e.nodeConst(f.From)), jen.Id(e.forkVar(f)).Dot("Entries"),
		jen.Func().Params(jen.Id("ctx").Qual(sdkWorkflow, "Context"), jen.Id("i").Int()).Error().Block(
			skip,
			jen.Id("b").Op(":=").Op("*").Id("s"),
			jen.Switch(jen.Id("i")).BlockFunc(func(sw *jen.Group) {
				for i, br := range f.Branches {
					sw.Case(jen.Lit(i)).Block(
						jen.If(jen.Err().Op(":=").Id("w").Dot(branchMethod(f)).Call(jen.Id("ctx"), jen.Id(e.nodeConst(br)), jen.Op("&").Id("b")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
						jen.Id(in).Dot(br.GoName).Op("=").Id("b"),
					)
				}
			}),
			jen.Return(jen.Nil()),
		),
	), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
}

// temporalMap emits the map f: its items (the state's field, or what its
// items handler returns in an activity of its own), checked against
// max_items and temporalgraphc.MaxCoroutineItems, then a coroutine per item
// on that item, each delivering into its own slot of the fan-in's list, in
// input order:
//
//	itemsTotal, err := temporalgraphc.Items[State, Task](ctx, &w.r, mappedNodePrepare, mappedActivityItemsPrepare, *s)
//	if err != nil {
//		return err
//	}
//	// (a map over a field: itemsTotal := s.Tasks)
//	if err := w.r.CheckItems(mappedNodePrepare, len(itemsTotal), 10000); err != nil {
//		return err
//	}
//	var inTotal TotalItems
//	inTotal.Items = make([]Task, len(itemsTotal))
//	if err := w.r.Map(ctx, mappedNodePrepare, mappedNodeSquare, len(itemsTotal), func(ctx workflow.Context, i int) error {
//		d := itemsTotal[i]
//		if err := w.branchPrepare(ctx, mappedNodeSquare, &d); err != nil {
//			return err
//		}
//		inTotal.Items[i] = d
//		return nil
//	}); err != nil {
//		return err
//	}
//
// d shares memory with the list, which no one writes: the workflow never
// changes a value in place (every activity's result decodes into a new one).
func (e *emitter) temporalMap(c *jen.Group, f *graph.Fork) {
	m := f.Map
	in := "in" + f.FanIn.GoName
	items := "items" + f.FanIn.GoName
	from := func() *jen.Statement { return jen.Id(e.nodeConst(f.From)) }
	entry := jen.Id(e.nodeConst(f.Branches[0]))
	if itemsHandler(f) {
		c.List(jen.Id(items), jen.Err()).Op(":=").Add(tp("Items")).Types(e.stateT(), e.itemT(f)).Call(jen.Id("ctx"), jen.Op("&").Id("w").Dot("r"), from(), jen.Id(e.itemsActivityVar(f)), jen.Op("*").Id("s"))
		c.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	} else {
		c.Id(items).Op(":=").Id("s").Dot(m.Over)
	}
	c.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("CheckItems").Call(from(), jen.Len(jen.Id(items)), jen.Lit(m.MaxItems)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	c.Comment(fmt.Sprintf("Each item mapped at %q runs from %q as a coroutine; the items meet, in input order, at %q, which runs once all have delivered.", f.From.Name, f.Branches[0].Name, f.FanIn.Name))
	c.Var().Id(in).Id(f.BranchesType)
	c.Id(in).Dot(m.Field).Op("=").Make(jen.Index().Add(e.itemT(f)), jen.Len(jen.Id(items)))
	c.If(jen.Err().Op(":=").Id("w").Dot("r").Dot("Map").Call(
		jen.Id("ctx"), from(), entry, jen.Len(jen.Id(items)),
		jen.Func().Params(jen.Id("ctx").Qual(sdkWorkflow, "Context"), jen.Id("i").Int()).Error().Block(
			jen.Id("d").Op(":=").Id(items).Index(jen.Id("i")),
			jen.If(jen.Err().Op(":=").Id("w").Dot(branchMethod(f)).Call(jen.Id("ctx"), jen.Id(e.nodeConst(f.Branches[0])), jen.Op("&").Id("d")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Id(in).Dot(m.Field).Index(jen.Id("i")).Op("=").Id("d"),
			jen.Return(jen.Nil()),
		),
	), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
}

// probeItems is the list of items the differential test's probe gives map
// f: stress.Items' (the same in both executors, whatever their contexts),
// cut to a length the probe draws from its seed, so that runs see no item,
// one and many:
//
//	stress.Items[Doc](ctx, "plan")[:h.p.Items("plan", stress.ManyItems)]
func (e *emitter) probeItems(f *graph.Fork) *jen.Statement {
	return jen.Qual(StressPath, "Items").Types(e.itemT(f)).Call(jen.Id("ctx"), jen.Lit(f.From.Name)).Index(
		jen.Empty(), jen.Id("h").Dot("p").Dot("Items").Call(jen.Lit(f.From.Name), jen.Qual(StressPath, "ManyItems")),
	)
}

// TemporalTestPath is the package of the differential test's helpers.
const TemporalTestPath = TemporalPath + "/temporaltest"

// TemporalProbeType is the probe of the differential Temporal test.
func TemporalProbeType(g *graph.Graph) string { return lowerFirst(g.Name) + "TemporalProbe" }

// GenerateTemporalTest returns the gofmt'd source of the Temporal
// workflow's test file: Test<Graph>Temporal, which runs the graph under the
// local executor and as a Temporal workflow in the SDK's test environment
// with probes of the same seeds (temporaltest.Differential), and the probe.
func GenerateTemporalTest(in Input) ([]byte, error) {
	g := in.Graph
	e := &emitter{in: in, g: g, pfx: lowerFirst(g.Name)}
	e.newFile()
	e.f.ImportAlias(TemporalPath, temporalAlias)
	probe := TemporalProbeType(g)
	probeT := func() *jen.Statement { return jen.Op("*").Qual(TemporalTestPath, "Probe") }
	paused := len(g.Config.InterruptBefore)+len(g.Config.InterruptAfter) > 0

	// Local: func(ctx context.Context, p *temporaltest.Probe, s State) (State, error) {
	//	return NewResearch(researchTemporalProbe{p}).Invoke(ctx, s)
	// }
	// With interrupts, the run is durable and resumed at each pause, as the
	// workflow is by the update temporaltest sends:
	//	g := NewApproval(approvalTemporalProbe{p}, runtime.WithStore(runtime.NewMemoryStore()), runtime.WithThread("differential"))
	//	out, err := g.Invoke(ctx, s)
	//	for errors.As(err, new(*runtime.Interrupted)) {
	//		out, err = g.Resume(ctx, "differential", WithApprovalUpdate(func(s *State) error {
	//			stress.Mutate(s) // the edit temporaltest sends with the update
	//			return nil
	//		}))
	//	}
	//	return out, err
	local := jen.Func().Params(jen.Id("ctx").Add(ctxT()), jen.Id("p").Add(probeT()), jen.Id("s").Add(e.stateT())).Params(e.stateT(), jen.Error())
	if paused {
		local = local.Block(
			jen.Id("g").Op(":=").Id("New"+g.Name).Call(jen.Id(probe).Values(jen.Id("p")), rt("WithStore").Call(rt("NewMemoryStore").Call()), rt("WithThread").Call(jen.Lit("differential"))),
			jen.List(jen.Id("out"), jen.Err()).Op(":=").Id("g").Dot("Invoke").Call(jen.Id("ctx"), jen.Id("s")),
			jen.For(jen.Qual("errors", "As").Call(jen.Err(), jen.New(jen.Op("*").Add(rt("Interrupted"))))).Block(
				jen.List(jen.Id("out"), jen.Err()).Op("=").Id("g").Dot("Resume").Call(jen.Id("ctx"), jen.Lit("differential"), jen.Id("With"+g.Name+"Update").Call(
					jen.Func().Params(jen.Id("s").Op("*").Add(e.stateT())).Error().Block(
						jen.Qual(StressPath, "Mutate").Call(jen.Id("s")).Comment("the edit temporaltest sends with the update"),
						jen.Return(jen.Nil()),
					),
				)),
			),
			jen.Return(jen.Id("out"), jen.Err()),
		)
	} else {
		local = local.Block(jen.Return(jen.Id("New"+g.Name).Call(jen.Id(probe).Values(jen.Id("p"))).Dot("Invoke").Call(jen.Id("ctx"), jen.Id("s"))))
	}
	var joins []jen.Code
	for _, f := range g.Forks {
		var branches []jen.Code
		for _, br := range f.Branches {
			if !f.Select && f.Map == nil { // a select fork runs only the branches picked, a map maybe no item
				branches = append(branches, jen.Lit(br.Name))
			}
		}
		joins = append(joins, jen.Values(jen.Dict{
			jen.Id("Fork"):     jen.Lit(f.From.Name),
			jen.Id("Branches"): jen.Index().String().Values(branches...),
			jen.Id("FanIn"):    jen.Lit(f.FanIn.Name),
		}))
	}
	fields := jen.Dict{
		jen.Id("Local"): local,
		jen.Id("Register"): jen.Func().Params(jen.Id("w").Qual(sdkWorker, "Registry"), jen.Id("p").Add(probeT())).Block(
			jen.Id("Register"+g.Name).Call(jen.Id("w")),
			jen.Id("Register"+g.Name+"Activities").Call(jen.Id("w"), jen.Id(probe).Values(jen.Id("p"))),
		),
		jen.Id("Workflow"): jen.Id(g.Name + "Workflow"),
	}
	if len(joins) > 0 {
		fields[jen.Id("Joins")] = jen.Index().Qual(TemporalTestPath, "Join").Values(joins...)
	}
	var unordered []jen.Code
	for _, n := range g.Nodes {
		if n.IsItem() {
			unordered = append(unordered, jen.Lit(n.Name))
		}
	}
	if len(unordered) > 0 {
		// The items of a map run concurrently: their nodes' visits come in
		// any order.
		fields[jen.Id("Unordered")] = jen.Index().String().Values(unordered...)
	}
	if paused {
		fields[jen.Id("Interrupts")] = jen.True()
	}
	e.f.Add(doc(fmt.Sprintf("Test%sTemporal runs the %s graph with probe handlers under the local executor and as the Temporal workflow %sWorkflow in the SDK's test environment (no server), for many seeds, and checks that both end alike (the same final state, or the same error), that every node was given the same inputs visit by visit, and that every fork ran its fan-in once and each branch at least once. Routes depend only on the seed, the run, the node and its visit (stress.Decide).", g.Name, g.Name, g.Name),
		"Scale it with -temporal.runs; replay a failure with the -temporal.seed it prints."))
	e.f.Func().Id("Test" + g.Name + "Temporal").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		jen.Qual(TemporalTestPath, "Differential").Call(jen.Id("t"), jen.Qual(TemporalTestPath, "Graph").Types(e.stateT()).Values(fields)),
	)
	e.f.Line()

	e.f.Add(doc(fmt.Sprintf("%s implements %sHandlers for Test%sTemporal: every node records what it was given and changes its state in place (stress.Mutate); every route is decided by the probe's seed.", probe, g.Name, g.Name)))
	e.f.Type().Id(probe).Struct(jen.Id("p").Add(probeT()))
	e.f.Line()
	recv := func() *jen.Statement { return jen.Func().Params(jen.Id("h").Id(probe)) }
	for _, n := range g.Nodes {
		params := []jen.Code{jen.Id("ctx").Add(ctxT()), jen.Id("s").Add(e.valT(n))}
		enter := []jen.Code{jen.Lit(n.Name), jen.Id("s")}
		if f := n.JoinOf; f != nil {
			params = append(params, jen.Id("in").Id(f.BranchesType))
			enter = append(enter, jen.Id("in"))
			if f.Select {
				enter = append(enter, jen.Id("in").Dot("Ran").Call()) // JSON leaves the set out of in
			}
		}
		// h.p.Enter("plan", s); stress.Mutate(&s); return s, nil
		var items jen.Code = jen.Null()
		if f := n.Fork; f != nil && f.Map != nil && f.Map.Over != "" {
			// s.Docs = stress.Items[Doc](ctx, "plan")[:h.p.Items("plan", stress.ManyItems)]: 0 to 12 items, by the seed.
			items = jen.Id("s").Dot(f.Map.Over).Op("=").Add(e.probeItems(f))
		}
		e.f.Add(recv().Id(n.GoName).Params(params...).Params(e.valT(n), jen.Error()).Block(
			jen.Id("h").Dot("p").Dot("Enter").Call(enter...),
			jen.Qual(StressPath, "Mutate").Call(jen.Op("&").Id("s")),
			items,
			jen.Return(jen.Id("s"), jen.Nil()),
		))
		e.f.Line()
		if f := n.Fork; itemsHandler(f) {
			// return stress.Items[Task](ctx, "prepare")[:h.p.Items("prepare", stress.ManyItems)], nil
			e.f.Add(recv().Id(f.Map.ItemsMethod).Params(jen.Id("ctx").Add(ctxT()), jen.Id("s").Add(e.stateT())).Params(jen.Index().Add(e.itemT(f)), jen.Error()).Block(
				jen.Return(e.probeItems(f), jen.Nil()),
			))
			e.f.Line()
		}
		if f := n.Fork; f != nil && f.Select {
			// return PlanSet(h.p.Select("plan", 3)), nil
			e.f.Add(recv().Id(f.SelectMethod()).Params(jen.Id("ctx").Add(ctxT()), jen.Id("s").Add(e.stateT())).Params(jen.Id(f.SetType), jen.Error()).Block(
				jen.Return(jen.Id(f.SetType).Call(jen.Id("h").Dot("p").Dot("Select").Call(jen.Lit(n.Name), jen.Lit(len(f.Branches)))), jen.Nil()),
			))
			e.f.Line()
		}
		if n.Kind == graph.Cond {
			// return ReviewRoute(1 + h.p.Choose("review", 2, 1)), nil
			choose := jen.Id("h").Dot("p").Dot("Choose").Call(jen.Lit(n.Name), jen.Lit(len(n.Cases)), jen.Lit(n.Exit))
			if n.IsItem() {
				// Items run concurrently: an item node's visits are counted
				// per item (by its value), not in the order they come.
				choose = jen.Id("h").Dot("p").Dot("ChooseFor").Call(jen.Lit(n.Name), jen.Id("s"), jen.Lit(len(n.Cases)), jen.Lit(n.Exit))
			}
			e.f.Add(recv().Id(n.RouteMethod).Params(jen.Id("ctx").Add(ctxT()), jen.Id("s").Add(e.valT(n))).Params(jen.Id(n.RouteType), jen.Error()).Block(
				jen.Return(jen.Id(n.RouteType).Call(jen.Lit(1).Op("+").Add(choose)), jen.Nil()),
			))
			e.f.Line()
		}
	}
	var buf bytes.Buffer
	if err := e.f.Render(&buf); err != nil {
		return nil, fmt.Errorf("graphc: rendering the Temporal test of %s: %w", in.Source, err)
	}
	return buf.Bytes(), nil
}
