#!/usr/bin/env bash
# API server bench: a real `nodeagent server` with SQLite, then with etcd (Debian etcd-server on loopback):
# kubectl apply of 500 objects, create/get/list p50/p99 for 5,000 pods, 20 watchers x 5,000 events, RSS.
# Usage: bench/run-api-bench.sh [sqlite|etcd|both] [PODS=5000] [APPLY=500] [WATCHERS=20]
# BENCH_NODEAGENT_DLL=path/nodeagent.dll benches another (e.g. published) build; a path not ending in .dll is run as
# the executable (the Native AOT publish, scripts/publish-aot.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/bench/NodeAgent.ApiBench" -c Release -nologo -v quiet
cd "$root/bench/NodeAgent.ApiBench/bin/Release/net10.0"
exec dotnet NodeAgent.ApiBench.dll "${1:-both}" "${2:-5000}" "${3:-500}" "${4:-20}"
