#!/usr/bin/env bash
# The domain package imports no adapter: no Gin, Asynq, Redis or Docker.
set -euo pipefail
bad=$(go list -deps ./grader | grep -E 'gin-gonic|hibiken/asynq|redis|moby|docker|goccy' || true)
if [ -n "$bad" ]; then
	echo "package grader must not depend on: $bad" >&2
	exit 1
fi
echo "grader depends on the standard library only"
