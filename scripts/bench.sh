#!/usr/bin/env bash
# Whole-process benchmarks: every command timed as a user or a CI step runs it (process start,
# reading the definition and the state, the work, writing the state, printing), in release.
#
#   scripts/bench.sh            # the workloads below, 9 runs each, median wall time
#   RUNS=21 scripts/bench.sh    # more runs
#   BIN=/tmp/old/scaleset scripts/bench.sh   # another build of the binary
#
# Workloads, each checked against the targets of the foundation issue:
#   1. one set: create at 10, scale to 1000, list instances, scale in to 100, delete, and the
#      other everyday commands on the 1000 VMs (target: each under 10 ms);
#   2. the state-size ladder: 1, 10 and 100 sets of 1000 instances (1k / 10k / 100k VMs): reads
#      (list, instances, cost, plan, events) and writes (scale, protect, advance, apply), each
#      with its peak memory and the ratio to the state file's size (target at 100k: each under
#      300 ms, peak memory under 3x the state file), beside the floor of reading the file
#      (and of reading, writing and fsyncing it) without parsing, measured in the same run.
# The peer comparison with moto is scripts/bench-moto.sh. BENCHMARKS.md records one run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
# BIN=/path/to/scaleset times another build (e.g. the previous commit's, for a before/after).
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/scaleset
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SCALESET_SEED=1

# The time in microseconds, read without starting a process (bash 5): `date` would add its own
# start-up, a millisecond or more, to every figure.
[ -n "${EPOCHREALTIME:-}" ] || { echo "bash 5 or later is needed (EPOCHREALTIME)" >&2; exit 1; }

# median_ms SETUP CMD...: runs SETUP (untimed) then CMD, RUNS times; prints the median in ms.
median_ms() {
  local setup=$1; shift
  local times=()
  local failed=0
  for _ in $(seq "$RUNS"); do
    eval "$setup" >/dev/null 2>&1
    local t0=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || failed=1
    local t1=${EPOCHREALTIME/[.,]/}
    times+=($(( t1 - t0 )))
  done
  # A command that fails is not measured: say so rather than time an error message.
  if [ "$failed" = 1 ]; then echo "FAILED"; return; fi
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.2f", m/1000}'
}

peak_kb() {
  if [ -x /usr/bin/time ]; then
    { /usr/bin/time -f %M "$@" 2>&1 >/dev/null || true; } | tail -1
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

# ms_of "command words": median wall time of a command (no setup), in ms.
ms_of() { median_ms true "$BIN" "$@"; }
# check VALUE LIMIT: "ok" when VALUE <= LIMIT, else "MISSED".
check() { awk -v v="$1" -v l="$2" 'BEGIN {print (v != "FAILED" && v + 0 <= l + 0) ? "ok" : "MISSED"}'; }
worst_small=0
worst_large=0
worst_mem_ratio=0
track() { # track VAR VALUE: keep the largest (a failure beats any figure)
  local var=$1 value=$2
  if [ "$value" = FAILED ] || [ "${!var}" = FAILED ]; then printf -v "$var" '%s' FAILED; return; fi
  if awk -v a="$value" -v b="${!var}" 'BEGIN {exit !(a > b)}'; then printf -v "$var" '%s' "$value"; fi
}

echo "## 1. One set, 10 -> 1000 -> 100 (target: each under 10 ms)"
# Each timed command starts from a saved state (copied back, untimed), so that the figures do
# not depend on how many times the runs before it grew the activity log.
definition 1 10 > scalesets.yaml
rm -f scalesets.state.json*
"$BIN" --start-time 2026-01-05T08:00:00Z apply >/dev/null 2>&1
cp scalesets.state.json at10.json
"$BIN" scale s001 --capacity 1000 >/dev/null 2>&1
cp scalesets.state.json at1000.json
"$BIN" scale s001 --capacity 100 >/dev/null 2>&1
cp scalesets.state.json at100.json
from() { echo "rm -f scalesets.state.json.backup; cp $1.json scalesets.state.json"; }
printf '%-34s %8s\n' "command" "ms"
row() { printf '%-34s %8s\n' "$1" "$2"; track worst_small "$2"; }
row "apply (create at 10)" "$(median_ms 'rm -f scalesets.state.json*' "$BIN" --start-time 2026-01-05T08:00:00Z apply)"
row "scale s001 --capacity 1000" "$(median_ms "$(from at10)" "$BIN" scale s001 --capacity 1000)"
row "instances s001 (1000 rows)" "$(median_ms "$(from at1000)" "$BIN" instances s001)"
row "instances s001 -o json" "$(median_ms "$(from at1000)" "$BIN" instances s001 -o json)"
row "list" "$(median_ms "$(from at1000)" "$BIN" list)"
row "cost" "$(median_ms "$(from at1000)" "$BIN" cost)"
row "plan" "$(median_ms "$(from at1000)" "$BIN" plan)"
row "advance 1m" "$(median_ms "$(from at1000)" "$BIN" advance 1m)"
row "protect s001 --instances 5" "$(median_ms "$(from at1000)" "$BIN" protect s001 --instances 5)"
row "delete s001 --instances 7" "$(median_ms "$(from at1000)" "$BIN" delete s001 --instances 7)"
row "scale s001 --capacity 100" "$(median_ms "$(from at1000)" "$BIN" scale s001 --capacity 100)"
row "delete s001" "$(median_ms "$(from at100)" "$BIN" delete s001)"
echo "worst: $worst_small ms -> $(check "$worst_small" 10)"
echo

echo "## 2. State-size ladder (target at 100k: each under 300 ms, peak memory under 3x the state file)"
printf '%-8s %-26s %10s %10s %10s\n' "VMs" "command" "ms" "peak MB" "x state"
for sets in 1 10 100; do
  definition "$sets" 1000 > scalesets.yaml
  rm -f scalesets.state.json*
  "$BIN" --start-time 2026-01-05T08:00:00Z apply >/dev/null 2>&1
  cp scalesets.state.json full.json
  size=$(stat -c %s scalesets.state.json)
  printf '%-8s %-26s %10.1f MB\n' "$((sets * 1000))" "(state file)" "$(awk -v s="$size" 'BEGIN {print s / 1048576}')"
  ladder_row() { # label, setup, command words...
    local label=$1 setup=$2; shift 2
    local ms peak ratio
    ms=$(median_ms "$setup" "$BIN" "$@")
    eval "$setup" >/dev/null 2>&1
    peak=$(peak_kb "$BIN" "$@")
    if [ "$peak" = n/a ]; then ratio=n/a; peak_mb=n/a; else
      ratio=$(awk -v p="$peak" -v s="$size" 'BEGIN {printf "%.2f", p * 1024 / s}')
      peak_mb=$(awk -v p="$peak" 'BEGIN {printf "%.1f", p / 1024}')
    fi
    printf '%-8s %-26s %10s %10s %10s\n' "$((sets * 1000))" "$label" "$ms" "$peak_mb" "$ratio"
    if [ "$sets" = 100 ]; then
      track worst_large "$ms"
      [ "$ratio" = n/a ] || track worst_mem_ratio "$ratio"
    fi
  }
  # The floor, measured in the same run: the file read into memory without parsing (one read
  # into a buffer of its size, as a program that loads the file does), and read, written to a
  # new file and fsynced, as a one-set write must at least.
  bs=$(( size + 1048576 ))
  printf '%-8s %-26s %10s\n' "$((sets * 1000))" "(floor) plain read" \
    "$(median_ms true dd if=full.json of=/dev/null bs=$bs status=none)"
  printf '%-8s %-26s %10s\n' "$((sets * 1000))" "(floor) read+write+fsync" \
    "$(median_ms 'rm -f floor.tmp' dd if=full.json of=floor.tmp bs=$bs conv=fsync status=none)"
  ladder_row "list" true list
  ladder_row "instances s001 -o json" true instances s001 -o json
  ladder_row "cost" true cost
  ladder_row "plan" true plan
  ladder_row "events --tail 10" true events --tail 10
  ladder_row "instances s001 (table)" true instances s001
  # Writers start from the full state each time (copied back, untimed).
  reset="rm -f scalesets.state.json.backup; cp full.json scalesets.state.json"
  ladder_row "scale s001 --by -1" "$reset" scale s001 --by -1
  ladder_row "scale s001 --capacity 990" "$reset" scale s001 --capacity 990
  ladder_row "protect s001 --instances 7" "$reset" protect s001 --instances 7
  ladder_row "delete s001 --instances 7" "$reset" delete s001 --instances 7
  ladder_row "advance 1m" "$reset" advance 1m
  ladder_row "apply (no change)" "$reset" apply
done
echo "worst at 100k: $worst_large ms -> $(check "$worst_large" 300); peak memory $worst_mem_ratio x the state file -> $(check "$worst_mem_ratio" 3)"
