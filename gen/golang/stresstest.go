package golang

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen/graph"
)

// StressPath is the import path of the stress harness generated tests use.
const StressPath = "github.com/graphc/graphc/runtime/stress"

// GenerateTest returns the gofmt'd source of the graph's generated test
// file: Test<Graph>Stress, which drives the graph with probe handlers
// through the stress harness, and Stress<Graph>, which does the same with
// any handlers. Like the executor, it is built, rendered and formatted in
// parts side by side (see renderParts): the probe has a method per node
// and per route.
func GenerateTest(in Input) ([]byte, error) {
	e := &emitter{in: in, g: in.Graph, pfx: lowerFirst(in.Graph.Name)}
	src, err := e.renderParts(e.testParts())
	if err != nil {
		return nil, fmt.Errorf("graphc: rendering the test of %s: %w", in.Source, err)
	}
	return src, nil
}

// testParts returns the test file's declarations, in order, as parts (see
// renderParts), each weighed by the KB its nodes' code takes.
func (e *emitter) testParts() []part {
	parts := []part{{weight: 1, emit: (*emitter).stressFuncs}}
	for _, c := range chunks(e.g.Nodes, func(*graph.Node) int { return 1 }) {
		parts = append(parts, part{weight: 2 * len(c) / 10, emit: func(e *emitter) { e.probeMethods(c) }})
	}
	return parts
}

// stressFuncs emits the test functions, Stress<Graph> and the probe type.
func (e *emitter) stressFuncs() {
	g := e.g
	probe := ProbeType(g)

	// func TestResearchStress(t *testing.T) { StressResearch(t, researchProbe{}, nil) }
	e.f.Add(doc(
		fmt.Sprintf("Test%sStress runs the %s graph many times at once with probe handlers that pass the state through and draw routes at random (biased to leave loops), and checks through the runtime's events that every fork activation delivered each branch's state to its join exactly once, that each fan-in ran once and only after all its branches, and that no goroutine outlived a run.", g.Name, g.Name),
		"Scale it with -stress.runs, -stress.parallel, -stress.jitter, -stress.procs and -stress.timeout; cut every run at a random record and resume it with -stress.crash; replay a failure with the -stress.seed it prints.",
	))
	e.f.Func().Id("Test" + g.Name + "Stress").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		jen.Id("Stress"+g.Name).Call(jen.Id("t"), jen.Id(probe).Values(), jen.Nil()),
	)
	e.f.Line()

	if !g.Config.NoCheckpoints {
		// func TestResearchCheckpointJSON(t *testing.T) { stress.CheckJSON[State](t, 100) }
		e.f.Add(doc(fmt.Sprintf("Test%sCheckpointJSON checks that 100 random %s values, with something in every part, come back from encoding/json as they were: checkpoints carry the state through it.", g.Name, g.State.Type)))
		e.f.Func().Id(CodecTestName(g)).Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
			jen.Qual(StressPath, "CheckJSON").Types(e.stateT()).Call(jen.Id("t"), jen.Lit(100)),
		)
		e.f.Line()
	}

	// func StressResearch(t testing.TB, h ResearchHandlers, newState func() State, opts ...stress.Option) stress.Report {
	//	t.Helper()
	//	g := NewResearch(h)
	//	return stress.Run(t, func(ctx context.Context, observe runtime.Option) (State, error) {
	//		var s State
	//		if newState != nil { s = newState() }
	//		return g.Invoke(ctx, s, observe)
	//	}, append([]stress.Option{stress.Resume(g.Resume), stress.Durable() /* graphs with interrupts */}, opts...)...)
	// }
	e.f.Add(doc(fmt.Sprintf("Stress%s stresses the %s graph with h — your own handlers, or the probe — starting each run from newState() (the zero %s when nil), and returns what the harness measured. Call it from your own tests.",
		g.Name, g.Name, g.State.Type)))
	e.f.Func().Id("Stress"+g.Name).Params(
		jen.Id("t").Qual("testing", "TB"),
		jen.Id("h").Id(g.Name+"Handlers"),
		jen.Id("newState").Func().Params().Add(e.stateT()),
		jen.Id("opts").Op("...").Qual(StressPath, "Option"),
	).Qual(StressPath, "Report").Block(
		jen.Id("t").Dot("Helper").Call(),
		jen.Id("g").Op(":=").Id("New"+g.Name).Call(jen.Id("h")),
		jen.Return(jen.Qual(StressPath, "Run").Call(
			jen.Id("t"),
			jen.Func().Params(jen.Id("ctx").Add(ctxT()), jen.Id("observe").Add(rt("Option"))).Params(e.stateT(), jen.Error()).Block(
				jen.Var().Id("s").Add(e.stateT()),
				jen.If(jen.Id("newState").Op("!=").Nil()).Block(jen.Id("s").Op("=").Id("newState").Call()),
				jen.Return(jen.Id("g").Dot("Invoke").Call(jen.Id("ctx"), jen.Id("s"), jen.Id("observe"))),
			),
			e.stressOpts(),
		)),
	)
	e.f.Line()

	probeDoc := fmt.Sprintf("%s implements %sHandlers for the stress test: every node returns its state unchanged and every route is drawn by the harness.", probe, g.Name)
	if len(g.Forks) > 0 {
		probeDoc = fmt.Sprintf("%s implements %sHandlers for the stress test: fork nodes fill the state with something in every part (stress.Fill), every other node changes in place every mutable part it can reach (stress.Mutate), so that memory shared between branches is a data race or a change of the fork-time state that the harness reports; every route is drawn by the harness.", probe, g.Name)
	}
	e.f.Add(doc(probeDoc))
	e.f.Type().Id(probe).Struct()
	e.f.Line()
}

// probeMethods emits the probe's methods of nodes: the handler of each,
// and its route, items or selection handler.
func (e *emitter) probeMethods(nodes []*graph.Node) {
	g := e.g
	probe := ProbeType(g)
	recv := func() *jen.Statement { return jen.Func().Params(jen.Id(probe)) }
	for _, n := range nodes {
		arg := jen.Id(e.arg(n))
		params := []jen.Code{jen.Id("ctx").Add(ctxT()), jen.Id(e.arg(n)).Add(e.valT(n))}
		if f := n.JoinOf; f != nil {
			params = append(params, jen.Id("in").Id(f.BranchesType))
		}
		var body []jen.Code
		switch {
		case len(g.Forks) == 0:
		case n.Kind == graph.Parallel:
			// stress.Fill(ctx, "plan", &s): something in every part, for the branches to copy.
			body = append(body, jen.Qual(StressPath, "Fill").Call(jen.Id("ctx"), jen.Lit(n.Name), jen.Op("&").Id("s")))
			if m := n.Fork.Map; m != nil && m.Over != "" {
				// s.Docs = stress.Items[Doc](ctx, "plan"): 0, 1 or many items.
				body = append(body, jen.Id("s").Dot(m.Over).Op("=").Qual(StressPath, "Items").Types(e.itemT(n.Fork)).Call(jen.Id("ctx"), jen.Lit(n.Name)))
			}
		default:
			// stress.Mutate(&s): write every mutable part in place, so that
			// memory a copy shares is a race or a changed fork-time state.
			body = append(body, jen.Qual(StressPath, "Mutate").Call(jen.Op("&").Add(arg)))
		}
		body = append(body, jen.Return(arg, jen.Nil()))
		e.f.Add(recv().Id(n.GoName).Params(params...).Params(e.valT(n), jen.Error()).Block(body...))
		e.f.Line()
		if n.Kind == graph.Cond {
			// return ReviewRoute(1 + stress.Choose(ctx, "review", 2, 1)), nil
			e.f.Add(recv().Id(n.RouteMethod).Params(jen.Id("ctx").Add(ctxT()), jen.Id(e.arg(n)).Add(e.valT(n))).Params(jen.Id(n.RouteType), jen.Error()).Block(
				jen.Return(jen.Id(n.RouteType).Call(jen.Lit(1).Op("+").Qual(StressPath, "Choose").Call(
					jen.Id("ctx"), jen.Lit(n.Name), jen.Lit(len(n.Cases)), jen.Lit(n.Exit),
				)), jen.Nil()),
			))
			e.f.Line()
		}
		if f := n.Fork; f != nil && f.Map != nil && f.Map.ItemsMethod != "" {
			// return stress.Items[Task](ctx, "plan"), nil
			e.f.Add(recv().Id(f.Map.ItemsMethod).Params(jen.Id("ctx").Add(ctxT()), jen.Id("s").Add(e.stateT())).Params(jen.Index().Add(e.itemT(f)), jen.Error()).Block(
				jen.Return(jen.Qual(StressPath, "Items").Types(e.itemT(f)).Call(jen.Id("ctx"), jen.Lit(n.Name)), jen.Nil()),
			))
			e.f.Line()
		}
		if f := n.Fork; f != nil && f.Select {
			// return PlanSet(stress.Select(ctx, "plan", 3)), nil
			e.f.Add(recv().Id(f.SelectMethod()).Params(jen.Id("ctx").Add(ctxT()), jen.Id("s").Add(e.stateT())).Params(jen.Id(f.SetType), jen.Error()).Block(
				jen.Return(jen.Id(f.SetType).Call(jen.Qual(StressPath, "Select").Call(jen.Id("ctx"), jen.Lit(n.Name), jen.Lit(len(f.Branches)))), jen.Nil()),
			))
			e.f.Line()
		}
	}
}

// TestName is the generated test file's name for a generated file name:
// research_graph.go -> research_graph_test.go.
func TestName(out string) string { return out[:len(out)-len(".go")] + "_test.go" }

// ProbeType is the name of the probe handler type in the generated test.
func ProbeType(g *graph.Graph) string { return lowerFirst(g.Name) + "Probe" }

// CodecTestName is the name of the generated test of the state's JSON round
// trip (absent with checkpoints: false).
func CodecTestName(g *graph.Graph) string { return "Test" + g.Name + "CheckpointJSON" }

// stressOpts are the options the generated Stress<Graph> gives stress.Run:
// Resume, so that -stress.crash can cut and resume runs (not for a graph
// with checkpoints: false), and Durable for a graph with interrupts.
//
//	append([]stress.Option{stress.Resume(g.Resume), stress.Durable()}, opts...)...
func (e *emitter) stressOpts() jen.Code {
	g := e.g
	if g.Config.NoCheckpoints {
		return jen.Id("opts").Op("...")
	}
	return jen.Append(jen.Index().Qual(StressPath, "Option").ValuesFunc(func(v *jen.Group) {
		v.Qual(StressPath, "Resume").Call(jen.Id("g").Dot("Resume"))
		if len(g.Config.InterruptBefore)+len(g.Config.InterruptAfter) > 0 {
			v.Qual(StressPath, "Durable").Call()
		}
	}), jen.Id("opts").Op("...")).Op("...")
}
