#!/usr/bin/env bash
# Engine time of the WebAssembly build under node against the native build
# on one thread, for the classroom page's targets (issue 16: 20,000 citizens
# over the warm-up and 365 days in under 1 s, 100,000 in under 5 s, wasm at
# most 2x native). Measures, asserts nothing; prints a Markdown table for
# docs/performance.md.
#
#   bench/bench_web.sh [--repeat K] [--scenario NAME] [POPULATION ...]
#
# POPULATION defaults to "20000 100000"; NAME is a file of scenarios/
# (default hybrid.toml). Engine time = the simulated days (warm-up + 365),
# without generating the population and network (reported apart as setup:
# population + network, the part both builds time alike):
# native, the `simulation_seconds` attribute of the output file; wasm,
# Simulation.engineSeconds(), of a first run in a fresh node process and of
# two more runs in the same process (warm: V8 has optimised the module), and
# of a first run after the page's small prewarm run (web/src/prewarm.js). The
# minimum over K repetitions (default 3), native and wasm alternating.
# DEMAT_BIN (default build/bin/demat) and DEMAT_ENGINE_JS (default
# web/dist/engine/demat_engine.js) override the builds.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repeat=3
scenario=hybrid.toml
pops=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pops+=("$1"); shift ;;
  esac
done
[[ ${#pops[@]} -gt 0 ]] || pops=(20000 100000)
bin=${DEMAT_BIN:-$repo/build/bin/demat}
js=${DEMAT_ENGINE_JS:-$repo/web/dist/engine/demat_engine.js}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=365

echo "commit $(git -C "$repo" rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1 /proc/loadavg), node $(node --version), scenario $scenario"
echo
echo "| citizens | native engine s (1 thread) | wasm engine s, first run (node) | wasm engine s, first run after the page's prewarm | wasm engine s, warm | first / native | prewarmed first / native | warm / native | native setup s | wasm setup s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${pops[@]}"; do
  best_native=; best_wasm=; best_warm=; best_pre=; setup_native=; setup_wasm=
  for ((i = 0; i < repeat; i++)); do
    "$bin" run "$repo/scenarios/$scenario" -o "$work/n.h5" -q --threads 1 --population "$n" --days "$days" >/dev/null
    read -r sim setup < <(/usr/bin/python3 -c '
import h5py, sys
a = h5py.File(sys.argv[1], "r").attrs
print(a["simulation_seconds"], a["population_seconds"] + a["network_seconds"])' "$work/n.h5")
    DEMAT_WARM_RUNS=2 node "$repo/tests/web/run_engine.mjs" "$js" "$scenario" "$n" 1 "$days" > "$work/w.json"
    read -r wsim wsetup wwarm < <(/usr/bin/python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))
print(w["engine_seconds"], w["stats"]["population_seconds"] + w["stats"]["network_seconds"], w["warm_engine_seconds"])' "$work/w.json")
    DEMAT_PREWARM=1 node "$repo/tests/web/run_engine.mjs" "$js" "$scenario" "$n" 1 "$days" > "$work/p.json"
    pre=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["engine_seconds"])' "$work/p.json")
    best_pre=$(awk -v a="${best_pre:-1e99}" -v b="$pre" 'BEGIN{print (b<a)?b:a}')
    best_warm=$(awk -v a="${best_warm:-1e99}" -v b="$wwarm" 'BEGIN{print (b<a)?b:a}')
    best_native=$(awk -v a="${best_native:-1e99}" -v b="$sim" 'BEGIN{print (b<a)?b:a}')
    best_wasm=$(awk -v a="${best_wasm:-1e99}" -v b="$wsim" 'BEGIN{print (b<a)?b:a}')
    setup_native=$setup; setup_wasm=$wsetup
  done
  awk -v n="$n" -v a="$best_native" -v b="$best_wasm" -v p="$best_pre" -v w="$best_warm" -v c="$setup_native" -v d="$setup_wasm" \
    'BEGIN{printf "| %d | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %.3f | %.3f |\n", n, a, b, p, w, b/a, p/a, w/a, c, d}'
done
