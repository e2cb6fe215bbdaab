#!/usr/bin/env bash
# Opt-in Native AOT publish of `nodeagent` (one self-contained executable, no JIT): the low-memory build of the server
# (bench/README.md, "Native AOT"). Not part of the normal build or CI: the ILC step takes many minutes on 2 cores.
# Usage: scripts/publish-aot.sh [OUTPUT_DIR=out/aot]
# Needs a C toolchain for the link step (clang, or gcc as the fallback) and zlib1g-dev, as every .NET Native AOT publish.
# The trim/AOT analysis warnings it prints are expected (listed in bench/README.md); they do not fail the publish.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/out/aot}"
start=$(date +%s)
# Warnings stay warnings here only (see the csproj). No debug symbols: ILC is faster and there is no 200 MB .dbg.
dotnet publish "$root/agent/NodeAgent" -c Release -r linux-x64 -nologo \
    -p:PublishAot=true -p:DebugType=none -p:StripSymbols=true -p:TreatWarningsAsErrors=false -o "$out"
echo "published $out/nodeagent in $(( $(date +%s) - start )) s ($(du -m "$out/nodeagent" | cut -f1) MB)"
