#!/usr/bin/env bash
# Starts a clean Keycloak with its native SCIM 2.0 API on loopback, configured as a provisioning target.
#
#   scripts/keycloak/start.sh RUN_DIR [PORT]
#
# RUN_DIR receives keycloak.pid, keycloak.log and, once Keycloak is ready and configured, keycloak.properties
# (scim.url, scim.oauth2.*, keycloak.*). The realm, its client and the user profile come from
# src/test/resources/keycloak/. PORT defaults to $KEYCLOAK_PORT, else a free port.
# Running it again while that Keycloak still answers does nothing. Stop it with scripts/keycloak/stop.sh RUN_DIR.
#
# Environment (all optional):
#   KEYCLOAK_CACHE          where the distribution is downloaded, unzipped and built (install.sh)
#                           (default $HOME/.cache/camel-entra-provisioning/keycloak, outside the repo)
#   KEYCLOAK_VERSION        default 26.7.3
#   KEYCLOAK_JAVA_HOME      a Java 21+ JDK for Keycloak (default $JAVA_HOME); start.sh fails when it is older
#   KEYCLOAK_READY_TIMEOUT  seconds to wait for the HTTP listener (default 120)
#   JAVA_OPTS_APPEND        extra JVM options for Keycloak (default -XX:TieredStopAtLevel=1)
#   KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD   master admin (default admin / admin)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
REALM_TEMPLATE="$REPO_DIR/src/test/resources/keycloak/provisioning-realm.json"
PROFILE_ATTRIBUTES="$REPO_DIR/src/test/resources/keycloak/scim-user-profile-attributes.json"

VERSION="${KEYCLOAK_VERSION:-26.7.3}"
CACHE="${KEYCLOAK_CACHE:-$HOME/.cache/camel-entra-provisioning/keycloak}"
KC_JAVA_HOME="${KEYCLOAK_JAVA_HOME:-${JAVA_HOME:-}}"
READY_TIMEOUT="${KEYCLOAK_READY_TIMEOUT:-120}"
ADMIN_USER="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
REALM="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["realm"])' "$REALM_TEMPLATE")"
CLIENT_ID="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["clients"][0]["clientId"])' "$REALM_TEMPLATE")"

if [[ $# -lt 1 ]]; then
    echo "usage: $0 RUN_DIR [PORT]" >&2
    exit 2
fi
mkdir -p "$1"
RUN_DIR="$(cd "$1" && pwd)"
PORT="${2:-${KEYCLOAK_PORT:-}}"
PID_FILE="$RUN_DIR/keycloak.pid"
LOG_FILE="$RUN_DIR/keycloak.log"
PROPERTIES="$RUN_DIR/keycloak.properties"

log() { echo "[keycloak $(date +%T)] $*" >&2; }
KC_PID=""
fail() {
    log "FAILED: $*"
    if [[ -f "$LOG_FILE" ]]; then
        log "last lines of $LOG_FILE:"
        tail -n 40 "$LOG_FILE" >&2
    fi
    # A Keycloak that is not ready or not configured is of no use to anyone: do not leave it running.
    if [[ -n "$KC_PID" ]]; then
        "$SCRIPT_DIR/stop.sh" "$RUN_DIR" || true
    fi
    exit 1
}
json() { python3 -c "import json,sys; v=json.load(sys.stdin); print($1)"; }
property() { sed -n "s/^$1=//p" "$PROPERTIES" 2>/dev/null; }
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# Keycloak 26 needs Java 21+: say so now rather than through a start-up failure in its log.
java_fail() { log "FAILED: $*"; exit 1; }
[[ -n "$KC_JAVA_HOME" ]] || java_fail "set KEYCLOAK_JAVA_HOME (or JAVA_HOME) to a Java 21+ JDK"
[[ -x "$KC_JAVA_HOME/bin/java" ]] || java_fail "no JDK at KEYCLOAK_JAVA_HOME=$KC_JAVA_HOME (a Java 21+ JDK is needed)"
JAVA_FEATURE="$("$KC_JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p')"
((${JAVA_FEATURE:-0} >= 21)) || java_fail "KEYCLOAK_JAVA_HOME=$KC_JAVA_HOME is Java ${JAVA_FEATURE:-?}: Keycloak needs 21+"

# --- already running? --------------------------------------------------------------------------------------
if [[ -f "$PROPERTIES" ]] && alive "$(property keycloak.pid)" \
        && curl -sf -o /dev/null --max-time 5 "$(property keycloak.base-url)/realms/$REALM"; then
    log "already running on port $(property keycloak.port) ($PROPERTIES)"
    exit 0
fi
if [[ -f "$PID_FILE" ]] && alive "$(cat "$PID_FILE")"; then
    log "a Keycloak from an earlier, unfinished start is running: stopping it"
    "$SCRIPT_DIR/stop.sh" "$RUN_DIR"
fi
rm -f "$PROPERTIES" "$PID_FILE"


# --- fetch, unzip and build once (install.sh) --------------------------------------------------------------
KC_HOME="$(KEYCLOAK_VERSION="$VERSION" KEYCLOAK_CACHE="$CACHE" KEYCLOAK_JAVA_HOME="$KC_JAVA_HOME" \
    "$SCRIPT_DIR/install.sh")" || fail "could not install Keycloak $VERSION in $CACHE"

# --- start ------------------------------------------------------------------------------------------------
# bind PORT: prints the port bound on 127.0.0.1 (0 picks a free one), fails when it is taken.
bind() { python3 -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print(s.getsockname()[1])' "$1" 2>/dev/null; }
if [[ -z "$PORT" ]]; then
    PORT="$(bind 0)"
else
    bind "$PORT" > /dev/null || fail "port $PORT is already in use"
fi
BASE_URL="http://127.0.0.1:$PORT"
SCIM_URL="$BASE_URL/realms/$REALM/scim/v2"

log "starting Keycloak $VERSION on $BASE_URL (log: $LOG_FILE)"
# setsid: Keycloak gets its own process group, so stop.sh can end kc.sh and its java child together.
# --cache=local (a run-time option in 26.x): without it `start` opens a JGroups cluster that listens on a
# non-loopback address and spends seconds on certificates and discovery.
# JAVA_OPTS_APPEND: C1 only. On two busy cores it halves the boot (about 37 s against 66 to 85 s measured);
# a test target never runs long enough to miss C2.
KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" JAVA_HOME="$KC_JAVA_HOME" \
    JAVA_OPTS_APPEND="${JAVA_OPTS_APPEND:--XX:TieredStopAtLevel=1}" setsid "$KC_HOME/bin/kc.sh" start --optimized \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$PORT" --hostname="$BASE_URL" --cache=local \
    > "$LOG_FILE" 2>&1 < /dev/null &
KC_PID=$!
BOOT_STARTED=$SECONDS
echo "$KC_PID" > "$PID_FILE"

deadline=$((SECONDS + READY_TIMEOUT))
until curl -sf -o /dev/null --max-time 2 "$BASE_URL/realms/master"; do
    alive "$KC_PID" || fail "Keycloak exited during start-up"
    if ((SECONDS >= deadline)); then
        fail "Keycloak did not answer on $BASE_URL within ${READY_TIMEOUT}s"
    fi
    sleep 1
done
log "listening after $((SECONDS - BOOT_STARTED))s of boot; configuring realm $REALM"

# --- configure through the admin REST API -----------------------------------------------------------------
# The master realm's admin tokens live 60 s: a call takes a new one once the last is 45 s old.
ADMIN_TOKEN=""
ADMIN_TOKEN_AT=0
admin_token() {
    if [[ -z "$ADMIN_TOKEN" ]] || ((SECONDS - ADMIN_TOKEN_AT > 45)); then
        ADMIN_TOKEN="$(curl -sf --max-time 10 -d grant_type=password -d client_id=admin-cli \
            --data-urlencode "username=$ADMIN_USER" --data-urlencode "password=$ADMIN_PASSWORD" \
            "$BASE_URL/realms/master/protocol/openid-connect/token" | json 'v["access_token"]')" || return 1
        ADMIN_TOKEN_AT=$SECONDS
    fi
}

# admin METHOD PATH [JSON]: calls $BASE_URL/admin/realms$PATH, prints the body, fails on any status but 2xx.
admin() {
    local method="$1" url="$BASE_URL/admin/realms$2" body="${3:-}" out status
    admin_token || { log "no admin token for $ADMIN_USER"; return 1; }
    out="$(mktemp)"
    local args=(-s --max-time 60 -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $ADMIN_TOKEN")
    [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    status="$(curl "${args[@]}" "$url")" || status="000"
    if [[ "$status" != 2* ]]; then
        log "$method $url answered $status: $(cat "$out")"
        rm -f "$out"
        return 1
    fi
    cat "$out"
    rm -f "$out"
}

# One import: the realm with the SCIM API on (it answers 404 otherwise) and hour-long tokens, the engine's
# confidential client with an audience equal to the SCIM base URL (every SCIM call answers 401 "Invalid token
# audience" otherwise), and its service account with the realm-management roles the SCIM API checks.
CLIENT_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
log "creating realm $REALM with client $CLIENT_ID"
admin POST "" "$(SCIM_URL="$SCIM_URL" CLIENT_SECRET="$CLIENT_SECRET" python3 -c '
import os, string, sys
print(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' "$REALM_TEMPLATE")" > /dev/null \
    || fail "could not create realm $REALM"

# The user profile: the default attributes plus ours, which the SCIM API maps through their
# kc.scim.schema.attribute annotation. Without them externalId, title, ... are dropped silently.
log "declaring the SCIM attributes in the user profile"
PROFILE="$(admin GET "/$REALM/users/profile")" || fail "could not read the user profile"
PROFILE="$(PROFILE="$PROFILE" python3 - "$PROFILE_ATTRIBUTES" <<'EOF'
import json, os, sys
profile = json.loads(os.environ["PROFILE"])
ours = json.load(open(sys.argv[1]))
names = {a["name"] for a in ours}
profile["attributes"] = [a for a in profile["attributes"] if a["name"] not in names] + ours
print(json.dumps(profile))
EOF
)"
admin PUT "/$REALM/users/profile" "$PROFILE" > /dev/null || fail "could not update the user profile"

# --- prove it: a client-credentials token must reach the SCIM API --------------------------------------------
log "checking a client-credentials token against the SCIM API"
TOKEN="$(curl -sf --max-time 10 -d grant_type=client_credentials --data-urlencode "client_id=$CLIENT_ID" \
    --data-urlencode "client_secret=$CLIENT_SECRET" "$BASE_URL/realms/$REALM/protocol/openid-connect/token" \
    | json 'v["access_token"]')" || fail "client credentials grant failed for $CLIENT_ID"
SCIM_STATUS="$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$SCIM_URL/Users?count=1")"
[[ "$SCIM_STATUS" == 200 ]] || fail "GET $SCIM_URL/Users answered $SCIM_STATUS"

# Written last and atomically: its presence means "ready".
cat > "$PROPERTIES.tmp" <<EOF
# Written by scripts/keycloak/start.sh; removed by scripts/keycloak/stop.sh.
scim.url=$SCIM_URL
scim.oauth2.token-url=$BASE_URL/realms/$REALM/protocol/openid-connect/token
scim.oauth2.client-id=$CLIENT_ID
scim.oauth2.client-secret=$CLIENT_SECRET
keycloak.pid=$KC_PID
keycloak.port=$PORT
keycloak.base-url=$BASE_URL
keycloak.realm=$REALM
keycloak.admin-url=$BASE_URL/admin/realms/$REALM
keycloak.log=$LOG_FILE
keycloak.version=$VERSION
EOF
mv "$PROPERTIES.tmp" "$PROPERTIES"
log "ready after $((SECONDS))s in all: $SCIM_URL ($PROPERTIES)"
