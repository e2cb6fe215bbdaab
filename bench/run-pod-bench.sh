#!/usr/bin/env bash
# Pod benchmark: ours vs containerd — sequential pod start p50/p99, concurrent start, teardown, memory.
# Usage: bench/run-pod-bench.sh [SEQUENTIAL=50] [CONCURRENT=20]   (root; needs the test packages: scripts/install-deps.sh --test)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/bench/NodeAgent.PodBench" -c Release -nologo -v quiet
cd "$root/bench/NodeAgent.PodBench/bin/Release/net10.0"
exec dotnet NodeAgent.PodBench.dll "${1:-50}" "${2:-20}"
