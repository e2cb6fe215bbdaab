#!/usr/bin/env bash
# After a test run: lists host objects still carrying a test prefix ("nat" + 6 hex digits),
# which every test gives to what it creates. Prints nothing and exits 0 when the host is clean.
# --since FILE: only temp dirs newer than FILE count (a run killed earlier on this machine is not this run's leak).
set -uo pipefail
pattern='nat[0-9a-f]{6}'
since=()
[[ "${1:-}" == "--since" && -e "${2:-}" ]] && since=(-newer "$2")
found=0
report() { [[ -n "$2" ]] && { echo "leftover $1:"; sed 's/^/  /' <<<"$2"; found=1; }; }

report "temp dirs" "$(find "${TMPDIR:-/tmp}" -mindepth 1 -maxdepth 1 "${since[@]}" -printf '%f\n' 2>/dev/null | grep -E "^$pattern")"
report "mounts" "$(grep -E "$pattern" /proc/self/mountinfo | awk '{print $5}')"
report "interfaces" "$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E "$pattern")"
report "netns" "$(ls -1 /run/netns 2>/dev/null | grep -E "$pattern")"
report "cgroups" "$(find /sys/fs/cgroup -maxdepth 3 -type d 2>/dev/null | grep -E "$pattern")"
report "pod log dirs" "$(find /var/log/pods -mindepth 1 -maxdepth 1 "${since[@]}" -printf '%f\n' 2>/dev/null | grep -E "$pattern")"
report "iptables" "$(iptables-save 2>/dev/null | grep -E "$pattern")"
report "processes" "$(for p in /proc/[0-9]*; do [[ "${p#/proc/}" == "$$" ]] && continue; tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -E "$pattern" | sed "s|^|${p#/proc/}: |"; done)"
exit $found
