#!/usr/bin/env bash
# Throughput and memory benchmark of `demat run` (not a test: it asserts
# nothing, it measures). Prints a Markdown table ready to paste into
# docs/performance.md.
#
#   bench/bench.sh [options] [POPULATION ...]
#
# Options (each also settable by the environment variable in brackets):
#   --threads "1 2"     thread counts to run            [BENCH_THREADS]
#   --days N            simulated days (default 365)    [BENCH_DAYS]
#   --repeat K          runs per configuration; the table gives the minimum
#                       and the median wall time (default 1) [BENCH_REPEAT]
#   --scenario FILE     scenario (default scenarios/hybrid.toml) [BENCH_SCENARIO]
#   --no-build          use the existing binary as it is
# Populations default to "100000 1000000" [BENCH_POPULATIONS].
# DEMAT_BIN overrides the binary (default build/bin/demat, built with the
# default preset, which is Release).
#
# Needs only what scripts/install-deps.sh installs: bash, coreutils, awk,
# git, CMake/Ninja, GNU time (/usr/bin/time, for the peak resident set) and
# h5dump (hdf5-tools, to read the warm-up length from the output file).
set -euo pipefail

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
populations=${BENCH_POPULATIONS:-"100000 1000000"}
threads_list=${BENCH_THREADS:-"1 2"}
days=${BENCH_DAYS:-365}
repeat=${BENCH_REPEAT:-1}
scenario=${BENCH_SCENARIO:-scenarios/hybrid.toml}
build=1
cli_populations=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads_list=${2:?--threads needs a value}; shift 2 ;;
    --days) days=${2:?--days needs a value}; shift 2 ;;
    --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
    --scenario) scenario=${2:?--scenario needs a value}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "bench.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) cli_populations+=("$1"); shift ;;
  esac
done
if [[ ${#cli_populations[@]} -gt 0 ]]; then
  populations="${cli_populations[*]}"
fi

is_positive_int() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
for value in $populations $threads_list "$days" "$repeat"; do
  if ! is_positive_int "$value"; then
    echo "bench.sh: '$value' is not a positive integer (populations, threads, days and repeat must be)" >&2
    exit 2
  fi
done

cd "$repo"
if [[ ! -f "$scenario" ]]; then
  echo "bench.sh: scenario file '$scenario' not found" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench.sh: GNU time (/usr/bin/time) is missing; run scripts/install-deps.sh" >&2
  exit 2
fi

demat=${DEMAT_BIN:-build/bin/demat}
if [[ $build -eq 1 && -z "${DEMAT_BIN:-}" ]]; then
  if [[ ! -f build/CMakeCache.txt ]]; then
    cmake --preset default >&2
  fi
  # Figures from a Debug build would be meaningless and look plausible.
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' build/CMakeCache.txt)
  if [[ "$build_type" != Release ]]; then
    echo "bench.sh: build/ is configured as '${build_type}', not Release; reconfigure with 'cmake --preset default'" >&2
    exit 2
  fi
  cmake --build --preset default --target demat --parallel "$(nproc)" >&2
fi
if [[ ! -x "$demat" ]]; then
  echo "bench.sh: '$demat' is not an executable" >&2
  exit 2
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  commit="${commit}-dirty"
fi
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
version=$("$demat" --version 2>/dev/null | head -n 1 || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/demat-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Elapsed time from `time -v` is "h:mm:ss" or "m:ss.cc"; convert to seconds.
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    printf "%.2f\n", s }' "$1"
}
max_rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
# A scalar integer attribute of the output file's root, through h5dump
# (hdf5-tools); empty when absent.
root_attribute() {
  h5dump -a "/$1" "$2" 2>/dev/null | awk '/\(0\):/ { print $2; exit }'
}

echo "# demat benchmark"
echo
echo "- commit: ${commit}"
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- binary: ${demat}${version:+ (${version})}"
echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores available, $(uname -sr)"

rows=()
declare -A rss_of   # "population threads" -> peak RSS in kB, for the marginal cost below
for population in $populations; do
  for threads in $threads_list; do
    walls=()
    peak_kb=0
    for ((run = 1; run <= repeat; run++)); do
      rm -f "$tmp/bench.h5"
      echo "bench: population ${population}, ${threads} thread(s), run ${run}/${repeat}" >&2
      if ! /usr/bin/time -v -o "$tmp/time.txt" \
          "$demat" run "$scenario" --population "$population" --days "$days" \
          --threads "$threads" --quiet -o "$tmp/bench.h5" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
        echo "bench.sh: demat failed for population ${population}, ${threads} thread(s):" >&2
        cat "$tmp/err.txt" "$tmp/time.txt" >&2
        exit 1
      fi
      # The engine simulates a warm-up before the recorded days; throughput
      # counts every simulated day, as the engine's own summary does.
      warmup=$(root_attribute warmup_days "$tmp/bench.h5")
      recorded_population=$(root_attribute population "$tmp/bench.h5")
      if [[ -z "$warmup" || "$recorded_population" != "$population" ]]; then
        echo "bench.sh: $tmp/bench.h5 lacks the warmup_days attribute or records population" \
             "'${recorded_population}' instead of ${population}" >&2
        exit 1
      fi
      walls+=("$(wall_seconds "$tmp/time.txt")")
      kb=$(max_rss_kb "$tmp/time.txt")
      if (( kb > peak_kb )); then peak_kb=$kb; fi
    done
    rss_of["$population $threads"]=$peak_kb
    rows+=("$(printf '%s\n' "${walls[@]}" | sort -g | awk -v pop="$population" -v thr="$threads" \
      -v days="$((days + warmup))" -v kb="$peak_kb" '
      { w[NR] = $1 }
      END {
        min = w[1]
        med = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
        # time -v has centisecond resolution: guard the division for tiny runs.
        rate = (med > 0) ? sprintf("%.0f", pop * days / med) : "n/a"
        printf "| %d | %d | %.2f | %.2f | %s | %.1f | %.0f |\n",
               pop, thr, min, med, rate, kb / 1024, kb * 1024 / pop
      }')")
  done
done

echo "- scenario: ${scenario}, ${days} recorded days after ${warmup} days of warm-up, ${repeat} run(s) per row"
echo "- agent-days/s counts every simulated day, warm-up included: population × $((days + warmup)) / median wall"
echo
echo "| population | threads | wall s (min) | wall s (median) | agent-days/s | peak RSS (MB) | bytes/citizen |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"

# Peak RSS includes a fixed part (program, libraries, thread pools, HDF5
# buffers) that dominates at small sizes; the slope between the smallest and
# the largest population is the per-citizen cost that decides whether a
# national-scale run fits in memory.
read -r -a pops <<<"$populations"
if [[ ${#pops[@]} -ge 2 ]]; then
  small=${pops[0]}; large=${pops[0]}
  for p in "${pops[@]}"; do
    if (( p < small )); then small=$p; fi
    if (( p > large )); then large=$p; fi
  done
  if (( large > small )); then
    echo
    for threads in $threads_list; do
      awk -v a="${rss_of["$small $threads"]}" -v b="${rss_of["$large $threads"]}" \
          -v ps="$small" -v pl="$large" -v thr="$threads" 'BEGIN {
        slope = (b - a) * 1024 / (pl - ps)
        printf "Marginal memory, %d thread(s): %.0f bytes/citizen between %d and %d citizens", thr, slope, ps, pl
        printf " (68 million citizens: about %.1f GB).\n", (a * 1024 + slope * (68000000 - ps)) / 1e9
      }'
    done
  fi
fi
