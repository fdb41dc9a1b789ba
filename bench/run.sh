#!/usr/bin/env bash
# Issue 7's benchmark: bench/run.sh --users 100000 [--runs 3] [--rate R] [--jfr] ... (docs/benchmarks.md).
# Builds target/provisioning.jar when it is missing or older than the sources, then runs the driver from it; the
# driver starts the engine and the bare client from the same jar, each in a JVM of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/provisioning.jar
if [[ ! -f $jar || -n $(find src pom.xml -newer "$jar" -print -quit) ]]; then
    mvn -B -q -DskipTests package >&2
fi
# The driver's JVM holds the Graph simulator and both SCIM targets (at 1,000,000 users, two of 683,335 accounts each):
# its default heap, a quarter of the memory, is not enough there. BENCH_DRIVER_JVM replaces these options.
exec java ${BENCH_DRIVER_JVM:--XX:MaxRAMPercentage=60} -cp "$jar" io.github.provisioning.bench.Benchmark "$@"
