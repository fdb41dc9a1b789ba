#!/usr/bin/env bash
# Assembles a small Java 17 base image from this machine, for building the engine's image where no registry can
# be reached (the build's own test of the image, ContainerImageIT). Jib takes it as tar://OUTPUT.
#
#   scripts/image/local-base.sh OUTPUT.tar
#
# OUTPUT.tar is in `docker save` form (manifest.json, the config, one layer). It lays the runtime out as
# eclipse-temurin does, so that the engine's image is the same on either base: a jlink'd runtime of $JAVA_HOME
# (default: the java on PATH) at /opt/java/openjdk, on PATH; the shared libraries it links (found with ldd);
# /etc/passwd, /etc/group and /etc/hosts; /tmp for everyone. No shell, no package manager: it only runs Java.
# An OUTPUT.tar newer than this script is kept (a second build reuses it). Linux only (ldd, GNU tar).
set -euo pipefail

OUTPUT="${1:?usage: local-base.sh OUTPUT.tar}"
if [[ -s "$OUTPUT" && "$OUTPUT" -nt "${BASH_SOURCE[0]}" ]]; then
    exit 0
fi
JDK="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
[[ -x "$JDK/bin/jlink" && -d "$JDK/jmods" ]] \
    || { echo "local-base.sh: $JDK is not a JDK with jmods (set JAVA_HOME)" >&2; exit 1; }
# What the engine, its libraries and the sandbox (com.sun.net.httpserver) use from the JDK.
MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.httpserver,jdk.management,jdk.naming.dns,jdk.net

work="$(mktemp -d "${OUTPUT%/*}/local-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/opt/java" "$root/etc" "$work/image"
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --output "$root/opt/java/openjdk" \
    --strip-debug --no-header-files --no-man-pages

# The libraries the runtime's programs and libraries link (as ldd names them, a soname link, and the file it
# points to), in their real folders; /lib and /lib64 are then what they are here (on Debian, links into /usr).
# Not those of the desktop's native parts (X11, sound, fonts): headless, the engine never loads them.
find "$root/opt/java/openjdk" -type f \( -name '*.so' -o -perm -u+x \) \
        -not -name 'libawt_xawt.so' -not -name 'libsplashscreen.so' -not -name 'libjsound.so' \
        -not -name 'libfontmanager.so' -not -name 'libjawt.so' -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' \
    | grep -v "^$root" | sort -u \
    | while read -r lib; do
        folder="$(readlink -f "$(dirname "$lib")")"
        real="$(readlink -f "$lib")"
        mkdir -p "$root$folder" "$root$(dirname "$real")"
        cp -a "$folder/$(basename "$lib")" "$root$folder/"
        cp -a "$real" "$root$real"
    done
for link in /lib /lib64; do
    if [[ -L "$link" ]]; then
        ln -s "$(readlink "$link")" "$root$link"
    fi
done

printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' \
    > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
mkdir -p "$root/tmp" "$root/root"
chmod 1777 "$root/tmp"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$work/image/layer.tar" -C "$root" .
diff_id="sha256:$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)"
cat > "$work/image/config.json" <<CONFIG
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "JAVA_HOME=/opt/java/openjdk"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created_by":"scripts/image/local-base.sh: jlink $MODULES"}]}
CONFIG
echo '[{"Config":"config.json","RepoTags":["local/java-17-base:latest"],"Layers":["layer.tar"]}]' \
    > "$work/image/manifest.json"
tar --owner=0 --group=0 --numeric-owner -cf "$work/base.tar" -C "$work/image" manifest.json config.json layer.tar
mv "$work/base.tar" "$OUTPUT"
