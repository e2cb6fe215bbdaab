#!/usr/bin/env bash
# Idle RSS of a real `nodeagent server` (all roles, SQLite, built-in runtime, no pods): start it with its own data dir,
# bridge and /24s, wait for the kubeconfig, idle IDLE seconds, print VmRSS/VmHWM and the resident memory by kind of
# mapping (from /proc/PID/smaps), then stop it by its PID and delete its bridge.
# Usage: bench/run-idle-rss.sh [SERVER=path/nodeagent.dll|path/nodeagent] [IDLE=30] [ROUNDS=1]
# A .dll runs under `dotnet exec`; anything else is run as the executable (e.g. a Native AOT publish).
# BENCH_AGENT_ENV="K=V K=V" sets environment for the server (e.g. DOTNET_* knobs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
server="${1:-$root/agent/NodeAgent/bin/Release/net10.0/nodeagent.dll}"
idle="${2:-30}"
rounds="${3:-1}"
[[ -e "$server" ]] || { echo "run-idle-rss: $server not found (build or publish first)" >&2; exit 2; }
if [[ "$server" == *.dll ]]; then cmd=(dotnet exec "$server"); else cmd=("$server"); fi

pid=""
dir=""
bridge=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    pid=""
    if [[ -n "$bridge" ]]; then ip link del "$bridge" 2>/dev/null || true; fi
    if [[ -n "$dir" ]]; then rm -rf "$dir"; fi
    dir=""
}
trap cleanup EXIT

for round in $(seq 1 "$rounds"); do
    hex="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
    bridge="nat$hex"
    dir="$(mktemp -d "/tmp/${bridge}-idle.XXXXXX")"
    b="$(od -An -N3 -tu1 /dev/urandom)"
    read -r b0 b1 b2 <<<"$b"
    pod_cidr="10.$((200 + b0 % 8)).$b1.0/24"
    svc_cidr="10.$((200 + (b0 + 1) % 8)).$b2.0/24"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    printf 'data-dir: %s\n' "$dir/data" >"$dir/config.yaml"
    # shellcheck disable=SC2086
    env ${BENCH_AGENT_ENV:-} "${cmd[@]}" server --config "$dir/config.yaml" --data-dir "$dir/data" --run-dir "$dir/run" \
        --api-address 127.0.0.1 --api-port "$port" --kubeconfig "$dir/admin.kubeconfig" \
        --node-name "$bridge-node" --bridge "$bridge" --pod-cidr "$pod_cidr" --service-cidr "$svc_cidr" \
        >"$dir/server.log" 2>&1 &
    pid=$!
    start=$(date +%s%N)
    for _ in $(seq 1 600); do
        [[ -f "$dir/admin.kubeconfig" ]] && break
        kill -0 "$pid" 2>/dev/null || { echo "server exited:"; tail -20 "$dir/server.log"; exit 1; }
        sleep 0.1
    done
    [[ -f "$dir/admin.kubeconfig" ]] || { echo "no kubeconfig after 60 s"; tail -20 "$dir/server.log"; exit 1; }
    ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    # The node must have registered (all roles running) before the idle period counts.
    for _ in $(seq 1 120); do
        kubectl --kubeconfig "$dir/admin.kubeconfig" get "node/$bridge-node" >/dev/null 2>&1 && break
        sleep 0.5
    done
    kubectl --kubeconfig "$dir/admin.kubeconfig" wait --for=condition=Ready "node/$bridge-node" --timeout=60s >/dev/null
    sleep "$idle"
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
    printf 'round %d: ready after %d ms, idle %d s: VmRSS %.1f MB, VmHWM %.1f MB, %d threads\n' \
        "$round" "$ready_ms" "$idle" "$(echo "$rss/1024" | bc -l)" "$(echo "$hwm/1024" | bc -l)" "$threads"
    awk '
        /^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "";
            if (name ~ /\.dll$/) kind = "mapped .dll";
            else if (name ~ /\.so(\.[0-9]+)*$/) kind = "mapped .so";
            else if (name ~ /doublemapper/) kind = "doublemapper (loader heaps, JIT code)";
            else if (name == "[heap]") kind = "[heap] (malloc)";
            else if (name == "[stack]" ) kind = "stacks";
            else if (name == "") kind = "anonymous (GC heap, native)";
            else if (name ~ /^\[/) kind = "other " name;
            else kind = "mapped file " name;
            next }
        /^Rss:/ { sum[kind] += $2 }
        END { for (k in sum) if (sum[k] >= 512) printf "  %-60s %7.1f MB\n", k, sum[k] / 1024 }' "/proc/$pid/smaps" | sort -t' ' -k1,1 | sort -k2 -rn -t$'\t'
    cleanup
done
