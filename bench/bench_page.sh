#!/usr/bin/env bash
# Engine time of the classroom page in headless Chromium (Debian's, driven
# by playwright-core): the hybrid scenario over the warm-up and 365 days,
# run by the page's Web Worker as a class would run it (autorun); then the
# latency of 20 clicks (language, pause, play) during a run at 100,000
# citizens, from the click event to the next frame after its handler. Measures,
# asserts nothing; prints a Markdown table for docs/performance.md. The
# minimum over K runs (default 3). Needs web/dist built (scripts/build-web.sh).
#
#   bench/bench_page.sh [--repeat K] [POPULATION,...]     default 20000,100000
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repeat=3
pops=20000,100000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pops=$1; shift ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "commit $(git -C "$repo" rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1 /proc/loadavg), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
echo
echo "| citizens | engine s (engineSeconds, in the worker) | step() calls, wall s | setup s |"
echo "|---:|---:|---:|---:|"
node "$repo/tests/web/browser_test.mjs" bench --out "$work" --populations "$pops" --repeat "$repeat" | grep '^|\|^click'
