#!/usr/bin/env bash
# One measurement of Frontline with the peers harness, mirroring shared/peers/run_peer.sh:
# seeder check -> reset -> migrate -> seed N (timed) -> granian (2 workers, DEBUG off, as
# `frontline serve --workers 2` runs it)
# -> harness -> search check -> stop.
#   bench/peers/run.sh sqlite N [extra harness.bench args...]
# Env: PEER_VENV (/tmp/peer-venv), FL_BENCH_DIR (/tmp/fl-bench-data), FL_BENCH_PORT (8002),
#      FL_BENCH_WORKERS (2), FL_BENCH_CHECK (300 = records compared services vs bulk; 0 = skip),
#      PEER_NICE (-10; 0 disables the priority boost), PEER_QUIET_WAIT (120 s), PEERS_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export PEERS_DIR="${PEERS_DIR:-$(cd "$ROOT/../shared/peers" && pwd)}"
PEERS="$PEERS_DIR"
DB="${1:?sqlite}"; N="${2:?N}"; shift 2
[ "$DB" = sqlite ] || { echo "only sqlite is wired up for now" >&2; exit 2; }
VENV="${PEER_VENV:-/tmp/peer-venv}"
PY="$ROOT/.venv/bin/python"
export FRONTLINE_DATA_DIR="${FL_BENCH_DIR:-/tmp/fl-bench-data}"
export DEBUG=false
unset DATABASE_URL REDIS_URL SECRET_KEY
PORT="${FL_BENCH_PORT:-8002}"; WORKERS="${FL_BENCH_WORKERS:-2}"
LABEL="frontline-$DB-n$N"
OUT="$HERE/results/$LABEL.json"
PIDF="$FRONTLINE_DATA_DIR/server.pid"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
# Shared 2-core box: server and load generator at raised CPU priority, as run_peer.sh does.
NICE="${PEER_NICE:--10}"
if [ "$NICE" != 0 ] && [ "$(id -u)" = 0 ]; then RUN=(nice -n "$NICE"); else RUN=(); NICE=0; fi
boost() { [ "$NICE" = 0 ] && return 0; for p in "$@"; do echo "$NICE" > "/proc/$p/autogroup" 2>/dev/null || true; done; }
boost $$

if ! "$VENV/bin/python" -c 'import httpx, psutil' 2>/dev/null; then
  log "creating $VENV with $PEERS/setup_venv.sh"
  # setup_venv.sh ends by writing pip-freeze.txt into the (read-only) peers folder; the venv
  # is complete by then, so judge it by the imports rather than by the script's status.
  "$PEERS/setup_venv.sh" "$VENV" >&2 || true
  "$VENV/bin/python" -c 'import httpx, psutil' || { log "venv $VENV is not usable"; exit 1; }
fi

stop_server() {
  if [ -f "$PIDF" ]; then
    local pid; pid="$(cat "$PIDF" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"; for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -f "$PIDF"
  fi
}
trap stop_server EXIT
stop_server

if [ "${FL_BENCH_CHECK:-300}" != 0 ]; then
  log "seeder check: $("$PY" "$HERE/seed.py" --check "${FL_BENCH_CHECK:-300}" | tail -1)"
fi

log "reset $FRONTLINE_DATA_DIR"
rm -rf "$FRONTLINE_DATA_DIR"; mkdir -p "$FRONTLINE_DATA_DIR" "$HERE/results"
t0=$(date +%s.%N)
"$ROOT/.venv/bin/frontline" migrate -v0
log "migrate $(echo "$(date +%s.%N) - $t0" | bc) s"
log "waiting for a quiet machine: $(cd "$PEERS" && "$VENV/bin/python" -m harness.quiet --max-wait "${PEER_QUIET_WAIT:-120}")"
log "seeding N=$N"
"${RUN[@]}" "$PY" "$HERE/seed.py" --n "$N" --manifest "$FRONTLINE_DATA_DIR/manifest.json" \
  --token-file "$FRONTLINE_DATA_DIR/token" > "$FRONTLINE_DATA_DIR/seed.log" 2>&1 \
  || { tail -20 "$FRONTLINE_DATA_DIR/seed.log" >&2; exit 1; }
log "seed: $(tr -d '\n ' < "$FRONTLINE_DATA_DIR/manifest.json" | cut -c1-400)"
TOKEN="$(cat "$FRONTLINE_DATA_DIR/token")"

log "start granian ($WORKERS workers) on 127.0.0.1:$PORT"
cd "$ROOT"
setsid "${RUN[@]}" "$ROOT/.venv/bin/granian" --interface asginl --loop uvloop --host 127.0.0.1 \
  --port "$PORT" --workers "$WORKERS" --no-access-log --log-level warning \
  frontline.asgi:application \
  </dev/null >"$FRONTLINE_DATA_DIR/server-$LABEL.log" 2>&1 &
echo $! > "$PIDF"
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/users/me" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/users/me"
boost "$(cat "$PIDF")"
log "autogroups: run=$(cat /proc/$$/autogroup 2>/dev/null) server=$(cat /proc/"$(cat "$PIDF")"/autogroup 2>/dev/null)"
SQLV="$("$PY" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
VERS="$("$PY" -c 'from importlib.metadata import version as v
print(", ".join(f"{p} {v(p)}" for p in ("Django", "django-ninja", "granian")))')"
GIT="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
cd "$PEERS"
log "bench -> $OUT"
"${RUN[@]}" "$VENV/bin/python" "$HERE/run_harness.py" --adapter frontline \
  --base-url "http://127.0.0.1:$PORT" --user bench@bench.test --password "$TOKEN" \
  --manifest "$FRONTLINE_DATA_DIR/manifest.json" --server-pid-file "$PIDF" --label "$LABEL" \
  --adapter-opt "db=SQLite $SQLV (WAL, IMMEDIATE tx)" \
  --adapter-opt "server=granian ASGI x$WORKERS (DEBUG off)" --adapter-opt "versions=$VERS" \
  --adapter-opt "git=$GIT" --adapter-opt "nice=$NICE" \
  --quiet-wait "${PEER_QUIET_WAIT:-120}" --out "$OUT" "$@"
"$PY" "$HERE/check_search.py" "$OUT" >&2 || true
if grep -q . "$FRONTLINE_DATA_DIR/server-$LABEL.log" 2>/dev/null; then
  log "server log (tail):"; tail -5 "$FRONTLINE_DATA_DIR/server-$LABEL.log" >&2
fi
log "done: $OUT"
