#!/usr/bin/env bash
# The domain package imports no adapter: no Gin, Asynq, Redis or Docker.
set -euo pipefail
bad=$(go list -deps ./grader | grep -E 'gin-gonic|hibiken/asynq|redis|moby|docker|goccy' || true)
if [ -n "$bad" ]; then
	echo "package grader must not depend on: $bad" >&2
	exit 1
fi
echo "grader depends on the standard library only"

# The API's documents and its Go client carry no server: a program that
# calls the service imports neither Gin nor Redis nor the server's packages.
bad=$(go list -deps ./api/wire ./client | grep -E 'gin-gonic|hibiken/asynq|redis|moby|docker|goccy|^github.com/gradebox/grader/(api|store|queue|runner|cohort)$' || true)
if [ -n "$bad" ]; then
	echo "packages api/wire and client must not depend on: $bad" >&2
	exit 1
fi
echo "api/wire and client depend on no adapter"

# The queue, the cohort computations, the regrade use case and the API
# depend on the domain and on interfaces they declare, never on the Redis
# store that implements them (only cmd wires the store in).
bad=$(go list -deps ./queue ./cohort ./regrade ./api | grep -E '^github.com/gradebox/grader/store$' || true)
if [ -n "$bad" ]; then
	echo "packages queue, cohort, regrade and api must not depend on: $bad" >&2
	exit 1
fi
echo "queue, cohort, regrade and api do not depend on the store"
