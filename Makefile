# graphc — make test is what CI runs (.ci/run). Every tool it needs is
# installed here from the Go module proxy, pinned.

GO          ?= go
STATICCHECK_VERSION := v0.8.2
# Run at the pinned version, whatever may be installed (the build is cached).
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
# Fuzz budgets are execution counts, not durations: go1.26's fuzz coordinator can
# fail a clean run with "context deadline exceeded" when -fuzztime is a
# duration and the machine is busy (go.dev/issue/75804, fixed in go1.27).
FUZZTIME    ?= 100000x

.PHONY: test fmt vet staticcheck unit fuzz verify generate demo stress bench test-diagrams diagrams render-deps

## test: everything CI checks — formatting, vet, staticcheck, race tests, fuzzing, generated code drift
test: fmt vet staticcheck unit fuzz verify workflowcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Nested modules: what needs a third-party module (OpenTelemetry, SQLite,
# pgx) or a store module lives in its own go.mod, so the root module's users
# never download it. make test runs each of them too.
NESTED := otel store/sqlite store/postgres examples/approval temporal examples/temporal

vet:
	$(GO) vet ./...
	@set -e; for m in $(NESTED); do echo "cd $$m && $(GO) vet ./..."; (cd $$m && $(GO) vet ./...); done

staticcheck:
	$(STATICCHECK) ./...
	@set -e; for m in $(NESTED); do echo "cd $$m && staticcheck ./..."; (cd $$m && $(STATICCHECK) ./...); done

# The TestE2E tests need a Temporal server: make e2e-temporal runs them.
unit:
	$(GO) test -race -count=1 ./...
	@set -e; for m in $(NESTED); do echo "cd $$m && $(GO) test -race -count=1 -skip '^TestE2E' ./..."; (cd $$m && $(GO) test -race -count=1 -skip '^TestE2E' ./...); done

## test-postgres: make test with a throwaway PostgreSQL server (installed from Debian's packages if missing)
.PHONY: test-postgres
test-postgres:
	scripts/with-postgres.sh $(MAKE) test

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./gen/spec
	$(GO) test -run='^$$' -fuzz='^FuzzCheck$$' -fuzztime=$(FUZZTIME) ./gen
	$(GO) test -run='^$$' -fuzz='^FuzzCopy$$' -fuzztime=$(FUZZTIME) ./internal/cases/copyzoo

verify:
	$(GO) run ./cmd/graphc verify

# The Temporal SDK's determinism check, on the generated workflows (and the
# helpers they call), pinned like staticcheck.
WORKFLOWCHECK_VERSION := v0.6.0
.PHONY: workflowcheck
workflowcheck:
	cd temporal && $(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION) ./...
	cd examples/temporal && $(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION) ./...

## temporal-server: build the Temporal server of the end-to-end tests (temporal/server, a
## module of its own, never in make test: minutes with a cold build cache) into bin/
.PHONY: temporal-server e2e-temporal e2e-temporal-run demo-temporal demo-temporal-run
temporal-server:
	cd temporal/server && $(GO) build -trimpath -o $(CURDIR)/bin/temporalserver .

## e2e-temporal: the end-to-end tests on a throwaway Temporal server (scripts/with-temporal.sh
## builds it once and caches it); E2E_ARGS=-record rewrites the recorded histories in testdata
E2E_ARGS ?=
e2e-temporal:
	scripts/with-temporal.sh $(MAKE) e2e-temporal-run
e2e-temporal-run:
	cd temporal && $(GO) test -race -count=1 -run '^TestE2E' -v ./internal/cases/approval -args $(E2E_ARGS)
	cd examples/temporal && $(GO) test -race -count=1 -run '^TestE2E' -v . -args $(E2E_ARGS)

## demo-temporal: the research graph as a Temporal workflow on a throwaway server, with its worker
demo-temporal:
	scripts/with-temporal.sh $(MAKE) demo-temporal-run
demo-temporal-run:
	cd examples/temporal && $(GO) run . -address "$$GRAPHC_TEST_TEMPORAL"

## test-diagrams: render every example's diagrams, and hostile ones, with Mermaid in headless
## Chromium and with Graphviz (needs chromium, graphviz, npm; .ci/run installs them)
test-diagrams: render-deps
	GRAPHC_RENDER=1 $(GO) test -count=1 -run '^TestRender' -v ./templates

## diagrams: rewrite docs/img/ (the README's pictures) from the examples
diagrams: render-deps
	GRAPHC_RENDER=1 $(GO) test -count=1 -run '^TestRenderExamples$$' ./templates -args -diagrams.out=$(CURDIR)/docs/img

render-deps:
	cd templates/render && npm ci --no-audit --no-fund --loglevel=error

## generate: regenerate every committed output (examples and goldens)
generate:
	$(GO) generate ./...
	cd examples/bench && $(GO) generate ./...
	cd examples/approval && $(GO) generate ./...
	cd examples/temporal && $(GO) generate ./...
	cd temporal && $(GO) generate ./...
	$(GO) test -count=1 ./gen ./gen/typecheck ./templates -run 'Golden' -args -update

## demo: regenerate the examples and run them (the research graph prints its event stream and diagram)
demo:
	$(GO) generate ./examples/...
	@echo '== examples/fanout: 20 parallel workers fan in at aggregate, 10 runs'
	$(GO) run ./examples/fanout
	@echo '== examples/research: the event stream'
	$(GO) run ./examples/research
	@echo '== examples/research: the diagram (Mermaid)'
	$(GO) run ./cmd/graphc diagram examples/research/research.graph.yaml
	@echo '== examples/nested: a fork inside a branch'
	$(GO) run ./examples/nested
	@echo '== examples/mapreduce: a map edge over the retrieved documents, each with its own retry loop'
	$(GO) run ./examples/mapreduce
	$(GO) run ./cmd/graphc diagram examples/mapreduce/mapreduce.graph.yaml
	@echo '== examples/approval: a durable run pauses for review; each command below is a new process'
	@rm -rf /tmp/graphc-demo-threads /tmp/graphc-demo.db
	cd examples/approval && $(GO) build -o /tmp/graphc-approval .
	/tmp/graphc-approval -store file:/tmp/graphc-demo-threads start -thread t1 -topic "graph executors"
	/tmp/graphc-approval -store file:/tmp/graphc-demo-threads status -thread t1
	/tmp/graphc-approval -store file:/tmp/graphc-demo-threads resume -thread t1 -verdict revise -note "cite more papers"
	/tmp/graphc-approval -store file:/tmp/graphc-demo-threads resume -thread t1 -verdict approve
	@echo '== examples/approval on SQLite'
	/tmp/graphc-approval -store sqlite:/tmp/graphc-demo.db start -thread t2 -topic "durable runs"
	/tmp/graphc-approval -store sqlite:/tmp/graphc-demo.db resume -thread t2 -verdict approve

## bench: graphc vs hand-written Go, Eino and LangGraph.js on the graphs of examples/bench
## (its own module), then the generator on 10,000 nodes; prints a markdown table of the
## medians (also left in examples/bench/bench.md). Then checkpoint cost, graphc and
## LangGraph.js taking turns for CHECKPOINT_ROUNDS rounds, into examples/bench/checkpoint.md.
## About 15 minutes on 2 cores.
BENCH_COUNT ?= 6
BENCH_TIME  ?= 500ms
MATRIX_TIME ?= 200ms
CHECKPOINT_ROUNDS ?= 5
.PHONY: bench
bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -c
bench:
	cd examples/bench && $(GO) test -run='^$$' -bench='^Benchmark(FanIn|Chain|Loop|Nested|Map)' -benchmem \
		-count=$(BENCH_COUNT) -benchtime=$(BENCH_TIME) -timeout=30m . | tee bench.out
	cd examples/bench && $(GO) test -run='^$$' -bench='^BenchmarkGenerate10000$$' -benchmem \
		-count=3 -benchtime=1x -timeout=30m . | tee -a bench.out
	@# The graphc binary, as a user runs it: its allocations are another process's.
	cd examples/bench && $(GO) test -run='^$$' -bench='^BenchmarkGenerateCLI10000$$' \
		-count=5 -benchtime=1x -timeout=30m . | tee -a bench.out
	@cd examples/bench/langgraph && if ! command -v node >/dev/null 2>&1; then \
		echo 'bench: node not found: skipping the LangGraph.js peer'; \
	elif ! npm ci --no-audit --no-fund --loglevel=error >&2; then \
		echo 'bench: npm ci failed: skipping the LangGraph.js peer'; \
	else \
		BENCH_COUNT=$(BENCH_COUNT) BENCH_FILTER='^Benchmark(FanIn|Chain)[0-9]' node bench.mjs | tee -a ../bench.out; \
		BENCH_COUNT=3 node --no-warnings send.mjs | tee -a ../bench.out; \
	fi
	@cd examples/bench && $(GO) run ./cmd/benchtable bench.out | tee bench.md
	@# Checkpoint cost: one round is graphc's BenchmarkCheckpoint, then its LangGraph.js
	@# peer (if npm ci above installed it), so that load from others falls on both alike.
	@cd examples/bench && rm -f checkpoint.out && $(GO) test -c -o checkpoint.test . && \
	lg=$$(cd langgraph && node -e 'new (require("better-sqlite3"))(":memory:"); require("@langchain/langgraph-checkpoint-sqlite")' 2>/dev/null && echo yes); \
	[ -n "$$lg" ] || echo 'bench: no LangGraph.js SQLite checkpointer: graphc only in checkpoint.md'; \
	for r in $$(seq $(CHECKPOINT_ROUNDS)); do \
		echo "== checkpoint round $$r of $(CHECKPOINT_ROUNDS)"; \
		./checkpoint.test -test.run='^$$' -test.bench='^BenchmarkCheckpoint$$' -test.benchmem \
			-test.count=1 -test.benchtime=200x -test.timeout=30m | tee -a checkpoint.out || exit 1; \
		if [ -n "$$lg" ]; then \
			(cd langgraph && BENCH_FILTER='^BenchmarkCheckpoint/' BENCH_COUNT=1 CHECKPOINT_RUNS=200 node bench.mjs) | tee -a checkpoint.out || exit 1; \
		fi; \
	done; \
	rm -f checkpoint.test
	@cd examples/bench && $(GO) run ./cmd/benchtable -checkpoint -into checkpoint.md checkpoint.out && \
		sed -n '/^<!-- benchtable -->$$/,/^<!-- \/benchtable -->$$/p' checkpoint.md
	$(MAKE) bench-matrix
	$(MAKE) bench-stores

## bench-matrix: the fan-in matrix alone (state shapes x widths x handlers, graphc against its
## hand-written twin in one binary): medians of BENCH_COUNT runs into examples/bench/matrix.md
.PHONY: bench-matrix
bench-matrix: SHELL := /bin/bash
bench-matrix: .SHELLFLAGS := -o pipefail -c
bench-matrix:
	cd examples/bench && $(GO) test -run='^$$' -bench='^BenchmarkMatrix$$' -benchmem \
		-count=$(BENCH_COUNT) -benchtime=$(MATRIX_TIME) -timeout=60m . | tee matrix.out
	cd examples/bench && $(GO) run ./cmd/benchtable -into matrix.md matrix.out && \
		sed -n '/^<!-- benchtable -->$$/,/^<!-- \/benchtable -->$$/p' matrix.md

## bench-stores: the stores alone (memory, file, SQLite and its raw-SQL floor; PostgreSQL
## and its floor when GRAPHC_TEST_POSTGRES is set, e.g. under scripts/with-postgres.sh)
.PHONY: bench-stores
bench-stores:
	$(GO) test -run='^$$' -bench='Store$$' -benchmem -count=1 ./runtime
	cd store/sqlite && $(GO) test -run='^$$' -bench=. -benchmem -count=1 .
	cd store/postgres && $(GO) test -run='^$$' -bench=. -benchmem -count=1 .

## stress: every generated stress test, large: 10,000 runs per graph, and fan-ins up to W=1000 (examples/bench)
stress:
	$(GO) test -race -count=1 -run 'Stress$$' -v ./examples/... ./internal/... -args -stress.runs=10000
	cd examples/bench && $(GO) test -race -count=1 -run 'Stress$$' -v ./fan20/ ./fan100/ ./fan1000/ ./nested4x4/ -args -stress.runs=1000
