#!/usr/bin/env bash
# Pod startup SLI through `nodeagent server`: built-in runtime vs containerd behind the same node role.
# Usage: bench/run-startup-bench.sh [SEQUENTIAL=50] [BURST=50] [both|nodeagent]   (root; needs the test packages: scripts/install-deps.sh --test)
# STARTUP_BENCH_LOG_DIR=DIR keeps each server's log (with NODEAGENT_LOG_LEVEL=Debug or Trace: a pod's timeline); STARTUP_BENCH_WARMUP=N unmeasured pods first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/bench/NodeAgent.StartupBench" -c Release -nologo -v quiet
cd "$root/bench/NodeAgent.StartupBench/bin/Release/net10.0"
exec dotnet NodeAgent.StartupBench.dll "${1:-50}" "${2:-50}" "${3:-both}"
