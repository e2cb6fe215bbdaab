#!/usr/bin/env bash
# Smoke test of the API paths that reflect over the client's models or that the client reads by reflection, against one
# server build: for the Native AOT publish (scripts/publish-aot.sh), whose trimmer may drop what reflection needs.
# Unknown fields (strict/warn), strategic merge, server-side apply, explain (OpenAPI), field selectors, YAML responses,
# watch, the in-process informers. Own data dir, bridge and /24s; the server is stopped by PID and its bridge deleted.
# Usage: scripts/aot-smoke.sh [SERVER=out/aot/nodeagent]   (a .dll runs under `dotnet exec`). Exit 1 if a check fails.
set -uo pipefail
server="${1:-$(cd "$(dirname "$0")/.." && pwd)/out/aot/nodeagent}"
if [[ "$server" == *.dll ]]; then cmd=(dotnet exec "$server"); else cmd=("$server"); fi
hex="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"; bridge="nat$hex"
dir="$(mktemp -d "/tmp/${bridge}-smoke.XXXXXX")"
read -r b0 b1 b2 <<<"$(od -An -N3 -tu1 /dev/urandom)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
printf 'data-dir: %s\n' "$dir/data" >"$dir/config.yaml"
"${cmd[@]}" server --config "$dir/config.yaml" --data-dir "$dir/data" --run-dir "$dir/run" --api-address 127.0.0.1 --api-port "$port" \
  --kubeconfig "$dir/admin.kubeconfig" --node-name "$bridge-node" --bridge "$bridge" --pod-cidr "10.$((200 + b0 % 8)).$b1.0/24" \
  --service-cidr "10.$((200 + (b0 + 1) % 8)).$b2.0/24" >"$dir/server.log" 2>&1 &
pid=$!
cleanup() { kill -TERM $pid 2>/dev/null; for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; ip link del "$bridge" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 600); do [[ -f "$dir/admin.kubeconfig" ]] && break; sleep 0.1; done
k() { kubectl --kubeconfig "$dir/admin.kubeconfig" "$@"; }
for _ in $(seq 1 60); do k get ns default >/dev/null 2>&1 && break; sleep 0.5; done
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
cat >"$dir/d.yaml" <<Y
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: a, image: busybox, ports: [{containerPort: 80}]}
Y
check "apply deployment" 'k apply -f "$dir/d.yaml" >/dev/null'
sed 's/- {name: a, image: busybox/- {name: a, image: busybox, bogus: 1/' "$dir/d.yaml" >"$dir/bad.yaml"
out=$(k apply --validate=strict -f "$dir/bad.yaml" 2>&1); check "strict: nested unknown field named" '[[ "$out" == *"spec.template.spec.containers[0].bogus"* ]]'
out=$(k apply --validate=warn -f "$dir/bad.yaml" 2>&1); check "warn: nested unknown field warned" '[[ "$out" == *"bogus"* ]]'
check "strategic merge patch by container name" 'k patch deploy web -p "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"nginx\"}]}}}}" >/dev/null && [[ "$(k get deploy web -o jsonpath="{.spec.template.spec.containers[*].name}")" == *a* && "$(k get deploy web -o jsonpath="{.spec.template.spec.containers[*].name}")" == *b* ]]'
check "server-side apply" 'k apply --server-side -f "$dir/d.yaml" --force-conflicts >/dev/null'
out=$(k explain pods.spec.containers.ports 2>&1); check "explain nested field" '[[ "$out" == *"containerPort"* ]]'
out=$(k explain deployment.spec.template.spec.containers 2>&1); check "explain merge key" '[[ "$out" == *"image"* ]]'
check "field selector" '[[ "$(k get pods -A --field-selector status.phase=Running -o name | wc -l)" -ge 0 ]] && k get deploy --field-selector metadata.name=web -o name | grep -q web'
out=$(k get deploy --field-selector bogus=1 2>&1); check "unknown field selector rejected" '[[ "$out" == *"field label not supported"* || "$out" == *"not a known field selector"* ]]'
check "configmap create/get yaml" 'k create configmap c1 --from-literal=a=b >/dev/null && k get cm c1 -o yaml | grep -q "a: b"'
token=$(awk '/token:/{print $2}' "$dir/admin.kubeconfig" | tr -d '"')
out=$(curl -sk -H "Authorization: Bearer $token" -H "Accept: application/yaml" "https://127.0.0.1:$port/apis/apps/v1/namespaces/default/deployments")
check "YAML list response" '[[ "$out" == *"kind: DeploymentList"* && "$out" == *"name: web"* ]]'
out=$(curl -sk -H "Authorization: Bearer $token" -H "Accept: application/yaml" "https://127.0.0.1:$port/api/v1/namespaces/default/configmaps/c1")
check "YAML object response" '[[ "$out" == *"kind: ConfigMap"* && "$out" == *"a: b"* ]]'
out=$(curl -sk -H "Authorization: Bearer $token" "https://127.0.0.1:$port/healthz"); check "healthz" '[[ "$out" == ok ]]'
out=$(curl -sk -H "Authorization: Bearer $token" "https://127.0.0.1:$port/openapi/v2" | head -c 100000 | grep -c "x-kubernetes-patch-merge-key"); check "openapi v2 merge keys" '[[ "$out" -ge 1 ]]'
out=$(timeout 8 kubectl --kubeconfig "$dir/admin.kubeconfig" get cm -w -o name 2>/dev/null); check "watch delivers events" '[[ "$out" == *configmap/c1* ]]'
k create ns smoke >/dev/null; for _ in $(seq 1 40); do k -n smoke get sa default >/dev/null 2>&1 && break; sleep 0.5; done
check "in-process informer: default service account in a new namespace" 'k -n smoke get sa default >/dev/null 2>&1'
check "no informer list/watch failures in the server log" '! grep -q "List/watch of" "$dir/server.log"'
exit $fail
