# Hotline: `make run` starts the service with demo data, `make test` runs every test.
GO      ?= go
BIN     := bin/hotline
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: build run test bench bench-calls generate lint fmt clean

build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/hotline

# run: the service with demo data on http://127.0.0.1:8080. With no HOTLINE_ARI_URL
# it runs against the built-in simulated PBX with demo traffic. With no PostgreSQL
# server listening, it starts a private one under var/pg (see README).
run: build
	./$(BIN) serve --demo

# test: scripts/deps.sh starts PostgreSQL and Redis and installs the test tools
# (or stops with the command that would); lint must be clean; HOTLINE_TEST_REQUIRE_TOOLS=1 makes a test
# whose tool or service is missing fail instead of skipping; scripts/untouched.sh
# fails the run when the tests left files in the work tree.
test:
	scripts/deps.sh
	$(MAKE) lint
	HOTLINE_TEST_REQUIRE_TOOLS=1 scripts/untouched.sh $(GO) test -count=1 -timeout 30m ./...

# bench: speed and memory figures, each beside a floor measured in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

# bench-calls: only the CPU per real call and per idle second (BENCHMARKS.md,
# issue 20): the full stack through the simulated PBX in a process of its own
# beside the floor of only receiving its events,
# the tracker to PostgreSQL beside its floors, and the ARI decoding paths.
bench-calls:
	$(GO) test -run '^$$' -bench 'ServeFullStack|ARIStreamFloor' -benchtime 1x -v -timeout 10m ./cmd/hotline/
	$(GO) test -run '^$$' -bench 'TrackerToPostgres$$|TrackerIngest|FloorTypedDecode' -benchtime 2s ./telephony/
	$(GO) test -run '^$$' -bench 'DecodeSIP|DecodeTracker' -benchmem ./telephony/ari/ ./telephony/

# generate: the ARI types and their fast reader (telephony/ari/*_gen.go) from the
# ARI API description kept in telephony/ari/spec; the result must equal the
# committed files (TestGeneratedFilesUpToDate checks it).
generate:
	$(GO) generate ./telephony/ari
	@git diff --exit-code --stat -- 'telephony/ari/*_gen.go' || { echo "generated files changed: commit them"; exit 1; }

# lint: gofmt, go vet and staticcheck (a tool of go.mod: `go tool` builds it
# from the module cache, no network beyond the module proxy) must be clean.
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

fmt:
	gofmt -w .

clean:
	rm -rf bin
