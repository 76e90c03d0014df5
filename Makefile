# graphc — make test is what CI runs (.ci/run). Every tool it needs is
# installed here from the Go module proxy, pinned.

GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
FUZZTIME    ?= 20s

.PHONY: test fmt vet staticcheck unit fuzz verify generate demo stress bench tools

## test: everything CI checks — formatting, vet, staticcheck, race tests, fuzzing, generated code drift
test: fmt vet staticcheck unit fuzz verify

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 ./...

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./gen/spec
	$(GO) test -run='^$$' -fuzz='^FuzzCheck$$' -fuzztime=$(FUZZTIME) ./gen

verify:
	$(GO) run ./cmd/graphc verify

## generate: regenerate every committed output (examples and goldens)
generate:
	$(GO) generate ./...
	$(GO) test ./gen/... -run 'Golden' -update >/dev/null

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
