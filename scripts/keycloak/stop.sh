#!/usr/bin/env bash
# Stops the Keycloak that scripts/keycloak/start.sh started in RUN_DIR, and removes its pid and properties.
#
#   scripts/keycloak/stop.sh RUN_DIR
#
# start.sh runs kc.sh in its own process group (setsid), so the group id is the pid it recorded: TERM goes to
# kc.sh and its java child together, then KILL after KEYCLOAK_STOP_TIMEOUT seconds (default 30).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 RUN_DIR" >&2
    exit 2
fi
RUN_DIR="$1"
PID_FILE="$RUN_DIR/keycloak.pid"
TIMEOUT="${KEYCLOAK_STOP_TIMEOUT:-30}"

log() { echo "[keycloak $(date +%T)] $*" >&2; }

if [[ ! -f "$PID_FILE" ]]; then
    log "nothing to stop in $RUN_DIR"
    rm -f "$RUN_DIR/keycloak.properties"
    exit 0
fi
PID="$(cat "$PID_FILE")"
[[ "$PID" =~ ^[0-9]+$ ]] || { log "bad pid file $PID_FILE"; exit 1; }

group_alive() { kill -0 -- "-$PID" 2>/dev/null; }

if group_alive; then
    log "stopping Keycloak (process group $PID)"
    kill -TERM -- "-$PID" 2>/dev/null || true
    deadline=$((SECONDS + TIMEOUT))
    while group_alive && ((SECONDS < deadline)); do
        sleep 0.5
    done
    if group_alive; then
        log "still running after ${TIMEOUT}s: killing process group $PID"
        kill -KILL -- "-$PID" 2>/dev/null || true
    fi
fi
rm -f "$PID_FILE" "$RUN_DIR/keycloak.properties"
log "stopped"
