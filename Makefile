# ImageDesk. `make run` installs what is missing, builds and opens the window;
# `make test` runs every test. See README.md.

SHELL := /bin/bash
TAGS  := webkit2_41
BIN   := build/bin/imagedesk
DEV   := build/bin/imagedesk-dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X imagedesk/app.Version=$(VERSION) \
	-X imagedesk/app.Date=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)
WAILS := $(shell go env GOPATH)/bin/wails
GOFILES := $(shell find . -name '*.go' -not -path './frontend/*' -not -path './build/tools/*')
FRONTEND := $(shell find frontend/src -type f) frontend/index.html frontend/vite.config.ts \
	frontend/package-lock.json

.PHONY: run test build deps deps-test frontend bindings vet gotest fronttest smoke e2e \
	keyring-test clean bench bench-window faults

run: deps build
	./$(BIN) $(ARGS)

build: deps $(BIN)

deps:
	@build/scripts/deps.sh run

deps-test:
	@build/scripts/deps.sh test

# Bindings are generated from the bound Go services, then the frontend is built
# against them.
frontend/wailsjs/go/models.ts: $(GOFILES)
	$(WAILS) generate module -tags $(TAGS) >/dev/null
	touch $@

bindings: frontend/wailsjs/go/models.ts

frontend/dist/index.html: frontend/wailsjs/go/models.ts $(FRONTEND)
	cd frontend && npm run build --silent

frontend: frontend/dist/index.html

$(BIN): frontend/dist/index.html $(GOFILES) go.mod go.sum
	go build -tags desktop,production,$(TAGS) -trimpath -ldflags "-w -s $(LDFLAGS)" -o $@ .

$(DEV): frontend/dist/index.html $(GOFILES) go.mod go.sum
	go build -tags dev,$(TAGS) -o $@ .

test: deps-test frontend vet gotest keyring-test fronttest smoke e2e
	@echo "make test: all suites passed"

vet:
	go vet ./...

gotest:
	go test -race -count=1 ./...

keyring-test:
	backend/secrets/testdata/with-keyring.sh go test -count=1 -run Keyring ./backend/secrets/

fronttest:
	cd frontend && npm run check && npm test

smoke: $(BIN)
	build/scripts/smoke.sh $(BIN)

e2e: $(DEV)
	backend/secrets/testdata/with-keyring.sh build/scripts/e2e.sh $(DEV)

# Push and pull beside crane and skopeo on loopback registries; writes docs/BENCHMARKS.md.
# Slow (minutes) and not part of `make test`. BENCH_RUNS=N changes the runs per tool.
bench:
	build/scripts/bench.sh

# The window side: cold start to first paint, 10,000 versions and 100,000 history
# rows in the window; writes the Window section of docs/BENCHMARKS.md. Also run at
# the end of `make bench`. Not part of `make test`. BENCH_RUNS=N (default 5).
bench-window: deps-test
	build/scripts/bench-window.sh

# The long fault and bad-input suite (the short one is in `make test`); writes
# docs/RELIABILITY.md from the cases it checked.
faults:
	build/scripts/faults.sh

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html frontend/wailsjs
