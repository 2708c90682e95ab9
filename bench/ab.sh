#!/usr/bin/env bash
# Paired A/B timing of two whole commands (not a test: it measures).
#
#   bench/ab.sh [-n PAIRS] [--warmup W] 'COMMAND A' 'COMMAND B'
#
# Runs each command W times first (not counted, default 1), then A, B, A, B
# ... PAIRS times (default 5), and takes the ratio A/B pair by pair: the
# machine's speed drifts by ±15% over a quarter of an hour here
# (docs/performance.md), and pairing keeps the ratio meaningful when it
# does. Prints, for A, B and A/B, the minimum, median and maximum of the
# wall seconds, the CPU seconds (user + system) and the peak resident
# memory (MiB, the largest process the command waited for): quote the
# median. Each command is one string run by `sh -c`; its output is thrown
# away (redirect it inside the string to keep it). A command that fails
# stops the measurement (exit 1): a ratio of a failed run means nothing.
#
# Example (docs/performance.md, issue 17's budget):
#   bench/ab.sh -n 5 \
#     'build/bin/demat run scenarios/algorithmic_control.toml --population 1000000 --threads 2 --days 365 -q -o /tmp/on.h5' \
#     'build/bin/demat run scenarios/hybrid.toml --population 1000000 --threads 2 --days 365 -q -o /tmp/off.h5'
#
# Needs GNU time (/usr/bin/time, installed by scripts/install-deps.sh), awk.
set -euo pipefail

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

pairs=5
warmup=1
while [[ $# -gt 0 ]]; do
    case $1 in
        -n) pairs=${2:?-n needs a number}; shift 2 ;;
        --warmup) warmup=${2:?--warmup needs a number}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) echo "bench/ab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [[ $# -ne 2 ]]; then
    echo "bench/ab.sh: expected two commands, 'COMMAND A' 'COMMAND B' (see --help)" >&2
    exit 2
fi
if ! [[ $pairs =~ ^[1-9][0-9]*$ && $warmup =~ ^[0-9]+$ ]]; then
    echo "bench/ab.sh: -n expects a positive integer and --warmup an integer >= 0" >&2
    exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "bench/ab.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi

cmd_a=$1
cmd_b=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run: prints "wall cpu peak_kib".
run() {
    local start end
    start=$(date +%s.%N)
    if ! /usr/bin/time -f '%U %S %M' -o "$tmp/time" sh -c "$1" >/dev/null 2>"$tmp/err"; then
        echo "bench/ab.sh: this command failed:" >&2
        echo "  $1" >&2
        tail -5 "$tmp/err" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" '{ printf "%.4f %.4f %d\n", e - s, $1 + $2, $3 }' "$tmp/time"
}

for ((i = 0; i < warmup; i++)); do
    run "$cmd_a" >/dev/null
    run "$cmd_b" >/dev/null
done
for ((i = 0; i < pairs; i++)); do
    run "$cmd_a" >>"$tmp/a"
    run "$cmd_b" >>"$tmp/b"
done

echo "A = $cmd_a"
echo "B = $cmd_b"
echo "$pairs pairs in turn (A B A B ...) after $warmup warm-up run(s) each; quote the median"
paste -d' ' "$tmp/a" "$tmp/b" | awk '
    function sort(v, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t } }
    function med(v, n) { return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
    function row(name, v, n, fmt) { sort(v, n); printf "%-14s " fmt " " fmt " " fmt "\n", name, v[1], med(v, n), v[n] }
    { n++; aw[n] = $1; ac[n] = $2; am[n] = $3 / 1024; bw[n] = $4; bc[n] = $5; bm[n] = $6 / 1024
      rw[n] = $1 / $4; if ($5 > 0) rc[n] = $2 / $5; else nocpu = 1 }
    END {
        printf "%-14s %10s %10s %10s\n", "", "min", "median", "max"
        row("A wall s", aw, n, "%10.3f"); row("A cpu s", ac, n, "%10.3f"); row("A peak MiB", am, n, "%10.1f")
        row("B wall s", bw, n, "%10.3f"); row("B cpu s", bc, n, "%10.3f"); row("B peak MiB", bm, n, "%10.1f")
        row("A/B wall", rw, n, "%10.4f")
        if (nocpu) print "A/B cpu        (B used no measurable CPU time: no ratio)"; else row("A/B cpu", rc, n, "%10.4f")
    }'
