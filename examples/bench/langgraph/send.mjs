// LangGraph.js peer of BenchmarkMap1000: a map over 1000 items with Send,
// LangGraph's dynamic fan-out. start's conditional edge returns one
// Send("work", item) per item; each work run doubles its item plus one and
// delivers it through a reducer; total adds the results up. Printed in Go's
// benchmark format for cmd/benchtable:
//
//	BenchmarkMap1000/langgraph 	     N	     X ns/op
//
// Kept apart from bench.mjs (the fixed-shape graphs). Run with
// `npm ci && node send.mjs`; BENCH_COUNT and BENCH_TIME_MS as there.

process.env.LANGSMITH_TRACING = "false";
process.env.LANGCHAIN_TRACING_V2 = "false";

const { Annotation, StateGraph, Send, START, END } = await import("@langchain/langgraph");

const COUNT = Number(process.env.BENCH_COUNT ?? 6);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 300);
const N = 1000;

const MapState = Annotation.Root({
  items: Annotation(),
  sum: Annotation(),
  results: Annotation({
    reducer: (acc, update) => acc.concat(update),
    default: () => [],
  }),
});

const ItemState = Annotation.Root({ v: Annotation(), tags: Annotation() });

function map1000() {
  const g = new StateGraph(MapState);
  g.addNode("start", () => ({}));
  // Each Send carries its own copy of the item, as graphc's deep copy does.
  g.addConditionalEdges("start", (s) => s.items.map((it) => new Send("work", { v: it.v, tags: [...it.tags] })), ["work"]);
  g.addNode("work", (d) => ({ results: [2 * d.v + 1] }), { input: ItemState });
  g.addNode("total", (s) => {
    let sum = 0;
    for (const v of s.results) sum += v;
    return { sum };
  });
  g.addEdge(START, "start");
  g.addEdge("work", "total");
  g.addEdge("total", END);
  return g.compile();
}

const items = Array.from({ length: N }, (_, i) => ({ v: i, tags: ["in"] }));
const want = N * (N - 1) + N;
const graph = map1000();
const name = "BenchmarkMap1000/langgraph";

async function timeRuns(iters) {
  let out;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) {
    out = await graph.invoke({ items, sum: 0 });
  }
  return { ns: Number(process.hrtime.bigint() - t0), out };
}

let iters = 1;
let r = await timeRuns(iters);
const warmUntil = process.hrtime.bigint() + 1_000_000_000n;
while (process.hrtime.bigint() < warmUntil) {
  iters = Math.min(iters * 2, 64);
  r = await timeRuns(iters);
}
if (r.out.sum !== want) {
  console.error(`${name}: sum ${r.out.sum}, want ${want}`);
  process.exit(1);
}
const perOp = r.ns / iters;
const n = Math.max(1, Math.round((TIME_MS * 1e6) / perOp));
for (let c = 0; c < COUNT; c++) {
  const { ns, out } = await timeRuns(n);
  if (out.sum !== want) {
    console.error(`${name}: sum ${out.sum}, want ${want}`);
    process.exit(1);
  }
  console.log(`${name} \t${String(n).padStart(8)}\t${(ns / n).toFixed(0).padStart(12)} ns/op`);
}
