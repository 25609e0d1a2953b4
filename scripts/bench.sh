#!/usr/bin/env bash
# Whole-process benchmarks: every command timed as a user or a CI step runs it (process start,
# reading the definition and the state, the work, writing the state, printing), in release.
#
#   scripts/bench.sh            # the workloads below, 9 runs each, median wall time
#   RUNS=21 scripts/bench.sh    # more runs
#
# Workloads:
#   1. one set: create at 10, scale to 1000, list instances, scale in to 100, delete;
#   2. the state-size ladder: 1, 10 and 100 sets of 1000 instances (1k / 10k / 100k VMs):
#      list, instances of one set, scale of one set (a write of the whole state), cost;
#      with the state file's size and the peak memory of a scale.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
cargo build --release --quiet
BIN=$PWD/target/release/scaleset
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SCALESET_SEED=1

now_ns() { date +%s%N; }

# median_ms SETUP CMD...: runs SETUP (untimed) then CMD, RUNS times; prints the median in ms.
median_ms() {
  local setup=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    eval "$setup" >/dev/null 2>&1
    local t0; t0=$(now_ns)
    "$@" >/dev/null 2>&1
    local t1; t1=$(now_ns)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.2f", m/1000}'
}

peak_kb() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
  else
    echo "n/a"
  fi
}

definition() { # $1 = number of sets, $2 = capacity
  echo "scaleSets:"
  for i in $(seq 1 "$1"); do
    printf '  - name: s%03d\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: %s\n    orchestrationMode: Uniform\n    singlePlacementGroup: false\n    overprovision: false\n    zones: [1, 2, 3]\n    provisioningTime: 0s\n' "$i" "$2"
  done
}

echo "scaleset whole-process benchmarks: median of $RUNS runs, wall time in ms"
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo

echo "## 1. One set, 10 -> 1000 -> 100"
definition 1 10 > scalesets.yaml
rm -f scalesets.state.json*
printf '%-34s %8s\n' "command" "ms"
printf '%-34s %8s\n' "apply (create at 10)" "$(median_ms 'rm -f scalesets.state.json*' "$BIN" --start-time 2026-01-05T08:00:00Z apply)"
printf '%-34s %8s\n' "scale s001 --capacity 1000" "$(median_ms "$BIN scale s001 --capacity 10" "$BIN" scale s001 --capacity 1000)"
printf '%-34s %8s\n' "instances s001 (1000 rows)" "$(median_ms true "$BIN" instances s001)"
printf '%-34s %8s\n' "instances s001 -o json" "$(median_ms true "$BIN" instances s001 -o json)"
printf '%-34s %8s\n' "list" "$(median_ms true "$BIN" list)"
printf '%-34s %8s\n' "scale s001 --capacity 100" "$(median_ms "$BIN scale s001 --capacity 1000" "$BIN" scale s001 --capacity 100)"
printf '%-34s %8s\n' "delete s001" "$(median_ms "$BIN scale s001 --capacity 100; $BIN apply" "$BIN" delete s001)"
echo

echo "## 2. State-size ladder"
printf '%-10s %10s %10s %10s %10s %10s %12s\n' "VMs" "state MB" "list" "instances" "scale" "cost" "peak MB"
for sets in 1 10 100; do
  definition "$sets" 1000 > scalesets.yaml
  rm -f scalesets.state.json*
  "$BIN" --start-time 2026-01-05T08:00:00Z apply >/dev/null 2>&1
  size=$(stat -c %s scalesets.state.json)
  list=$(median_ms true "$BIN" list)
  inst=$(median_ms true "$BIN" instances s001 -o json)
  scale=$(median_ms true "$BIN" scale s001 --by +1)
  cost=$(median_ms true "$BIN" cost)
  peak=$(peak_kb "$BIN" scale s001 --by -1)
  printf '%-10s %10.1f %10s %10s %10s %10s %12s\n' "$((sets * 1000))" "$(awk -v s="$size" 'BEGIN {print s / 1048576}')" "$list" "$inst" "$scale" "$cost" "$( [ "$peak" = n/a ] && echo n/a || echo "$((peak / 1024))")"
done
