#!/usr/bin/env bash
# Peer comparison: one workload run against scaleset and against moto's AWS Auto Scaling mock
# (https://github.com/getmoto/moto), the usual way to emulate scale groups locally.
#
#   scripts/bench-moto.sh           # 5 runs of the workload on each side, median per step
#   RUNS=11 scripts/bench-moto.sh
#
# Workload: create a group of 10, scale it to 1000, list its 1000 instances, scale in to 100,
# delete it.
#   - scaleset: each step is a whole process (start, read definition and state, work, write the
#     state with fsync, print), in release, as a CI step runs it;
#   - moto: each step is one boto3 call into moto's in-process mock (`mock_aws`), timed inside
#     one Python process: no interpreter start, no import, no HTTP, no disk. This favours moto.
# moto is installed with pip in a virtual environment made in a temporary directory; where that
# cannot be done (no network, no venv), the moto side is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
cargo build --release --quiet
BIN=$PWD/target/release/scaleset
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "peer comparison: create 10 -> scale to 1000 -> list -> scale in to 100 -> delete; median of $RUNS runs, ms"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"

# --- scaleset --------------------------------------------------------------------------------
mkdir "$work/scaleset"
cd "$work/scaleset"
cat > scalesets.yaml <<'EOF'
scaleSets:
  - name: web
    region: eastus
    sku: Standard_D2s_v5
    capacity: 10
    orchestrationMode: Uniform
    singlePlacementGroup: false
    overprovision: false
    zones: [1, 2, 3]
    provisioningTime: 0s
EOF
steps=("create 10" "scale to 1000" "list 1000" "scale in to 100" "delete")
commands=(
  "apply"
  "scale web --capacity 1000"
  "instances web -o json"
  "scale web --capacity 100"
  "delete web"
)
# Microseconds, read without starting a process (bash 5's EPOCHREALTIME).
[ -n "${EPOCHREALTIME:-}" ] || { echo "bash 5 or later is needed (EPOCHREALTIME)" >&2; exit 1; }
: > times.txt
for run in $(seq "$RUNS"); do
  rm -f scalesets.state.json*
  for k in "${!commands[@]}"; do
    # shellcheck disable=SC2086 # the command words are meant to split
    t0=${EPOCHREALTIME/[.,]/}
    "$BIN" --seed 1 --start-time 2026-01-05T08:00:00Z ${commands[$k]} >/dev/null 2>&1
    t1=${EPOCHREALTIME/[.,]/}
    echo "$k $(( t1 - t0 ))" >> times.txt
  done
done
median_us() { awk -v k="$1" '$1 == k {print $2}' times.txt | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -a ours
total_ours=0
for k in "${!steps[@]}"; do
  ours[$k]=$(median_us "$k")
  total_ours=$(( total_ours + ours[k] ))
done

# --- moto --------------------------------------------------------------------------------------
cd "$work"
moto_ok=1
if ! python3 -m venv "$work/venv" >"$work/venv.log" 2>&1; then
  echo "note: moto side skipped: python3 -m venv failed ($(tail -1 "$work/venv.log"))"
  moto_ok=0
elif ! "$work/venv/bin/pip" install --quiet "moto[autoscaling,ec2]" boto3 >"$work/pip.log" 2>&1; then
  echo "note: moto side skipped: pip install \"moto[autoscaling,ec2]\" boto3 failed ($(tail -1 "$work/pip.log"))"
  moto_ok=0
fi
if [ "$moto_ok" = 1 ]; then
  cat > "$work/moto_bench.py" <<'EOF'
import statistics, sys, time
import boto3
from moto import mock_aws

RUNS = int(sys.argv[1])
REGION = "us-east-1"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]

def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e6

def one_run():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        asg = boto3.client("autoscaling", region_name=REGION)
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.create_launch_template(
            LaunchTemplateName="web", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"}
        )
        def list_all():
            seen = 0
            for page in asg.get_paginator("describe_auto_scaling_instances").paginate():
                seen += len(page["AutoScalingInstances"])
            assert seen == 1000, seen
        steps = [
            lambda: asg.create_auto_scaling_group(
                AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web"},
                MinSize=0, MaxSize=1000, DesiredCapacity=10, AvailabilityZones=ZONES),
            lambda: asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=1000),
            list_all,
            lambda: asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=100),
            lambda: asg.delete_auto_scaling_group(AutoScalingGroupName="web", ForceDelete=True),
        ]
        return [timed(s) for s in steps]

runs = [one_run() for _ in range(RUNS)]
for k in range(5):
    print(k, int(statistics.median(r[k] for r in runs)))
EOF
  if ! "$work/venv/bin/python" "$work/moto_bench.py" "$RUNS" > "$work/moto.txt" 2>"$work/moto.err"; then
    echo "note: moto side skipped: the workload failed under moto ($(tail -1 "$work/moto.err"))"
    moto_ok=0
  else
    echo "moto $("$work/venv/bin/python" -c 'import moto; print(moto.__version__)'), boto3 $("$work/venv/bin/python" -c 'import boto3; print(boto3.__version__)'), Python $("$work/venv/bin/python" -c 'import platform; print(platform.python_version())')"
  fi
fi

echo
printf '%-18s %14s %14s %10s\n' "step" "scaleset ms" "moto ms" "moto/ours"
total_moto=0
for k in "${!steps[@]}"; do
  if [ "$moto_ok" = 1 ]; then
    theirs=$(awk -v k="$k" '$1 == k {print $2}' "$work/moto.txt")
    total_moto=$(( total_moto + theirs ))
    printf '%-18s %14.2f %14.2f %10.1f\n' "${steps[$k]}" "$(awk -v u="${ours[$k]}" 'BEGIN {print u / 1000}')" \
      "$(awk -v u="$theirs" 'BEGIN {print u / 1000}')" "$(awk -v a="$theirs" -v b="${ours[$k]}" 'BEGIN {print a / b}')"
  else
    printf '%-18s %14.2f %14s %10s\n' "${steps[$k]}" "$(awk -v u="${ours[$k]}" 'BEGIN {print u / 1000}')" "-" "-"
  fi
done
if [ "$moto_ok" = 1 ]; then
  printf '%-18s %14.2f %14.2f %10.1f\n' "total" "$(awk -v u="$total_ours" 'BEGIN {print u / 1000}')" \
    "$(awk -v u="$total_moto" 'BEGIN {print u / 1000}')" "$(awk -v a="$total_moto" -v b="$total_ours" 'BEGIN {print a / b}')"
else
  printf '%-18s %14.2f\n' "total" "$(awk -v u="$total_ours" 'BEGIN {print u / 1000}')"
fi
