#!/usr/bin/env bash
# make bench: the upstream and the downstream benchmarks and the shared-budget scenario (one vs three
# worker processes) at full size, against the emulators at their real rate limits with the worker
# binary of ./bin in its own process(es) (see cmd/bench). It prints a table per part (--json: one
# JSON document) and exits non-zero when a run fails or a correctness check breaks. Extra flags pass
# through, e.g.
#   scripts/bench.sh --only upstream --users 20000 --departments 400
#   scripts/bench.sh --only downstream --ds-users 20000 --ds-departments 400 --ds-scenarios noop,changed
#   scripts/bench.sh --only budget --budget-users 2000 --budget-moves 600
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./cmd/bench --bin bin "$@"
