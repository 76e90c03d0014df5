package golang

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/graphc/graphc/gen/graph"
)

// policyVar is the variable holding node n's runtime.NodePolicy.
func (e *emitter) policyVar(n *graph.Node) string { return e.pfx + "Policy" + n.GoName }

// invoke is the call of node n's handler (its route handler when route is
// set) with args, assigning lhs. A node without a policy calls its handler
// directly unless the run has hooks:
//
//	if x.Hooked() {
//		out, err = g.call(ctx, x, in, n, s)
//	} else {
//		out, err = g.h.Plan(ctx, *s)
//	}
//
// A node with a policy always goes through the runtime (see callShared and
// callMethods), which runs the attempts, the timeouts and the backoff. The
// call goes out of line so that the closure it builds takes no room in the
// flow's frame: a flow's frame is paid by every branch goroutine, whose
// stack starts small.
func (e *emitter) invoke(n *graph.Node, route bool, lhs []jen.Code, args []jen.Code) jen.Code {
	method := n.GoName
	if route {
		method = n.RouteMethod
	}
	var extra []jen.Code
	if f := n.JoinOf; f != nil && !route {
		extra = append(extra, jen.Id("j"+f.FanIn.GoName).Dot("in"))
	}
	viaRuntime := jen.List(lhs...).Op("=").Add(e.callVia(jen.Id("g"), n, route, jen.Id("s"), extra...))
	if n.Policy != nil {
		return viaRuntime
	}
	return jen.If(jen.Id("x").Dot("Hooked").Call()).Block(viaRuntime).Else().Block(
		jen.List(lhs...).Op("=").Id("g").Dot("h").Dot(method).Call(args...),
	)
}

// callVia is the call, on the executor g, of the method that calls n's
// handler (or route handler) through the runtime on the state s points to:
// the shared call method, given the node running, or n's own method (see
// shares):
//
//	g.call(ctx, x, in, n, s)
//	g.callRouteReview(ctx, x, in, s)
//
// Every flow that calls a handler holds the node running in n.
func (e *emitter) callVia(g jen.Code, n *graph.Node, route bool, s jen.Code, extra ...jen.Code) *jen.Statement {
	args := []jen.Code{jen.Id("ctx"), jen.Id("x"), jen.Id("in")}
	name := callMethod(n, route)
	if shares(n, route) {
		name = "call"
		args = append(args, jen.Id("n")) // the node running: see call
	}
	args = append(append(args, s), extra...)
	return jen.Add(g).Dot(name).Call(args...)
}

// shares reports whether n's handler (not its route handler) is called
// through the runtime by the executor's one call method (see callShared),
// which the nodes of the main flow whose handler takes the state and
// nothing else share. The others have a method of their own (see
// callMethods): a fan-in (its handler takes its branches too), a route
// handler (its result is the node's own enum), and a node of a branch or
// of a map's item, which runs on a goroutine of its own: that goroutine's
// stack starts small, and growing it decodes the pc tables of every
// function on it up to where it stands, which for a switch with a case per
// node grows with the graph (see branchStartMethods).
func shares(n *graph.Node, route bool) bool { return !route && n.JoinOf == nil && n.Region == nil }

// ownCall reports whether n has a call method of its own (see callMethods)
// for its handler, or with route for its route handler.
func ownCall(n *graph.Node, route bool) bool {
	return (!route || n.Kind == graph.Cond) && !shares(n, route)
}

// callMethod names the method of n's own that calls its handler (or route
// handler) through the runtime.
func callMethod(n *graph.Node, route bool) string {
	if route {
		return "callRoute" + n.GoName
	}
	return "call" + n.GoName
}

// callShared emits the executor's call method, which calls the handler of
// any node that shares it (see shares) through the runtime, with the node's
// policy (nil without one) and the run's hooks, and its handle method, which
// calls the handler. One method with a case per node, rather than a method
// per node, because a method declaration costs gofmt far more than a case
// (it sizes every parameter list): on a graph of 10,000 nodes the methods
// took a fifth of graphc generate's time. The switch is a method of its own
// rather than the body of call's closure, because gofmt prints a function
// literal passed as an argument twice (once to size it).
//
//	//go:noinline
//	func (g *Research) call(ctx context.Context, x *runtime.Exec[State], in runtime.Branch, n int, s *State) (State, error) {
//		return runtime.Call(ctx, x, in, n, g.policy(n), func(ctx context.Context) (State, error) {
//			return g.handle(ctx, n, s)
//		})
//	}
//
//	func (g *Research) handle(ctx context.Context, n int, s *State) (State, error) {
//		switch n {
//		case researchNodePlan:
//			return g.h.Plan(ctx, *s)
//		...
//		}
//		panic("unreachable: ...")
//	}
//
//	func (g *Research) policy(n int) *runtime.NodePolicy {
//		switch n {
//		case researchNodeFetchPapers:
//			return &researchPolicyFetchPapers
//		}
//		return nil
//	}
//
// policy is there only when one of the nodes has a policy (else call
// passes nil); no local variable is declared, since the state type may
// have any name generated code does not give one (see
// graph.GeneratedLocal).
func (e *emitter) callShared(nodes []*graph.Node) {
	var policies []*graph.Node
	for _, n := range nodes {
		if n.Policy != nil {
			policies = append(policies, n)
		}
	}
	e.f.Comment("call calls the handler of node n, one of those handle lists, through the runtime, which applies the node's policy and the run's hooks. It is never inlined: the closure it builds would take room in every flow's frame.")
	e.f.Comment("")
	e.f.Comment("//go:noinline")
	policy := jen.Nil()
	if len(policies) > 0 {
		policy = jen.Id("g").Dot("policy").Call(jen.Id("n"))
	}
	params := append(e.ctxParams(), jen.Id("n").Int(), jen.Id("s").Op("*").Add(e.stateT()))
	e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id("call").Params(params...).Params(e.stateT(), jen.Error()).Block(
		jen.Return(rt("Call").Call(jen.Id("ctx"), jen.Id("x"), jen.Id("in"), jen.Id("n"), policy,
			jen.Func().Params(jen.Id("ctx").Qual("context", "Context")).Params(e.stateT(), jen.Error()).Block(
				jen.Return(jen.Id("g").Dot("handle").Call(jen.Id("ctx"), jen.Id("n"), jen.Id("s"))),
			))),
	)
	e.f.Line()
	e.f.Comment("handle calls the handler of node n on a copy of *s, for call: n is a node of the main flow whose handler takes the state alone.")
	e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id("handle").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("n").Int(), jen.Id("s").Op("*").Add(e.stateT())).Params(e.stateT(), jen.Error()).Block(
		jen.Switch(jen.Id("n")).BlockFunc(func(c *jen.Group) {
			for _, n := range nodes {
				c.Case(jen.Id(e.nodeConst(n))).Block(jen.Return(jen.Id("g").Dot("h").Dot(n.GoName).Call(jen.Id("ctx"), jen.Op("*").Id("s"))))
			}
		}),
		jen.Panic(jen.Lit("unreachable: handle is given the constant of a node it lists")),
	)
	e.f.Line()
	if len(policies) == 0 {
		return
	}
	e.f.Comment("policy is the policy of node n, for call; nil for a node without one.")
	e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id("policy").Params(jen.Id("n").Int()).Op("*").Add(rt("NodePolicy")).Block(
		jen.Switch(jen.Id("n")).BlockFunc(func(c *jen.Group) {
			for _, n := range policies {
				c.Case(jen.Id(e.nodeConst(n))).Block(jen.Return(jen.Op("&").Id(e.policyVar(n))))
			}
		}),
		jen.Return(jen.Nil()),
	)
	e.f.Line()
}

// callMethods emits, per node that does not share the executor's call
// method (see shares), the methods that call its handler and its route
// handler through the runtime, with the node's policy (nil without one)
// and the run's hooks, passing the handler as a method value (a closure
// per method cost gofmt twice its printing, to size it as an argument):
//
//	// callRouteReview calls RouteReview through the runtime: ... (the
//	// first method only)
//	//
//	//go:noinline
//	func (g *Research) callRouteReview(ctx context.Context, x *runtime.Exec[State], in runtime.Branch, s *State) (ReviewRoute, error) {
//		return runtime.CallRouteHandler(ctx, x, in, researchNodeReview, nil, g.h.RouteReview, s)
//	}
//
// A fan-in's goes through runtime.CallFanIn, with its branches.
func (e *emitter) callMethods(nodes []*graph.Node) {
	for _, n := range nodes {
		for _, route := range []bool{false, true} {
			if !ownCall(n, route) {
				continue
			}
			method, fn, result := n.GoName, "CallHandler", e.valT(n)
			if route {
				method, fn, result = n.RouteMethod, "CallRouteHandler", jen.Id(n.RouteType)
			}
			policy := jen.Nil()
			if n.Policy != nil {
				policy = jen.Op("&").Id(e.policyVar(n))
			}
			params := append(e.ctxParams(), jen.Id("s").Op("*").Add(e.valT(n)))
			args := []jen.Code{jen.Id("ctx"), jen.Id("x"), jen.Id("in"), jen.Id(e.nodeConst(n)), policy, jen.Id("g").Dot("h").Dot(method), jen.Id("s")}
			if f := n.JoinOf; f != nil && !route {
				fn = "CallFanIn"
				params = append(params, jen.Id("b").Id(f.BranchesType))
				args = append(args, jen.Id("b"))
			}
			if n == e.firstOwn && route == e.firstOwnRoute {
				// One doc for the family, not a copy per node: on a graph
				// of 10,000 nodes the copies were 1.7 MB of the file.
				e.f.Comment(fmt.Sprintf("%s calls %s through the runtime, which applies the node's policy and the run's hooks; so does each call<Node> and callRoute<Node> method below, for its handler. They are never inlined: the method value and the closure around it would take room in every flow's frame.", callMethod(n, route), method))
				e.f.Comment("")
			}
			e.f.Comment("//go:noinline")
			e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id(callMethod(n, route)).Params(params...).Params(result, jen.Error()).Block(
				jen.Return(rt(fn).Call(args...)),
			)
			e.f.Line()
		}
	}
}

// policies emits one runtime.NodePolicy per node that has a policy:
//
//	// researchPolicyFetchPapers is how node "fetch_papers" is called: ...
//	var researchPolicyFetchPapers = runtime.NodePolicy{Timeout: 20 * time.Second, Retry: runtime.Retry{...}}
func (e *emitter) policies() {
	for _, n := range e.g.Nodes {
		p := n.Policy
		if p == nil {
			continue
		}
		e.f.Add(doc(fmt.Sprintf("%s is how node %q is called: %s.", e.policyVar(n), n.Name, describePolicy(p))))
		fields := jen.Dict{}
		if p.Timeout > 0 {
			fields[jen.Id("Timeout")] = durationLit(p.Timeout)
		}
		if p.Attempts > 1 {
			retry := jen.Dict{
				jen.Id("Attempts"): jen.Lit(p.Attempts),
				jen.Id("Initial"):  durationLit(p.Initial),
				jen.Id("Backoff"):  jen.Lit(p.Backoff),
				jen.Id("Max"):      durationLit(p.Max),
			}
			if p.Jitter {
				retry[jen.Id("Jitter")] = jen.True()
			}
			if p.Panics {
				retry[jen.Id("Panics")] = jen.True()
			}
			fields[jen.Id("Retry")] = rt("Retry").Values(retry)
		}
		e.f.Var().Id(e.policyVar(n)).Op("=").Add(rt("NodePolicy")).Values(fields)
		e.f.Line()
	}
}

// describePolicy says what p does, for doc comments and diagrams' readers.
func describePolicy(p *graph.NodePolicy) string {
	var parts []string
	if p.Timeout > 0 {
		parts = append(parts, fmt.Sprintf("each attempt times out after %v", p.Timeout))
	}
	if p.Attempts > 1 {
		jitter := ""
		if p.Jitter {
			jitter = ", with full jitter"
		}
		panics := ""
		if p.Panics {
			panics = ", panics included"
		}
		parts = append(parts, fmt.Sprintf("up to %d attempts, waiting %v after the first failure, ×%s after each further one, at most %v%s%s",
			p.Attempts, p.Initial, strconv.FormatFloat(p.Backoff, 'g', -1, 64), p.Max, jitter, panics))
	} else {
		parts = append(parts, "one attempt")
	}
	return strings.Join(parts, "; ")
}

// durationLit writes d as Go reads it best: 20 * time.Second, 1500 * time.Millisecond.
func durationLit(d time.Duration) jen.Code {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"}, {time.Millisecond, "Millisecond"}, {time.Microsecond, "Microsecond"}} {
		if d%u.unit == 0 {
			if d == u.unit {
				return jen.Qual("time", u.name)
			}
			return jen.Lit(int(d/u.unit)).Op("*").Qual("time", u.name)
		}
	}
	return jen.Qual("time", "Duration").Call(jen.Lit(int64(d)))
}
