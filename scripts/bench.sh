#!/usr/bin/env bash
# make bench: the engine against baselines measured in the same run.
set -euo pipefail
command -v redis-server >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq redis-server >/dev/null; }
go build -o bin/gradebench ./cmd/gradebench
echo "== grader engine vs host baselines (medians; ratios < target are better)"
bin/gradebench -catalog challenges -grader bin/grader
echo
echo "== runner: SDK box lifecycle vs docker run --rm (go test benchmarks)"
CGO_ENABLED=1 go test -tags integration -run '^$' -bench 'BenchmarkBoxLifecycle|BenchmarkDockerRunCLI' -benchtime 10x ./runner/
