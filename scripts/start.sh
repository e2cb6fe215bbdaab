#!/usr/bin/env bash
# One command on a fresh machine: install Debian dependencies if missing, build, start the agent.
# Extra arguments go to `nodeagent server` (see `nodeagent server --help`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish agent/NodeAgent -c Release -o "$root/out/nodeagent" -warnaserror -v quiet -nologo

"$root/out/nodeagent/nodeagent" version
exec "$root/out/nodeagent/nodeagent" server "$@"
