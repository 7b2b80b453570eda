#!/usr/bin/env bash
# make bench: the 100k-user upstream benchmark (see cmd/bench). Extra flags pass through, e.g.
#   scripts/bench.sh --users 20000 --departments 400
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./cmd/bench --bin bin "$@"
