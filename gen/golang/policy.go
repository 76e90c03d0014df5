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
// set) with args, assigning lhs; id is the node's identifier. A node
// without a policy calls its handler directly unless the run has hooks:
//
//	if x.Hooked() {
//		out, err = g.callPlan(ctx, x, in, s)
//	} else {
//		out, err = g.h.Plan(ctx, *s)
//	}
//
// A node with a policy always goes through its call method (see
// callMethods), which hands the handler to the runtime to run the
// attempts, the timeouts and the backoff. The call goes out of line so that
// the closure it builds takes no room in the flow's frame: a flow's frame
// is paid by every branch goroutine, whose stack starts small.
func (e *emitter) invoke(n *graph.Node, route bool, id jen.Code, lhs []jen.Code, args []jen.Code) jen.Code {
	method := n.GoName
	if route {
		method = n.RouteMethod
	}
	callArgs := []jen.Code{jen.Id("ctx"), jen.Id("x"), jen.Id("in"), jen.Id("s")}
	if f := n.JoinOf; f != nil && !route {
		callArgs = append(callArgs, jen.Id("j"+f.FanIn.GoName).Dot("in"))
	}
	viaRuntime := jen.List(lhs...).Op("=").Id("g").Dot(callMethod(n, route)).Call(callArgs...)
	if n.Policy != nil {
		return viaRuntime
	}
	return jen.If(jen.Id("x").Dot("Hooked").Call()).Block(viaRuntime).Else().Block(
		jen.List(lhs...).Op("=").Id("g").Dot("h").Dot(method).Call(args...),
	)
}

// callMethod names the method that calls n's handler (or route handler)
// through the runtime.
func callMethod(n *graph.Node, route bool) string {
	if route {
		return "callRoute" + n.GoName
	}
	return "call" + n.GoName
}

// callMethods emits, per node, the methods that call its handler and its
// route handler through the runtime, with the node's policy (nil without
// one) and the run's hooks:
//
//	// callFetchPapers calls FetchPapers through the runtime: ... (the
//	// first method only)
//	//
//	//go:noinline
//	func (g *Research) callFetchPapers(ctx context.Context, x *runtime.Exec[State], in runtime.Branch, s *State) (State, error) {
//		return runtime.Call(ctx, x, in, researchNodeFetchPapers, &researchPolicyFetchPapers, func(ctx context.Context) (State, error) {
//			return g.h.FetchPapers(ctx, *s)
//		})
//	}
func (e *emitter) callMethods(nodes []*graph.Node) {
	for _, n := range nodes {
		for _, route := range []bool{false, true} {
			if route && n.Kind != graph.Cond {
				continue
			}
			method, fn, result := n.GoName, "Call", e.valT(n)
			if route {
				method, fn, result = n.RouteMethod, "CallRoute", jen.Id(n.RouteType)
			}
			params := append(e.ctxParams(), jen.Id("s").Op("*").Add(e.valT(n)))
			args := []jen.Code{jen.Id("ctx"), jen.Op("*").Id("s")}
			if f := n.JoinOf; f != nil && !route {
				params = append(params, jen.Id("b").Id(f.BranchesType))
				args = append(args, jen.Id("b"))
			}
			policy := jen.Nil()
			if n.Policy != nil {
				policy = jen.Op("&").Id(e.policyVar(n))
			}
			if n == e.g.Nodes[0] && !route {
				// One doc for the family, not a copy per node: on a graph of
				// 10,000 nodes the copies were 1.7 MB of the file, and 14%
				// of gofmt's time.
				e.f.Comment(fmt.Sprintf("%s calls %s through the runtime, which applies the node's policy and the run's hooks; so does each call<Node> and callRoute<Node> method below, for its handler. They are never inlined: the closure each builds would take room in every flow's frame.", callMethod(n, route), method))
				e.f.Comment("")
			}
			e.f.Comment("//go:noinline")
			e.f.Func().Params(jen.Id("g").Op("*").Id(e.g.Name)).Id(callMethod(n, route)).Params(params...).Params(result, jen.Error()).Block(
				jen.Return(rt(fn).Call(jen.Id("ctx"), jen.Id("x"), jen.Id("in"), jen.Id(e.nodeConst(n)), policy,
					jen.Func().Params(jen.Id("ctx").Qual("context", "Context")).Params(result, jen.Error()).Block(
						jen.Return(jen.Id("g").Dot("h").Dot(method).Call(args...)),
					))),
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
