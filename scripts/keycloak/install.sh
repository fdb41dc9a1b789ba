#!/usr/bin/env bash
# Fetches, unzips and builds the Keycloak distribution that start.sh runs, once, under a lock so that parallel
# starts share the work; prints the distribution's directory. start.sh calls it; it needs no argument.
#
# A build that was cut short (a test run killed while Keycloak built) leaves a tree that `kc.sh build` cannot build
# again: its lib/quarkus holds an empty transformed-bytecode.jar and no quarkus-application.dat. So a build always
# starts from a fresh unzip, and the tree counts as built only once the build has written its marker. A zip that
# cannot be unzipped (a copy cut short) is removed, to be fetched again next time.
#
# Environment: KEYCLOAK_CACHE, KEYCLOAK_VERSION and KEYCLOAK_JAVA_HOME, as start.sh documents them.
set -euo pipefail

VERSION="${KEYCLOAK_VERSION:-26.7.3}"
CACHE="${KEYCLOAK_CACHE:-$HOME/.cache/camel-entra-provisioning/keycloak}"
KC_JAVA_HOME="${KEYCLOAK_JAVA_HOME:-${JAVA_HOME:-}}"
# Build-time options: a change here forces a new `kc.sh build`. dev-mem gives every start an empty database.
BUILD_OPTIONS=(--features=scim-api --db=dev-mem)

log() { echo "[keycloak $(date +%T)] $*" >&2; }
fail() {
    log "FAILED: $*"
    exit 1
}
[[ -x "$KC_JAVA_HOME/bin/java" ]] || fail "no JDK at '$KC_JAVA_HOME' (set KEYCLOAK_JAVA_HOME to a Java 21+ JDK)"

KC_HOME="$CACHE/keycloak-$VERSION"
BUILT_MARKER="$KC_HOME/.built-with"
mkdir -p "$CACHE"
(
    flock 9
    if [[ "$(cat "$BUILT_MARKER" 2>/dev/null)" != "${BUILD_OPTIONS[*]}" ]]; then
        ZIP="$CACHE/keycloak-quarkus-dist-$VERSION.zip"
        if [[ ! -f "$ZIP" ]]; then
            log "downloading org.keycloak:keycloak-quarkus-dist:$VERSION:zip into $CACHE"
            (cd "$CACHE" && mvn -B -q dependency:copy \
                -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$CACHE") \
                > "$CACHE/download.log" 2>&1 || { cat "$CACHE/download.log" >&2; exit 1; }
        fi
        rm -rf "$KC_HOME" "$CACHE"/unzip.*
        log "unzipping $ZIP"
        UNZIP_DIR="$(mktemp -d "$CACHE/unzip.XXXXXX")"
        unzip -q "$ZIP" -d "$UNZIP_DIR" || { rm -rf "$ZIP" "$UNZIP_DIR"; log "$ZIP is damaged: removed"; exit 1; }
        mv "$UNZIP_DIR/keycloak-$VERSION" "$KC_HOME"
        rmdir "$UNZIP_DIR"
        log "building: kc.sh build ${BUILD_OPTIONS[*]}"
        JAVA_HOME="$KC_JAVA_HOME" "$KC_HOME/bin/kc.sh" build "${BUILD_OPTIONS[@]}" > "$CACHE/build.log" 2>&1 \
            || { tail -n 40 "$CACHE/build.log" >&2; exit 1; }
        echo "${BUILD_OPTIONS[*]}" > "$BUILT_MARKER"
    fi
) 9> "$CACHE/.lock" || fail "could not fetch or build Keycloak $VERSION in $CACHE"
echo "$KC_HOME"
