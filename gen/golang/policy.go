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
//		out, err = runtime.Call(ctx, x, in, n, nil, func(ctx context.Context) (State, error) {
//			return g.h.Plan(ctx, *s)
//		})
//	} else {
//		out, err = g.h.Plan(ctx, *s)
//	}
//
// A node with a policy always goes through the runtime, which runs the
// attempts, the timeouts and the backoff:
//
//	out, err = runtime.Call(ctx, x, in, n, &researchPolicyFetchPapers, func(ctx context.Context) (State, error) {
//		return g.h.FetchPapers(ctx, *s)
//	})
func (e *emitter) invoke(n *graph.Node, route bool, id jen.Code, lhs []jen.Code, args []jen.Code) jen.Code {
	method, fn, result := n.GoName, "Call", e.valT(n)
	if route {
		method, fn, result = n.RouteMethod, "CallRoute", jen.Id(n.RouteType)
	}
	policy := jen.Nil()
	if n.Policy != nil {
		policy = jen.Op("&").Id(e.policyVar(n))
	}
	viaRuntime := jen.List(lhs...).Op("=").Add(rt(fn)).Call(jen.Id("ctx"), jen.Id("x"), jen.Id("in"), id, policy,
		jen.Func().Params(jen.Id("ctx").Qual("context", "Context")).Params(result, jen.Error()).Block(
			jen.Return(jen.Id("g").Dot("h").Dot(method).Call(args...)),
		))
	if n.Policy != nil {
		return viaRuntime
	}
	return jen.If(jen.Id("x").Dot("Hooked").Call()).Block(viaRuntime).Else().Block(
		jen.List(lhs...).Op("=").Id("g").Dot("h").Dot(method).Call(args...),
	)
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
