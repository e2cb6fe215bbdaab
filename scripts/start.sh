#!/usr/bin/env bash
# One command on a fresh machine: install Debian dependencies if missing, build, start the agent.
# Extra arguments go to `nodeagent server` (see `nodeagent server --help`).
# --aot first: the Native AOT build instead (idle RSS ~72 MB instead of ~140; its publish takes 5-10 minutes on 2 cores,
# and is redone only when the sources changed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ "${1:-}" == "--aot" ]]; then
    shift
    "$root/scripts/install-deps.sh" --aot
    stamp="$root/out/aot/.source"
    source_id="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo none)$(git -C "$root" status --porcelain 2>/dev/null | sha256sum | cut -c1-16)"
    if [[ ! -x "$root/out/aot/nodeagent" || "$(cat "$stamp" 2>/dev/null)" != "$source_id" ]]; then
        "$root/scripts/publish-aot.sh" "$root/out/aot"
        echo "$source_id" >"$stamp"
    fi
    "$root/out/aot/nodeagent" version
    exec "$root/out/aot/nodeagent" server "$@"
fi

"$root/scripts/install-deps.sh"
dotnet publish agent/NodeAgent -c Release -o "$root/out/nodeagent" -warnaserror -v quiet -nologo

"$root/out/nodeagent/nodeagent" version
exec "$root/out/nodeagent/nodeagent" server "$@"
