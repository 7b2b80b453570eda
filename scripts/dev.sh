#!/usr/bin/env bash
# Starts the local stack without Docker: the Temporal dev server (SQLite file under ./.data, UI on
# :8233), the WeCom and Authing emulators (demo company unless SEED=empty) and the worker. With
# DEMO=1 it then runs the demo upstream sync and prints the report. Ctrl-C stops everything.
#   SEED=empty      start both emulators empty: WeCom with only its root department, Authing with no
#                   organization (default: demo, the demo company in WeCom and an empty organization
#                   in Authing); WECOM_SEED / AUTHING_SEED pick one emulator's seed (demo, empty or a
#                   fixture file of that emulator).
#   WECOMSYNC_WECOM_MODE=daikaifa  run the WeCom emulator with 代开发 visibility (mobile, email, … hidden)
#                   and give the worker the same mode for its default connection (default: selfbuilt).
#   TEMPORAL_PORT, UI_PORT, WECOM_ADDR, AUTHING_ADDR override the addresses.
#   DATA_DIR        where the SQLite file, blobs and logs go (default ./.data; the e2e test uses a temp dir).
#   WECOMSYNC_CODEC_KEYS=k1:<base64 32 bytes> encrypts payloads; a codec server on :8234 lets the UI read them.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/bin
DATA=${DATA_DIR:-$PWD/.data}
mkdir -p "$DATA/logs"
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
UI_PORT=${UI_PORT:-8233}
WECOM_ADDR=${WECOM_ADDR:-127.0.0.1:8081}
AUTHING_ADDR=${AUTHING_ADDR:-127.0.0.1:8082}
SEED=${SEED:-demo}
WECOM_SEED=${WECOM_SEED:-$SEED}
AUTHING_SEED=${AUTHING_SEED:-$SEED}
export WECOMSYNC_WECOM_MODE=${WECOMSYNC_WECOM_MODE:-selfbuilt}

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "stopping..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

wait_port() { # host:port name
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$2 did not come up on $1; see $DATA/logs" >&2
  exit 1
}

codec_flags=()
if [[ -n "${WECOMSYNC_CODEC_KEYS:-}" ]]; then
  "$BIN/starter" codec-server --addr 127.0.0.1:8234 --allow-origin "http://localhost:$UI_PORT" >"$DATA/logs/codec-server.log" 2>&1 &
  pids+=($!)
  codec_flags=(--ui-codec-endpoint http://127.0.0.1:8234)
fi
"$BIN/temporal" server start-dev --db-filename "$DATA/temporal.db" --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" \
  --log-level warn "${codec_flags[@]}" >"$DATA/logs/temporal.log" 2>&1 &
pids+=($!)
"$BIN/wecom-emulator" --addr "$WECOM_ADDR" --seed "$WECOM_SEED" --mode "$WECOMSYNC_WECOM_MODE" >"$DATA/logs/wecom-emulator.log" 2>&1 &
pids+=($!)
"$BIN/authing-emulator" --addr "$AUTHING_ADDR" --seed "$AUTHING_SEED" >"$DATA/logs/authing-emulator.log" 2>&1 &
pids+=($!)
wait_port "127.0.0.1:$TEMPORAL_PORT" "Temporal"
wait_port "$WECOM_ADDR" "WeCom emulator"
wait_port "$AUTHING_ADDR" "Authing emulator"

export WECOMSYNC_TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
export WECOMSYNC_BLOB_URL="file://$DATA/blobs?create_dir=true"
export WECOMSYNC_AUTHING_URL=http://$AUTHING_ADDR WECOMSYNC_AUTHING_USERPOOL_ID=demo-pool WECOMSYNC_AUTHING_SECRET=demo-pool-secret
export WECOMSYNC_WECOM_URL=http://$WECOM_ADDR/cgi-bin/ WECOMSYNC_WECOM_CORP_ID=ww-demo-corp WECOMSYNC_WECOM_SECRET=demo-contacts-secret
"$BIN/worker" >"$DATA/logs/worker.log" 2>&1 &
pids+=($!)

cat <<EOT
wecomsync dev stack is up (logs in $DATA/logs):
  Temporal UI       http://localhost:$UI_PORT
  Temporal frontend 127.0.0.1:$TEMPORAL_PORT
  WeCom emulator    http://$WECOM_ADDR/cgi-bin/   (corp ww-demo-corp, secret demo-contacts-secret, seed $WECOM_SEED, mode $WECOMSYNC_WECOM_MODE)
  Authing emulator  http://$AUTHING_ADDR/api/v3/  (pool demo-pool, secret demo-pool-secret, seed $AUTHING_SEED)
EOT

if [[ "${DEMO:-}" == 1 ]]; then
  echo "running the demo upstream sync of testdata/exports/demo.xlsx ..."
  "$BIN/starter" check-connections || true
  "$BIN/starter" upstream --file testdata/exports/demo.xlsx --wait --id "upstream-demo-$(date +%s)" || true
  echo "see the run in the UI: http://localhost:$UI_PORT/namespaces/default/workflows"
fi
echo "press Ctrl-C to stop"
wait "${pids[0]}"
