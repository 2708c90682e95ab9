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
#   --scale-days "D ..." also run the smallest population with the largest
#                       thread count for each of these recorded-day counts,
#                       and fit the growth of cost with days [BENCH_SCALE_DAYS]
#   --no-build          use the existing binary as it is
# Populations default to "100000 1000000" [BENCH_POPULATIONS].
#
# Issue 5's figures: `bench/bench.sh --repeat 3 1000000` (1M, 1 and 2 threads),
# `bench/bench.sh --scale-days "90 365 730" 100000 1000000 10000000` (growth),
# and national scale, one run on 2 threads (about 6 min on 2 free cores and
# 8 GB of memory at e69d559; run it on a quiet machine):
#   bench/bench.sh --threads 2 53500000
# DEMAT_BIN overrides the binary (default build/bin/demat, built with the
# default preset, which is Release).
#
# Needs only what scripts/install-deps.sh installs: bash, coreutils, awk,
# git, CMake/Ninja, GNU time (/usr/bin/time, for the peak resident set) and
# h5dump (hdf5-tools, to read the warm-up length from the output file).
set -euo pipefail

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
populations=${BENCH_POPULATIONS:-"100000 1000000"}
threads_list=${BENCH_THREADS:-"1 2"}
days=${BENCH_DAYS:-365}
repeat=${BENCH_REPEAT:-1}
scenario=${BENCH_SCENARIO:-scenarios/hybrid.toml}
scale_days=${BENCH_SCALE_DAYS:-}
build=1
cli_populations=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads_list=${2:?--threads needs a value}; shift 2 ;;
    --days) days=${2:?--days needs a value}; shift 2 ;;
    --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
    --scenario) scenario=${2:?--scenario needs a value}; shift 2 ;;
    --scale-days) scale_days=${2:?--scale-days needs a value}; shift 2 ;;
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
for value in $populations $threads_list "$days" "$repeat" $scale_days; do
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
# CPU time (user + system seconds) from `time -v`: beside the wall time, it
# shows how much of the 2 cores a run had on a shared machine.
cpu_seconds() {
  awk -F': ' '/User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 } END { printf "%.2f\n", u + s }' "$1"
}
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

# run_once POPULATION THREADS DAYS: one run; appends its wall, CPU and
# generation seconds to walls_of, cpus_of and gens_of["POPULATION THREADS DAYS"]
# (in run order), raises peak_of[...] and sets m_warmup (warm-up days).
declare -A walls_of cpus_of gens_of peak_of
run_once() {
  local population=$1 threads=$2 run_days=$3 key="$1 $2 $3"
  rm -f "$tmp/bench.h5"
  echo "bench: population ${population}, ${threads} thread(s), ${run_days} days" >&2
  if ! /usr/bin/time -v -o "$tmp/time.txt" \
      "$demat" run "$scenario" --population "$population" --days "$run_days" \
      --threads "$threads" --quiet -o "$tmp/bench.h5" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
    echo "bench.sh: demat failed for population ${population}, ${threads} thread(s):" >&2
    cat "$tmp/err.txt" "$tmp/time.txt" >&2
    exit 1
  fi
  # The engine simulates a warm-up before the recorded days.
  m_warmup=$(root_attribute warmup_days "$tmp/bench.h5")
  local recorded_population
  recorded_population=$(root_attribute population "$tmp/bench.h5")
  if [[ -z "$m_warmup" || "$recorded_population" != "$population" ]]; then
    echo "bench.sh: $tmp/bench.h5 lacks the warmup_days attribute or records population" \
         "'${recorded_population}' instead of ${population}" >&2
    exit 1
  fi
  walls_of["$key"]+="$(wall_seconds "$tmp/time.txt") "
  cpus_of["$key"]+="$(cpu_seconds "$tmp/time.txt") "
  gens_of["$key"]+="$(awk -v a="$(root_attribute population_seconds "$tmp/bench.h5")" \
                          -v b="$(root_attribute network_seconds "$tmp/bench.h5")" 'BEGIN { printf "%.2f", a + b }') "
  local kb
  kb=$(max_rss_kb "$tmp/time.txt")
  if (( kb > ${peak_of["$key"]:-0} )); then peak_of["$key"]=$kb; fi
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '
  { g[NR] = $1 } END { printf "%.2f", (NR % 2) ? g[(NR + 1) / 2] : (g[NR / 2] + g[NR / 2 + 1]) / 2 }'; }

# summarise POPULATION THREADS DAYS: sets m_min, m_median (wall seconds),
# m_cpu (median CPU seconds), m_generation (median population + network
# generation seconds, as the engine timed them) and m_peak_kb.
summarise() {
  local key="$1 $2 $3"
  m_min=$(echo "${walls_of["$key"]}" | tr ' ' '\n' | sed '/^$/d' | sort -g | head -n 1 | awk '{ printf "%.2f", $1 }')
  m_median=$(echo "${walls_of["$key"]}" | median)
  m_cpu=$(echo "${cpus_of["$key"]}" | median)
  m_generation=$(echo "${gens_of["$key"]}" | median)
  m_peak_kb=${peak_of["$key"]}
}

# measure POPULATION THREADS DAYS: `repeat` runs, then summarise.
measure() {
  local run key="$1 $2 $3"
  walls_of["$key"]=""; cpus_of["$key"]=""; gens_of["$key"]=""; peak_of["$key"]=0
  for ((run = 1; run <= repeat; run++)); do run_once "$1" "$2" "$3"; done
  summarise "$1" "$2" "$3"
}

# Least-squares slope of log(y) on log(x) over "x y" lines: the exponent b
# of cost ~ x^b.
fit_exponent() {
  awk '{ lx = log($1); ly = log($2); n++; sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly }
       END { d = n * sxx - sx * sx; if (n < 2 || d == 0) print "n/a"; else printf "%.2f\n", (n * sxy - sx * sy) / d }'
}

rows=()
declare -A rss_of    # "population threads" -> peak RSS in kB, for the marginal cost below
declare -A wall_of   # "population threads" -> median wall seconds, for the fitted exponent
for population in $populations; do
  # Thread counts alternate within each repeat (1, 2, 1, 2, ...): a shared
  # host's speed drifts over minutes, and alternation lets the speed-up
  # compare runs taken side by side (see the paired figure below).
  for ((run = 1; run <= repeat; run++)); do
    for threads in $threads_list; do run_once "$population" "$threads" "$days"; done
  done
  for threads in $threads_list; do
    summarise "$population" "$threads" "$days"
    warmup=$m_warmup
    rss_of["$population $threads"]=$m_peak_kb
    wall_of["$population $threads"]=$m_median
    rows+=("$(awk -v pop="$population" -v thr="$threads" -v all="$((days + warmup))" -v rec="$days" \
      -v kb="$m_peak_kb" -v min="$m_min" -v med="$m_median" -v cpu="$m_cpu" -v gen="$m_generation" 'BEGIN {
        # time -v has centisecond resolution: guard the division for tiny runs.
        rate_all = (med > 0) ? sprintf("%.1f M", pop * all / med / 1e6) : "n/a"
        rate_rec = (med > 0) ? sprintf("%.1f M", pop * rec / med / 1e6) : "n/a"
        printf "| %d | %d | %.2f | %.2f | %.2f | %.2f | %s | %s | %.1f | %.0f |\n",
               pop, thr, min, med, cpu, gen, rate_all, rate_rec, kb / 1024, kb * 1024 / pop
      }')")
  done
done

echo "- scenario: ${scenario}, ${days} recorded days after ${warmup} days of warm-up, ${repeat} run(s) per row"
echo "- agent-days/s: population × days / median wall, counting every simulated day (warm-up included: $((days + warmup)) days)"
echo "  and counting recorded days only (${days} days); the wall time is the whole run either way"
echo "- generation s: population and network generation (median), part of the wall time"
echo "- CPU s: user + system time (median); on a shared machine CPU s / wall s shows how many cores the run had"
echo
echo "| population | threads | wall s (min) | wall s (median) | CPU s (median) | generation s | agent-days/s (all days) | agent-days/s (recorded days) | peak RSS (MB) | bytes/citizen |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"

read -r -a thread_counts <<<"$threads_list"
if [[ ${#thread_counts[@]} -ge 2 ]]; then
  echo
  first=${thread_counts[0]}
  for population in $populations; do
    for threads in "${thread_counts[@]:1}"; do
      awk -v a="${wall_of["$population $first"]}" -v b="${wall_of["$population $threads"]}" \
          -v p="$population" -v t1="$first" -v t2="$threads" \
          -v wa="${walls_of["$population $first $days"]}" -v wb="${walls_of["$population $threads $days"]}" 'BEGIN {
        if (b <= 0) exit
        printf "Speed-up at %d citizens, %d -> %d threads: %.2fx (ratio of medians)", p, t1, t2, a / b
        n = split(wa, x, " "); split(wb, y, " ")
        if (n >= 2) {
          # Run r of each thread count ran side by side: their ratios.
          for (i = 1; i <= n; i++) r[i] = (y[i] > 0) ? x[i] / y[i] : 0
          for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
          med = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
          printf "; paired runs: median %.2fx (%.2f-%.2f over %d pairs)", med, r[1], r[n], n
        }
        printf "\n" }'
    done
  done
fi

read -r -a pops <<<"$populations"
if [[ ${#pops[@]} -ge 2 ]]; then
  echo
  for threads in $threads_list; do
    exponent=$(for p in "${pops[@]}"; do echo "$p ${wall_of["$p $threads"]}"; done | fit_exponent)
    echo "Growth with population, ${threads} thread(s): wall time ~ population^${exponent} (least squares over ${pops[*]})"
  done
fi

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
        printf " (53.5 million citizens: about %.1f GB; 68 million: about %.1f GB).\n",
               (a * 1024 + slope * (53500000 - ps)) / 1e9, (a * 1024 + slope * (68000000 - ps)) / 1e9
      }'
    done
  fi
fi

# Growth of cost with the number of days, at the smallest population and
# the largest thread count (warm-up included in the days simulated).
if [[ -n "$scale_days" ]]; then
  small=${pops[0]}
  for p in "${pops[@]}"; do if (( p < small )); then small=$p; fi; done
  threads=${thread_counts[${#thread_counts[@]}-1]}
  echo
  echo "| population | threads | recorded days | simulated days | wall s (median) | agent-days/s (all days) |"
  echo "|---:|---:|---:|---:|---:|---:|"
  points=()
  for d in $scale_days; do
    measure "$small" "$threads" "$d"
    all=$((d + m_warmup))
    points+=("$all $m_median")
    awk -v p="$small" -v t="$threads" -v d="$d" -v all="$all" -v med="$m_median" 'BEGIN {
      printf "| %d | %d | %d | %d | %.2f | %s |\n", p, t, d, all, med, (med > 0) ? sprintf("%.1f M", p * all / med / 1e6) : "n/a" }'
  done
  echo
  echo "Growth with days: wall time ~ simulated days^$(printf '%s\n' "${points[@]}" | fit_exponent) (least squares over ${scale_days} recorded days + warm-up)"
fi
