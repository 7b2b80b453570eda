#!/usr/bin/env bash
# The browser test of the Temporal UI (make test-e2e): installs Chromium from Debian's packages when it is
# missing, the e2e Node dependencies (npm ci in e2e/), builds the binaries, starts the dev stack
# (scripts/dev.sh) on free ports in a throwaway data dir, and runs e2e/tests/ in headless Chromium: an
# UpstreamSync of testdata/exports/demo.xlsx started from the UI's "Start Workflow" form, with a summary,
# must show in the UI as Completed with its summary, WecomsyncOutcome and report; runs the starter starts
# next to it (dry run, completed with errors, failed, rejected) must show their outcomes in the list, and
# the failed one its message. Everything it started is stopped on exit, also on failure.
#   E2E_OUT=dir           screenshots and the stack's logs (default e2e/out)
#   E2E_TIMEOUT=seconds   bound on the browser test itself (default 300); the stack gets 90 s to come up
#   E2E_CHROMIUM=path     the browser (default /usr/bin/chromium; installed with apt-get when missing)
#   E2E_KEEP_DATA=1       keep the throwaway data dir (Temporal's SQLite file, blobs) after the run
#   E2E_EXPORT_FILE=path  sync another export (absolute path; the report's exact counts are then not checked)
#   E2E_UPDATE_DOCS=1     after a pass, copy the README's screenshots (E2E_OUT/docs/*.png) to docs/screenshots/
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${E2E_OUT:-$ROOT/e2e/out}
[[ $OUT == /* ]] || OUT=$ROOT/$OUT
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
CHROMIUM=${E2E_CHROMIUM:-/usr/bin/chromium}

say() { echo "e2e: $*"; }
die() { echo "e2e: FAIL: $*" >&2; exit 1; }

# One run at a time per output folder: two runs would share e2e/node_modules (npm ci) and the screenshots.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  say "waiting for another e2e run that uses $OUT"
  flock -w 900 9 || die "another e2e run has held $OUT/.lock for 15 minutes"
fi

# --- Chromium (Debian's package; Playwright's own browser download cannot work here) and fonts: the
# report holds Chinese text (sheet names, reject reasons), which needs a CJK font to be legible.
ensure_chromium() {
  local want=() p
  if [[ ! -x $CHROMIUM ]]; then
    [[ -z ${E2E_CHROMIUM:-} ]] || die "E2E_CHROMIUM=$CHROMIUM is not an executable"
    want+=(chromium)
  fi
  for p in fonts-liberation fonts-wqy-microhei; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || want+=("$p")
  done
  ((${#want[@]})) || return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    [[ -x $CHROMIUM ]] || die "Chromium is missing and cannot be installed here (needs root and apt-get): apt-get install chromium"
    say "note: not installing ${want[*]} (needs root); text may render as boxes in screenshots"
    return 0
  fi
  say "installing ${want[*]} from Debian's packages (once)"
  local log; log=$(mktemp)
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2; rm -f "$log"
    [[ -x $CHROMIUM ]] || die "apt-get install ${want[*]} failed"
    say "note: installing ${want[*]} failed; going on without them"
    return 0
  fi
  rm -f "$log"
  [[ -x $CHROMIUM ]] || die "Chromium still missing at $CHROMIUM after apt-get install chromium"
}

ensure_chromium
say "$("$CHROMIUM" --version 2>/dev/null | head -n 1)"

say "npm ci (e2e/)"
(cd e2e && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in e2e/ failed"

say "make build"
make --no-print-directory tools build || die "make tools build failed"

# --- The stack: scripts/dev.sh on free ports, with its data (SQLite, blobs, logs) in a temp dir. It runs
# in its own process group, so that stopping the group stops the dev server, emulators and worker too.
free_ports() { # n: prints n ports that are free on 127.0.0.1 now
  node -e '
    const net = require("net"); const n = +process.argv[1]; const socks = [];
    (function next() {
      if (socks.length === n) { console.log(socks.map(s => s.address().port).join(" ")); socks.forEach(s => s.close()); return; }
      const s = net.createServer(); s.listen(0, "127.0.0.1", () => { socks.push(s); next(); });
    })();' "$1"
}
read -r TEMPORAL_PORT UI_PORT WECOM_PORT AUTHING_PORT < <(free_ports 4) || die "could not find free ports"
DATA=$(mktemp -d "${TMPDIR:-/tmp}/wecomsync-e2e.XXXXXX")
STACK_PID=
TEST_PID=

stack_alive() { # any process of the stack's session that is not a zombie
  ps -s "$STACK_PID" -o stat= 2>/dev/null | grep -qv '^Z'
}

stop_stack() {
  [[ -n $STACK_PID ]] || return 0
  kill -TERM -- "-$STACK_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do # up to 10 s for a clean stop, then kill what is left
    stack_alive || break
    sleep 0.1
  done
  if stack_alive; then
    echo "e2e: the stack did not stop within 10 s; killing it" >&2
    kill -KILL -- "-$STACK_PID" 2>/dev/null || true
  fi
  wait "$STACK_PID" 2>/dev/null || true
  STACK_PID=
}

stop_test() {
  [[ -n $TEST_PID ]] || return 0
  kill -TERM "$TEST_PID" 2>/dev/null || true
  wait "$TEST_PID" 2>/dev/null || true # timeout kills the test's group 10 s after the TERM at the latest
  TEST_PID=
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_test
  stop_stack
  if [[ -d $DATA/logs ]]; then
    rm -rf "$OUT/logs" && mkdir -p "$OUT" && cp -r "$DATA/logs" "$OUT/logs"
    [[ -f $DATA/dev.out ]] && cp "$DATA/dev.out" "$OUT/logs/dev.out"
  fi
  if ((rc != 0)) && [[ -d $OUT/logs ]]; then
    local f
    for f in "$OUT/logs/dev.out" "$OUT/logs/worker.log"; do
      [[ -s $f ]] || continue
      echo "--- last lines of $f (all logs in $OUT/logs)" >&2
      tail -n 15 "$f" | cut -c1-600 >&2
    done
  fi
  if [[ ${E2E_KEEP_DATA:-} == 1 ]]; then say "data kept in $DATA"; else rm -rf "$DATA"; fi
  if ((rc == 0)); then
    say "PASS (screenshots and logs in $OUT)"
  elif ((rc == 130 || rc == 143)); then
    echo "e2e: interrupted; everything it started is stopped" >&2
  else
    echo "e2e: FAIL (exit $rc; screenshots and logs in $OUT)" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT"
rm -f "$OUT"/*.png
rm -rf "$OUT/logs" "$OUT/docs"

say "starting the dev stack: Temporal :$TEMPORAL_PORT, UI :$UI_PORT, WeCom :$WECOM_PORT, Authing :$AUTHING_PORT, data $DATA"
# Only what dev.sh sets reaches the worker: no codec keys (the test reads payloads), no config file or
# namespace from the caller's shell, no metrics port (it is fixed by default and may be taken).
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(WECOMSYNC_|TEMPORAL_ADDRESS$|TEMPORAL_NAMESPACE$)' || true)
DATA_DIR=$DATA TEMPORAL_PORT=$TEMPORAL_PORT UI_PORT=$UI_PORT \
  WECOM_ADDR=127.0.0.1:$WECOM_PORT AUTHING_ADDR=127.0.0.1:$AUTHING_PORT SEED=demo \
  WECOMSYNC_METRICS_ADDR=off \
  setsid scripts/dev.sh </dev/null >"$DATA/dev.out" 2>&1 9>&- &
STACK_PID=$!

# Ready when the UI port answers and a worker polls the wecomsync task queue.
ready=
for _ in $(seq 1 180); do # 90 s
  stack_alive || { cat "$DATA/dev.out" >&2; die "scripts/dev.sh exited before the stack was up"; }
  if (exec 3<>"/dev/tcp/127.0.0.1/$UI_PORT") 2>/dev/null &&
    bin/temporal task-queue describe --task-queue wecomsync --address "127.0.0.1:$TEMPORAL_PORT" \
      --disable-config-file --disable-config-env -o json 2>/dev/null |
    grep -q '"identity"'; then
    ready=1
    break
  fi
  sleep 0.5
done
[[ -n $ready ]] || die "the dev stack did not come up within 90 s (no UI on :$UI_PORT or no worker polling wecomsync)"
say "stack is up: UI http://localhost:$UI_PORT"

# The starter (the runs with other outcomes) reaches the stack as the worker does (dev.sh's settings): it
# needs Temporal and the blob store the worker reads uploads from, nothing else.
STARTER_ENV=(
  WECOMSYNC_TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
  WECOMSYNC_BLOB_URL="file://$DATA/blobs?create_dir=true"
)

# The exact counts of the report are known for the demo export only.
EXPORT_FILE=${E2E_EXPORT_FILE:-$ROOT/testdata/exports/demo.xlsx}
FRESH=; [[ $EXPORT_FILE == "$ROOT/testdata/exports/demo.xlsx" ]] && FRESH=1
# TMPDIR in the data dir: the browser profile and Playwright's temp files go with it, also when the test
# is killed. The test runs in the background and is waited for, so that Ctrl-C or a TERM reaches the trap
# at once (bash runs a trap only after a foreground command ends); timeout runs the test in a process
# group of its own and signals all of it.
mkdir -p "$DATA/tmp"
env "${STARTER_ENV[@]}" E2E_UI_URL="http://localhost:$UI_PORT" E2E_OUT="$OUT" E2E_CHROMIUM="$CHROMIUM" \
  E2E_FRESH_STACK="$FRESH" E2E_EXPORT_FILE="$EXPORT_FILE" E2E_STARTER="${E2E_STARTER:-$ROOT/bin/starter}" TMPDIR="$DATA/tmp" \
  timeout -k 10 "$E2E_TIMEOUT" node --test --test-reporter=spec --test-concurrency=1 e2e/tests/*.test.mjs 9>&- &
TEST_PID=$!
status=0
wait "$TEST_PID" || status=$?
TEST_PID=
((status != 124)) || echo "e2e: the browser test did not finish within E2E_TIMEOUT=${E2E_TIMEOUT}s" >&2
if ((status == 0)) && [[ ${E2E_UPDATE_DOCS:-} == 1 ]]; then
  shopt -s nullglob
  shots=("$OUT"/docs/*.png)
  ((${#shots[@]})) || die "E2E_UPDATE_DOCS=1: the test left no screenshots in $OUT/docs"
  for f in "${shots[@]}"; do
    (($(stat -c %s "$f") <= 250 * 1024)) || die "E2E_UPDATE_DOCS=1: $f is larger than 250 KB"
  done
  mkdir -p "$ROOT/docs/screenshots"
  cp "${shots[@]}" "$ROOT/docs/screenshots/"
  say "copied ${#shots[@]} screenshots to docs/screenshots/: $(cd "$OUT/docs" && echo *.png)"
fi
exit "$status"
