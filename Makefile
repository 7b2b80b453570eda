# wecomsync — make targets. Everything runs without Docker; only Go is needed on a fresh machine.
GO        ?= go
BIN       := $(CURDIR)/bin
TEMPORAL  := $(BIN)/temporal
# The temporal CLI is pinned: v1.5.1 is the newest that `go install` builds (reference/temporal-notes.md §8.3).
TEMPORAL_VERSION := v1.5.1
STATICCHECK_VERSION := v0.8.2
WORKFLOWCHECK_VERSION := v0.6.0
export GOTOOLCHAIN := local

.PHONY: all tools build test test-short test-e2e lint bench dev run clean

all: build

## tools: build the pinned temporal CLI into ./bin once (skipped when present; ~7 min cold)
tools: $(TEMPORAL)

$(TEMPORAL):
	@echo "building the temporal CLI $(TEMPORAL_VERSION) into $(BIN) (once; several minutes on a cold cache)"
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

## build: the worker, the starter, both emulators and the export generator into ./bin
build:
	$(GO) build -o $(BIN)/ ./worker ./starter ./emulators/cmd/wecom-emulator ./emulators/cmd/authing-emulator ./cmd/genexport

## test: vet, unit + workflow + replay tests, integration tests on a real Temporal dev server and the
## emulators over real HTTP, the third-party WeCom SDK fidelity check
test: tools
	$(GO) vet ./...
	WECOMSYNC_TEMPORAL_BIN=$(TEMPORAL) $(GO) test -race -count=1 -timeout 30m ./...
	cd fidelity/wecomsdk && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd fidelity/authingsdk && $(GO) vet ./... && $(GO) test -count=1 ./...
	@if [ -x "$${E2E_CHROMIUM:-/usr/bin/chromium}" ]; then scripts/e2e.sh; else echo "skipped: e2e browser test (make test-e2e): no Chromium at $${E2E_CHROMIUM:-/usr/bin/chromium} (make test-e2e installs it)"; fi

## test-short: the tests that need no Temporal server
test-short:
	$(GO) test -short -count=1 ./...

## test-e2e: headless Chromium drives the Temporal UI of a throwaway dev stack (free ports, temp dir):
## starts UpstreamSync from the "Start Workflow" form, checks the run completes and shows its report;
## installs Debian's chromium when missing; screenshots in e2e/out/ (e2e/README.md)
test-e2e:
	scripts/e2e.sh

## lint: go vet, staticcheck and Temporal's workflowcheck (determinism), all pinned
lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION) ./workflows/...

## bench: upstream (100k users), downstream (10k creates, 100k no-op and 5 % changed) and the shared budget (1 vs 3 workers) against the emulators at their real rate limits (prints numbers)
bench: tools build
	scripts/bench.sh

## dev: Temporal dev server (UI :8233), both emulators (demo company) and the worker, until Ctrl-C
dev: tools build
	scripts/dev.sh

## run: like dev, then a demo upstream sync; prints the report and the UI link
run: tools build
	DEMO=1 scripts/dev.sh

clean:
	rm -rf .data
