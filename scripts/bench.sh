#!/usr/bin/env bash
# make bench: the engine and the service against baselines measured in the
# same run. Every section runs even if an earlier one fails; the exit
# status says whether any failed.
set -euo pipefail
scripts/bench-deps.sh
CGO_ENABLED=0 go build -trimpath -o bin/grader ./cmd/grader
go build -o bin/gradebench ./cmd/gradebench
status=0
echo "== grader engine vs host baselines (medians; ratios < target are better)"
bin/gradebench -catalog challenges -grader bin/grader -only grade,lifecycle,postgres,build,memory || status=1
echo
echo "== grading service (grader serve on its own redis-server) vs a trivial handler and grader grade"
bin/gradebench -catalog challenges -grader bin/grader -only service || status=1
echo
echo "== API capacity (grader serve --no-worker on its own redis-server): 5,000 idle event streams vs none, 100 concurrent largest uploads vs idle"
bin/gradebench -catalog challenges -grader bin/grader -only capacity || status=1
echo
echo "== languages: each http reference per language vs the same service on the host (Debian's python3, node), and the build step a learner sees"
bin/gradebench -catalog challenges -grader bin/grader -only languages || status=1
echo
echo "== runner: SDK box lifecycle vs docker run --rm (go test benchmarks)"
CGO_ENABLED=1 go test -tags integration -run '^$' -bench 'BenchmarkBoxLifecycle|BenchmarkDockerRunCLI' -benchtime 10x ./runner/ || status=1
echo
echo "== cohort report: batched Redis reads vs one round trip per learner (go test benchmark)"
CGO_ENABLED=1 go test -tags integration -run '^$' -bench BenchmarkReport -benchtime 10x ./cohort/ || status=1
exit "$status"
