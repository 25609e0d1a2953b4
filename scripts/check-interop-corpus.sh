#!/usr/bin/env bash
# Imports every public sample in ../shared/corpus/interop (third-party files, kept outside the
# repository) with the flags each needs, and prints what happened: the README's table of
# results comes from this. Exit 0 when every sample imports or is refused with a message.
#
#   scripts/check-interop-corpus.sh [CORPUS_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/interop}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 1; }
cargo build --release --quiet || exit 1
bin=$PWD/target/release/scaleset
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for file in "$corpus"/az-json/*.json "$corpus"/arm/*.json; do
  name=$(basename "$file")
  # The flags a sample needs: its placeholders and parameters without defaults.
  flags=(--location eastus --param vmss-name=web --param vmssName=web)
  if "$bin" import "${flags[@]}" "$file" --out "$work/$name.yaml" >"$work/out" 2>"$work/err"; then
    sets=$(grep -c '^  - name:' "$work/$name.yaml")
    echo "ok       $name: $sets scale set(s), $(grep -c '^warning:' "$work/err") warning(s)"
  elif [ -s "$work/err" ]; then
    echo "refused  $name: $(grep -v "^warning:" "$work/err" | grep -v "^ *#\|^  \|^scaleSets:\|^$" | tail -1 | cut -c1-200)"
  else
    echo "FAILED   $name: no message"
    status=1
  fi
done
exit $status
