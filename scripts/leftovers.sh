#!/usr/bin/env bash
# After a test run: lists host objects still carrying a test prefix ("nat" + 6 hex digits),
# which every test gives to what it creates. Lists nothing and exits 0 when the host is clean.
#   --since FILE    only temp dirs and pod log dirs newer than FILE count
#   --except FILE   prefixes listed in FILE (one per line) do not count: they were on the host
#                   before this run started (a run killed earlier), so they cannot be this run's leak
#   --prefixes      print the distinct prefixes on the host now, one per line, and exit 0
#                   (taken before a run, it is the --except file for after it)
set -uo pipefail
pattern='nat[0-9a-f]{6}'
since=()
except=/dev/null
list_prefixes=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --since) [[ -e "${2:-}" ]] && since=(-newer "$2"); shift 2 ;;
    --except) [[ -e "${2:-}" ]] && except="$2"; shift 2 ;;
    --prefixes) list_prefixes=1; shift ;;
    *) echo "leftovers.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

objects() {
  local kind="$1"
  case "$kind" in
    "temp dirs") find "${TMPDIR:-/tmp}" -mindepth 1 -maxdepth 1 "${since[@]}" -printf '%f\n' 2>/dev/null | grep -E "^$pattern" ;;
    mounts) grep -E "$pattern" /proc/self/mountinfo | awk '{print $5}' ;;
    interfaces) ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E "$pattern" ;;
    netns) ls -1 /run/netns 2>/dev/null | grep -E "$pattern" ;;
    cgroups) find /sys/fs/cgroup -maxdepth 3 -type d 2>/dev/null | grep -E "$pattern" ;;
    "pod log dirs") find /var/log/pods -mindepth 1 -maxdepth 1 "${since[@]}" -printf '%f\n' 2>/dev/null | grep -E "$pattern" ;;
    iptables) iptables-save 2>/dev/null | grep -E "$pattern" ;;
    processes) for p in /proc/[0-9]*; do [[ "${p#/proc/}" == "$$" ]] && continue; tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -E "$pattern" | sed "s|^|${p#/proc/}: |"; done ;;
  esac
}
kinds=("temp dirs" mounts interfaces netns cgroups "pod log dirs" iptables processes)

if (( list_prefixes )); then
  since=()
  for kind in "${kinds[@]}"; do objects "$kind"; done | grep -oE "$pattern" | sort -u
  exit 0
fi

# Lines naming only pre-existing prefixes are dropped (case-insensitive: iptables chains may be upper case).
not_preexisting() { if [[ -s "$except" ]]; then grep -viF -f "$except"; else cat; fi; }
found=0
for kind in "${kinds[@]}"; do
  lines="$(objects "$kind" | not_preexisting)"
  [[ -n "$lines" ]] && { echo "leftover $kind:"; sed 's/^/  /' <<<"$lines"; found=1; }
done
if [[ -s "$except" ]]; then
  echo "(not counted: objects of prefixes already on the host before this run: $(paste -sd' ' "$except"))"
fi
exit $found
