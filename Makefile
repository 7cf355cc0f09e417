# The grader's build, test and run entry points. Every target does its own
# setup, so `make run` and `make test` work on a fresh machine.

SHELL := /bin/bash
GO ?= go
BIN := bin/grader
# The grader binary goes into the tools image, so it must be static.
export CGO_ENABLED := 0

.PHONY: all build setup images run grade-references test unit integration verify verify-catalog lint bench clean cleanup

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/grader

# setup installs the Debian packages the project needs (debootstrap builds
# the base image). It does nothing when they are present.
setup:
	@scripts/setup.sh

images: setup build
	$(BIN) images build

# run serves the grading service on http://127.0.0.1:8080 with an
# embedded Redis (nothing survives a restart; set REDIS_URL for a real
# one) and the development tokens of deploy/tokens.dev.json.
run: images
	$(BIN) serve --tokens $${GRADER_TOKENS_FILE:-deploy/tokens.dev.json}

# grade-references grades every seed challenge's reference solution with
# the local engine, no service needed.
grade-references: images
	@for c in $$(ls challenges/*/challenge.yaml | xargs -n1 dirname | xargs -n1 basename); do \
		echo "== $$c: reference solution"; \
		$(BIN) grade --challenge $$c challenges/$$c/solution || exit $$?; \
	done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags integration ./...
	@scripts/check-deps.sh

unit:
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...

integration: images
	CGO_ENABLED=1 GRADER_BIN=$(CURDIR)/$(BIN) $(GO) test -race -count=1 -tags integration -timeout 80m ./...

# verify checks every challenge once: references score full marks,
# starters and mutants do not, with the warnings of verify.
verify: images
	$(BIN) challenge verify --all

# verify-catalog grades every sample of the catalog three times and fails
# on a test whose outcome differs between runs (a flaky test); run it
# before changing a challenge or the engine lands.
verify-catalog: images
	$(BIN) challenge verify --all --runs 3

# test is what CI runs: static checks, unit tests, then everything against
# the real Docker Engine with locally built images. It grades each sample
# of the catalog once, in the e2e TestConformance (the failing checks of
# verify, and the golden results), so verify is not repeated here.
test: setup lint unit integration

bench: images
	@scripts/bench.sh

cleanup: build
	$(BIN) cleanup --all

clean:
	rm -rf bin
