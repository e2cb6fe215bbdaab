#!/usr/bin/env bash
# One command for the whole test suite: installs test dependencies if missing, builds with
# warnings as errors, runs every test project (unit and real-component integration tests)
# and prints the totals from the TRX results as the last line: "N passed, N failed, N skipped".
# Integration tests need root (namespaces, runc, containerd, iptables).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

"$root/scripts/install-deps.sh" --test || exit 1

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"
touch "$results/.started"
# Prefixes already on the host (a run killed earlier) are reported apart, not as this run's leaks.
"$root/scripts/leftovers.sh" --prefixes >"$results/.preexisting"

dotnet build NodeAgent.sln -c Release -warnaserror -nologo -v quiet || { echo "build failed" >&2; echo "0 passed, 0 failed"; exit 1; }

status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  echo "== $name"
  # A hung test host is killed (and reported) instead of stalling the run.
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" --blame-hang-timeout 10m "$@" || status=1
done

# Every test cleans up after itself; anything left with a test prefix fails the run.
"$root/scripts/leftovers.sh" --since "$results/.started" --except "$results/.preexisting" || { echo "tests left host objects behind (see above)"; status=1; }

"$root/scripts/trx-totals.sh" "$results" || status=1
exit $status
