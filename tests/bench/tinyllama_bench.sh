#!/usr/bin/env bash
# System benchmark on real workloads (docs/benchmarks.md):
#  * wall time of stories260K, 256 tokens, through the tiny design;
#  * for every design: one full TinyLlama-1.1B-shaped token (every layer
#    through the RTL) on zcu102 with the overlapped schedule: wall time,
#    predicted tokens/s and its percentage of the DDR4 roofline.
# Usage: tests/bench/tinyllama_bench.sh BUILD_DIR [MODELS_DIR]
set -euo pipefail
build=${1:?build dir}
models=${2:-$(dirname "$0")/../../../shared/models}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

now() { date +%s%N; }

echo "| workload | design | wall s | tokens/s (simulated) | % of DDR roofline | accel busy % | DRAM GB/s |"
echo "|---|---|---|---|---|---|---|"
row() {  # $1 workload $2 design $3 wall $4 report
  python3 - "$@" <<'PY'
import json, sys
w, d, wall, rep = sys.argv[1:5]
r = json.load(open(rep))
t = r["total"]
print(f"| {w} | {d} | {float(wall):.1f} | {t['tokens_per_s']:.3f} | {r['roofline']['percent_of_roofline']:.1f} | "
      f"{100*t['accelerator']['busy_cycles']/t['cycles']:.1f} | {t['dram']['achieved_gbps']:.2f} |")
PY
}

if [ -f "$models/stories260K.bin" ]; then
  t0=$(now)
  "$build/llamaf-sim-tiny" --design "$src/configs/designs/tiny.json" --board "$src/configs/boards/zcu102.json" \
    --model "$models/stories260K.bin" --tokenizer "$models/tok512.bin" -n 256 --quiet \
    --report "$out/s260k.json" > /dev/null
  row "stories260K, 256 tokens" tiny "$(( ($(now) - t0) / 1000000 ))e-3" "$out/s260k.json"
fi

for json in "$src"/configs/designs/*.json; do
  d=$(basename "$json" .json)
  [ -x "$build/llamaf-sim-$d" ] || continue
  t0=$(now)
  if "$build/llamaf-sim-$d" --design "$json" --board "$src/configs/boards/zcu102.json" \
       --shape "$src/configs/models/tinyllama-1.1b.json" -n 1 --quiet \
       --report "$out/$d.json" > "$out/$d.log" 2>&1; then
    row "TinyLlama-1.1B, 1 token" "$d" "$(( ($(now) - t0) / 1000000 ))e-3" "$out/$d.json"
  else
    echo "| TinyLlama-1.1B, 1 token | $d | - | $(tail -1 "$out/$d.log" | sed 's/|/\\|/g') | | | |"
  fi
done
