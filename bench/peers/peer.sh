#!/usr/bin/env bash
# django-helpdesk on this machine, right beside a Frontline run, with the shared harness's
# own script (run_peer.sh, unchanged). The shared folder is read-only for us and its
# results/ holds the peer's published figures, so the harness runs from a copy in /tmp and
# the result lands in bench/peers/results/django-helpdesk/, where report.py looks first.
#   bench/peers/peer.sh sqlite N [extra harness.bench args...]
# Env: PEERS_DIR (../shared/peers), PEER_VENV and the other run_peer.sh knobs.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS="${PEERS_DIR:-$(cd "$ROOT/../shared/peers" && pwd)}"
DB="${1:?sqlite}"; N="${2:?N}"; shift 2
COPY="$(mktemp -d /tmp/frontline-peer.XXXXXX)"
trap 'rm -rf "$COPY"' EXIT
# run_peer.sh reads the corpus from ../data beside its folder.
cp -r "$PEERS" "$COPY/peers"
ln -s "$(cd "$PEERS/../data" && pwd)" "$COPY/data"
rm -rf "$COPY/peers/results"
PEER_PROBE="${PEER_PROBE:-0}" "$COPY/peers/run_peer.sh" "$DB" "$N" "$@"
mkdir -p "$HERE/results/django-helpdesk"
cp "$COPY/peers/results/django-helpdesk-$DB-n$N.json" "$HERE/results/django-helpdesk/"
echo "peer result: $HERE/results/django-helpdesk/django-helpdesk-$DB-n$N.json" >&2
