#!/usr/bin/env bash
# History benchmark: how linting grows with the length of a migration history.
#
#   bash tests/bench/history.sh [MIGSAFE_BINARY]
#
# Generates golang-migrate histories of 250, 500, 1,000 and 2,000 migrations (up and down
# twins; tests/bench/history.py) and times, for each, linting the last migration alone (migsafe
# reads the rest of the folder to replay the schema they build) and linting the whole history.
# Replay is linear when both times grow in proportion to the number of migrations. Medians of
# RUNS runs (9) with hyperfine when installed, else a clock loop. Inputs in tests/bench/out/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${BENCH_OUT:-$root/tests/bench/out}/history
RUNS=${RUNS:-9}
SIZES=${SIZES:-"250 500 1000 2000"}
migsafe=$(readlink -f "${1:-$root/build/migsafe}")
[ -x "$migsafe" ] || { echo "history: no migsafe binary at $migsafe" >&2; exit 2; }
mkdir -p "$out"

median_ms() { # CMD...: median wall time of RUNS runs, in ms
    if command -v hyperfine >/dev/null; then
        hyperfine -N --runs "$RUNS" --warmup 1 --export-json "$out/h.json" "$*" >/dev/null 2>&1
        python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000, 1))' "$out/h.json"
    else
        local t=()
        for ((r = 0; r < RUNS; r++)); do
            local s=${EPOCHREALTIME/[^0-9]/}
            "$@" >/dev/null
            local e=${EPOCHREALTIME/[^0-9]/}
            t+=($(((e - s) / 1000)))
        done
        printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
    fi
}

printf '%-10s %14s %14s %16s %16s\n' migrations "last (ms)" "all (ms)" "last per migr." "all per migr."
for n in $SIZES; do
    dir=$out/h$n
    python3 "$root/tests/bench/history.py" -n "$n" "$dir"
    last=$(ls "$dir"/*.up.sql | tail -1)
    t_last=$(median_ms "$migsafe" check --format gcc --fail-on never "$last")
    t_all=$(median_ms "$migsafe" check --format gcc --fail-on never "$dir")
    python3 -c 'import sys; n,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f"{n:<10} {a:14.1f} {b:14.1f} {a/n*1000:13.1f} us {b/n*1000:13.1f} us")' "$n" "$t_last" "$t_all"
done
