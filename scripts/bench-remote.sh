#!/usr/bin/env bash
# The cost of keeping the state in Azure Blob Storage: the same commands timed against a local
# file and against a blob in Azurite on this machine (loopback, so the figures are scaleset's
# own overhead: HTTP, signing, ETag checks, the lease, the backup upload; a real account adds
# the network's round trips, about 4 requests for a write and 1 for a read).
#
#   scripts/bench-remote.sh            # 1,000-VM and 100,000-VM states, 9 runs each, median ms
#   RUNS=21 scripts/bench-remote.sh
#
# Azurite is taken from target/tmp/azurite-3.37.0 (where the tests install it), or installed
# into a temporary directory with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
cargo build --release --quiet
BIN=$PWD/target/release/scaleset
ROOT=$PWD
work=$(mktemp -d)
azurite_pid=
cleanup() { [ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
AZ=$ROOT/target/tmp/azurite-3.37.0
if [ ! -x "$AZ/node_modules/.bin/azurite-blob" ]; then
  AZ=$work/npm
  npm install --no-audit --no-fund --loglevel=error --prefix "$AZ" azurite@3.37.0 @azure/storage-blob@12.34.0 >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$AZ/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" --location "$work/azurite" \
  --silent --skipApiVersionCheck >/dev/null 2>&1 &
azurite_pid=$!
until (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do sleep 0.05; done
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
NODE_PATH=$AZ/node_modules node "$ROOT/tests/support/azure-blob-client.js" create-container bench
cd "$work"
export SCALESET_SEED=1

median_ms() { # CMD...: RUNS runs, median wall time in ms
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || { echo FAILED; return; }
    local t1=${EPOCHREALTIME/[.,]/}
    times+=($(( t1 - t0 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

definition() { # $1 sets of $2 VMs
  echo "scaleSets:"
  for i in $(seq 1 "$1"); do
    printf '  - name: s%03d\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: %s\n    orchestrationMode: Uniform\n    singlePlacementGroup: false\n    overprovision: false\n    zones: [1, 2, 3]\n    provisioningTime: 0s\n' "$i" "$2"
  done
}

echo "scaleset: local file vs. Azure Blob Storage (Azurite on loopback), median of $RUNS runs, ms"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo
echo "| state | command | local ms | blob ms | overhead ms |"
echo "|---|---|---:|---:|---:|"
for size in "1 1000 1k" "100 1000 100k"; do
  set -- $size
  definition "$1" "$2" > "d$3.yaml"
  "$BIN" -f "d$3.yaml" --state "l$3.json" apply --auto-approve >/dev/null 2>&1
  url="az://devstoreaccount1/bench/$3.json"
  "$BIN" --state "$url" state push "l$3.json" >/dev/null 2>&1
  bytes=$(stat -c %s "l$3.json")
  for cmd in "list" "cost" "scale s001 --by -1" "scale s001 --by +1" "protect s001 --instances 7"; do
    # shellcheck disable=SC2086
    local_ms=$(median_ms "$BIN" -f "d$3.yaml" --state "l$3.json" $cmd)
    # shellcheck disable=SC2086
    blob_ms=$(median_ms "$BIN" -f "d$3.yaml" --state "$url" $cmd)
    over=$(awk -v a="$blob_ms" -v b="$local_ms" 'BEGIN {printf "%+.1f", a - b}')
    echo "| $3 VMs ($(( bytes / 1024 )) KB) | \`$cmd\` | $local_ms | $blob_ms | $over |"
  done
done
