// LangGraph.js peer of graphc's benchmark suite: the same graphs as the Go
// benchmarks (fan-in of 20 and 100 branches, a chain of 10 nodes), with the
// same trivial nodes, timed with process.hrtime.bigint and printed in Go's
// benchmark format so that cmd/benchtable (and benchstat) can read them:
//
//	BenchmarkFanIn20/langgraph 	     N	     X ns/op
//
// Each benchmark warms up, then prints BENCH_COUNT samples (default 6), each
// timing as many sequential invokes as fit in about BENCH_TIME_MS (default
// 300). Run with `npm ci && node bench.mjs`.

// No tracing: nothing but the graph runs. Set before LangGraph loads.
process.env.LANGSMITH_TRACING = "false";
process.env.LANGCHAIN_TRACING_V2 = "false";

const { Annotation, StateGraph, START, END } = await import("@langchain/langgraph");

const COUNT = Number(process.env.BENCH_COUNT ?? 6);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 300);
const FILTER = new RegExp(process.env.BENCH_FILTER ?? ".");

// State of the fan-in graphs: n like model.State.N, sum like model.State.Sum,
// and branches, where each branch's final n arrives through a reducer (the
// LangGraph way to fan in: parallel updates to one channel are reduced).
const FanState = Annotation.Root({
  n: Annotation(),
  sum: Annotation(),
  branches: Annotation({
    reducer: (acc, update) => acc.concat(update),
    default: () => [],
  }),
});

// fork -> [w1..ww] -> join -> END. Branch i adds i to n and delivers it;
// join adds up what every branch delivered.
function fanIn(w) {
  const g = new StateGraph(FanState);
  g.addNode("fork", (s) => ({ n: s.n + 1 }));
  const ws = [];
  for (let i = 1; i <= w; i++) {
    const name = `w${i}`;
    ws.push(name);
    g.addNode(name, (s) => ({ branches: [s.n + i] }));
    g.addEdge("fork", name);
  }
  g.addNode("join", (s) => {
    let sum = 0;
    for (const n of s.branches) sum += n;
    return { sum };
  });
  g.addEdge(START, "fork");
  g.addEdge(ws, "join"); // join waits for every branch
  g.addEdge("join", END);
  return g.compile();
}

const ChainState = Annotation.Root({ n: Annotation(), sum: Annotation() });

// n1 -> ... -> nk, each adding one to n.
function chain(k) {
  const g = new StateGraph(ChainState);
  let prev = START;
  for (let i = 1; i <= k; i++) {
    const name = `n${i}`;
    g.addNode(name, (s) => ({ n: s.n + 1 }));
    g.addEdge(prev, name);
    prev = name;
  }
  g.addEdge(prev, END);
  return g.compile();
}

const fanInSum = (w) => w + (w * (w + 1)) / 2; // as model.FanInSum

const benchmarks = [
  { name: "BenchmarkFanIn20/langgraph", graph: fanIn(20), check: (s) => s.sum === fanInSum(20) },
  { name: "BenchmarkFanIn100/langgraph", graph: fanIn(100), check: (s) => s.sum === fanInSum(100) },
  { name: "BenchmarkChain10/langgraph", graph: chain(10), check: (s) => s.n === 10 },
];

async function timeRuns(graph, iters) {
  let out;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) {
    out = await graph.invoke({ n: 0, sum: 0 });
  }
  return { ns: Number(process.hrtime.bigint() - t0), out };
}

const { version } = await import("@langchain/langgraph/package.json", { with: { type: "json" } }).then(
  (m) => m.default,
  () => ({ version: "unknown" }),
);
console.log(`goos: ${process.platform}`);
console.log(`goarch: ${process.arch === "x64" ? "amd64" : process.arch}`);
console.log(`pkg: langgraph.js ${version} on node ${process.version}`);

let failed = false;
for (const b of benchmarks) {
  if (!FILTER.test(b.name)) continue;
  // Warm up (JIT) for about a second, and learn the cost of one run.
  let iters = 1;
  let r = await timeRuns(b.graph, iters);
  const warmUntil = process.hrtime.bigint() + 1_000_000_000n;
  while (process.hrtime.bigint() < warmUntil) {
    iters = Math.min(iters * 2, 1000);
    r = await timeRuns(b.graph, iters);
  }
  if (!b.check(r.out)) {
    console.error(`${b.name}: wrong result ${JSON.stringify(r.out)}`);
    failed = true;
    continue;
  }
  const perOp = r.ns / iters;
  const n = Math.max(1, Math.round((TIME_MS * 1e6) / perOp));
  for (let c = 0; c < COUNT; c++) {
    const { ns, out } = await timeRuns(b.graph, n);
    if (!b.check(out)) {
      console.error(`${b.name}: wrong result ${JSON.stringify(out)}`);
      failed = true;
      break;
    }
    console.log(`${b.name} \t${String(n).padStart(8)}\t${(ns / n).toFixed(0).padStart(12)} ns/op`);
  }
}
process.exit(failed ? 1 : 0);
