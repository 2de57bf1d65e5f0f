#!/usr/bin/env bash
# Timed fuzzing campaigns for every target, two at a time, with AddressSanitizer.
#   bash fuzz/run-campaigns.sh [SECONDS_PER_TARGET] [TARGET ...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; with only a stable
# toolchain it sets RUSTC_BOOTSTRAP=1, which lets stable rustc use the nightly flags
# cargo-fuzz needs. Each target's growing corpus is kept under fuzz/work/ (not committed);
# crashes land in fuzz/artifacts/<target>/. A summary line per target goes to
# fuzz/work/results.txt: target, seconds, executions, executions per second, crashes.
# libFuzzer itself is built without AddressSanitizer: see ../.cargo/config.toml.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if ! rustc --version | grep -q nightly; then export RUSTC_BOOTSTRAP=1; fi
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
cargo fuzz build
mkdir -p work
run_one() {
  local t="$1"
  mkdir -p "work/$t"
  local log="work/$t.log"
  if cargo fuzz run "$t" "work/$t" "corpus/$t" -- -max_total_time="$seconds" -print_final_stats=1 > "$log" 2>&1; then
    status=ok
  else
    status=CRASH
  fi
  local runs rate
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  echo "$t $seconds ${runs:-0} ${rate:-0} $status" >> work/results.txt
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run_one "${targets[$i]}" &
  if [ $((i + 1)) -lt ${#targets[@]} ]; then run_one "${targets[$((i + 1))]}" & fi
  wait
done
cat work/results.txt
