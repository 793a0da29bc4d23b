#!/usr/bin/env bash
# Runs the libFuzzer targets one after another (never in parallel), each for
# SECONDS seconds, starting from the committed seed corpus.
#   tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
# New corpus entries go to BUILD_DIR/fuzz/work/<target>/ (the committed
# corpus is only read), crashes to BUILD_DIR/fuzz/artifacts/<target>/,
# logs to BUILD_DIR/fuzz/logs/<target>.log. Prints one summary line per
# target; exits non-zero when any target found a crash, leak or timeout.
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(llama2c_checkpoint safetensors tokenizer hf_config quant_spec expr config_json)

status=0
for t in "${targets[@]}"; do
  exe=$build/fuzz/${t}_fuzz
  [ -x "$exe" ] || { echo "fuzz: $exe is missing (make fuzz-build)" >&2; exit 2; }
  work=$build/fuzz/work/$t
  art=$build/fuzz/artifacts/$t
  log=$build/fuzz/logs/$t.log
  mkdir -p "$work" "$art" "$(dirname "$log")"
  extra=()
  [ -f "$here/$t.dict" ] && extra+=(-dict="$here/$t.dict")
  # The targets' scratch files go to a folder of their own (libFuzzer's
  # exit skips atexit cleanup).
  scratch=$build/fuzz/tmp/$t
  mkdir -p "$scratch"
  start=$(date +%s)
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb/-malloc_limit_mb:
  # an input that makes the reader allocate 2 GB is a finding.
  TMPDIR=$scratch "$exe" "$work" "$here/corpus/$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$art/" "${extra[@]}" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  rm -rf "$scratch"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    result="no finding"
  else
    result="FINDING (exit $rc): $(ls "$art" | tr '\n' ' ')"
    status=1
  fi
  printf 'fuzz %-20s %5ss  %10s execs  %-10s %s\n' "$t" "$took" "${execs:-?}" "${cov:-}" "$result"
  [ $rc -eq 0 ] || tail -40 "$log" >&2
done
exit $status
