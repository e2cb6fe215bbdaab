#!/usr/bin/env bash
# Pull benchmark: ours vs containerd on a ~100 MB random multi-layer image, plus unpack vs tar -x.
# Usage: bench/run-pull-bench.sh [MEGABYTES] [ROUNDS]   (root; needs the test packages: scripts/install-deps.sh --test)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/bench/NodeAgent.Bench" -c Release -nologo -v quiet
cd "$root/bench/NodeAgent.Bench/bin/Release/net10.0"
exec dotnet NodeAgent.Bench.dll "${1:-100}" "${2:-3}"
