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
//
// The peer of BenchmarkCheckpoint (../checkpoint_test.go) runs the chain of
// 10 and the 20-way fan-in with no checkpointer, with MemorySaver and with
// SqliteSaver (@langchain/langgraph-checkpoint-sqlite on better-sqlite3, a
// file database in a new temporary directory per sample) under each of
// LangGraph's durability modes, every invoke on a new thread_id:
//
//	BenchmarkCheckpoint/chain10/sqlite-sync/langgraph 	 N	 X ns/op	 Y ns/node
//
// Each of its samples times CHECKPOINT_RUNS invokes (default 200, as
// `make bench` gives the Go side with -benchtime=200x).

// No tracing: nothing but the graph runs. Set before LangGraph loads.
process.env.LANGSMITH_TRACING = "false";
process.env.LANGCHAIN_TRACING_V2 = "false";

const { Annotation, StateGraph, START, END, MemorySaver } = await import("@langchain/langgraph");
const { SqliteSaver } = await import("@langchain/langgraph-checkpoint-sqlite");
const { default: Database } = await import("better-sqlite3");
const { mkdtempSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");

const COUNT = Number(process.env.BENCH_COUNT ?? 6);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 300);
const FILTER = new RegExp(process.env.BENCH_FILTER ?? ".");
const CHECKPOINT_RUNS = Number(process.env.CHECKPOINT_RUNS ?? 200);

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
// join adds up what every branch delivered. checkpointer is optional.
function fanIn(w, checkpointer) {
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
  return g.compile({ checkpointer });
}

const ChainState = Annotation.Root({ n: Annotation(), sum: Annotation() });

// n1 -> ... -> nk, each adding one to n. checkpointer is optional.
function chain(k, checkpointer) {
  const g = new StateGraph(ChainState);
  let prev = START;
  for (let i = 1; i <= k; i++) {
    const name = `n${i}`;
    g.addNode(name, (s) => ({ n: s.n + 1 }));
    g.addEdge(prev, name);
    prev = name;
  }
  g.addEdge(prev, END);
  return g.compile({ checkpointer });
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
// BenchmarkCheckpoint's peer.

// A SqliteSaver on a file database in a new temporary directory, with the
// pragmas graphc's store/sqlite sets on its writer connection (WAL,
// synchronous=FULL: every commit is fsynced, busy_timeout 10 s).
// better-sqlite3 is synchronous: each statement blocks the event loop, so
// "async" durability overlaps no node with a write here.
function openSqlite() {
  const dir = mkdtempSync(join(tmpdir(), "graphc-lgbench-"));
  const db = new Database(join(dir, "threads.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 10000");
  if (db.pragma("journal_mode", { simple: true }) !== "wal" || db.pragma("synchronous", { simple: true }) !== 2) {
    throw new Error("sqlite: the pragmas did not take");
  }
  return {
    saver: new SqliteSaver(db),
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const checkpointGraphs = [
  { name: "chain10", nodes: 10, build: (cp) => chain(10, cp), check: (s) => s.n === 10 },
  { name: "fan20", nodes: 22, build: (cp) => fanIn(20, cp), check: (s) => s.sum === fanInSum(20) },
];
const savers = [
  { name: "memory", open: () => ({ saver: new MemorySaver(), close() {} }) },
  { name: "sqlite", open: openSqlite },
];
const modes = ["sync", "async", "exit"]; // every durability LangGraph.js has

let thread = 0; // every invoke runs on a new thread

// checkpointSample runs iters invokes of g's graph on a new saver (none when
// saver is undefined) and returns their time in ns. It checks the last run's
// output and, with a saver, that the saver holds that thread's final state.
async function checkpointSample(g, saver, mode, iters) {
  const store = saver?.open();
  try {
    const graph = g.build(store?.saver);
    let out, config;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) {
      if (store) {
        config = { configurable: { thread_id: `t${++thread}` }, durability: mode };
        out = await graph.invoke({ n: 0, sum: 0 }, config);
      } else {
        out = await graph.invoke({ n: 0, sum: 0 });
      }
    }
    const ns = Number(process.hrtime.bigint() - t0);
    if (!g.check(out)) throw new Error(`wrong result ${JSON.stringify(out)}`);
    if (store) {
      const snap = await graph.getState({ configurable: { thread_id: config.configurable.thread_id } });
      if (!g.check(snap.values) || snap.next.length !== 0) {
        throw new Error(`the saver holds ${JSON.stringify(snap.values)}, next ${JSON.stringify(snap.next)}`);
      }
    }
    return ns;
  } finally {
    store?.close();
  }
}

for (const g of checkpointGraphs) {
  const rows = [{ name: "none" }];
  for (const saver of savers) for (const mode of modes) rows.push({ name: `${saver.name}-${mode}`, saver, mode });
  for (const row of rows) {
    const name = `BenchmarkCheckpoint/${g.name}/${row.name}/langgraph`;
    if (!FILTER.test(name)) continue;
    try {
      // Warm up (JIT) for about a second.
      const warmUntil = process.hrtime.bigint() + 1_000_000_000n;
      while (process.hrtime.bigint() < warmUntil) await checkpointSample(g, row.saver, row.mode, 20);
      for (let c = 0; c < COUNT; c++) {
        const ns = await checkpointSample(g, row.saver, row.mode, CHECKPOINT_RUNS);
        const perOp = ns / CHECKPOINT_RUNS;
        console.log(
          `${name} \t${String(CHECKPOINT_RUNS).padStart(8)}\t${perOp.toFixed(0).padStart(12)} ns/op\t${(perOp / g.nodes).toFixed(0).padStart(10)} ns/node`,
        );
      }
    } catch (err) {
      console.error(`${name}: ${err.stack ?? err}`);
      failed = true;
    }
  }
}

process.exit(failed ? 1 : 0);
