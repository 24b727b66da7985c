#!/usr/bin/env bash
# Speed benchmark: migsafe against squawk on the same generated migrations, in one run.
#
#   bash tests/bench/bench.sh [MIGSAFE_BINARY]
#
# Without a binary, migsafe is built in Release (-O2) in its own build folder
# (tests/bench/out/build). Inputs and results go to tests/bench/out/ (git-ignored).
# Environment: N statements in the large file (20000), SEED (1), RUNS timed runs per tool on the
# large file (15), ONE_RUNS on the one-statement file (60), SQUAWK (squawk's native binary;
# found behind the npm wrapper by default), BENCH_BUILD_DIR, BENCH_OUT, BENCH_TIMER=loop (use
# the clock loop even when hyperfine is installed), BENCH_NICE=0 (no priority boost as root).
#
# Wall time: hyperfine when installed, otherwise a clock loop (bash's EPOCHREALTIME, or
# `date +%s%N`); either way the tools take turns run by run, in an order that flips every
# round, so drift on a busy machine hits both, and medians are reported.
# Peak memory: GNU time's "Maximum resident set size". Ratios are migsafe / squawk.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${BENCH_OUT:-$root/tests/bench/out}
N=${N:-20000}
SEED=${SEED:-1}
RUNS=${RUNS:-15}
ONE_RUNS=${ONE_RUNS:-60}
mkdir -p "$out"

die() { echo "bench: $*" >&2; exit 2; }

# ---- the tools ----
if [ $# -ge 1 ]; then
    migsafe=$(readlink -f "$1")
else
    build=${BENCH_BUILD_DIR:-$out/build}
    echo "bench: building migsafe (Release, -O2) in $build" >&2
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
        -DMIGSAFE_TESTS=OFF >/dev/null
    cmake --build "$build" -j"$(nproc)" >/dev/null
    migsafe=$build/migsafe
fi
[ -x "$migsafe" ] || die "no migsafe binary at $migsafe"

# npm's `squawk` is a node script that spawns the native binary: time the binary itself, so node
# start-up (tens of milliseconds) is not charged to squawk.
squawk_wrapper=$(command -v squawk || true)
if [ -n "${SQUAWK:-}" ]; then
    squawk=$SQUAWK
elif [ -n "$squawk_wrapper" ]; then
    js=$(readlink -f "$squawk_wrapper")
    locate='console.log(require(require("path").join(process.argv[1], "../../index.js")).getBinaryPath())'
    squawk=$(node -e "$locate" "$js" 2>/dev/null || echo "$squawk_wrapper")
else
    die "squawk is not installed (npm install -g squawk-cli)"
fi
"$squawk" --help | grep -q -- '--reporter' || die "$squawk has no --reporter option"
"$squawk" --help | grep -q 'gcc' || die "$squawk has no gcc reporter"
[ -x /usr/bin/time ] || die "GNU time is missing (apt-get install time)"

# On a shared machine, other jobs take turns with the tools; as root, run the measurements at a
# higher priority (both tools alike) so that they are disturbed less. BENCH_NICE=0: do not.
if [ "$(id -u)" = 0 ] && [ "${BENCH_NICE:-1}" != 0 ]; then
    renice -n -10 -p $$ >/dev/null
fi

# ---- the inputs ----
python3 "$root/tests/bench/gen.py" -n "$N" --seed "$SEED" "$out"
large=$out/large.sql
one=$out/one.sql

# Commands are kept as strings (hyperfine takes them so) and split on blanks to run them: the
# paths involved must not hold any.
case "$migsafe $squawk $out" in *" "*" "*" "*) die "paths with blanks are not supported" ;; esac
ms_cmd() { echo "$migsafe check --format gcc --fail-on never $*"; }
sq_cmd() { echo "$squawk $* --reporter gcc"; }
run() {
    local -a argv
    read -ra argv <<<"$1"
    "${argv[@]}"
}

# ---- sanity: both tools lint every statement ----
run "$(ms_cmd "$large")" >"$out/migsafe.gcc" || die "migsafe failed on $large"
set +e
run "$(sq_cmd "$large")" >"$out/squawk.gcc" 2>"$out/squawk.err"
sq_rc=$?
set -e
[ $sq_rc -le 1 ] || die "squawk failed on $large (exit $sq_rc): $(head -c 300 "$out/squawk.err")"
ms_findings=$(wc -l <"$out/migsafe.gcc")
sq_findings=$(wc -l <"$out/squawk.gcc")
ms_syntax=$(grep -c '\[syntax-error\]' "$out/migsafe.gcc" || true)
sq_syntax=$(grep -c ' syntax-error ' "$out/squawk.gcc" || true)
# the last line either tool flags shows it read to the end of the file (squawk 2.66's gcc
# reporter counts lines from 0, migsafe from 1)
ms_last=$(sed -n 's/^[^:]*:\([0-9]*\):.*/\1/p' "$out/migsafe.gcc" | sort -n | tail -1)
sq_last=$(sed -n 's/^[^:]*:\([0-9]*\):.*/\1/p' "$out/squawk.gcc" | sort -n | tail -1)
sq_last=$((sq_last + 1))

# ---- timing ----
# bash 5's clock costs no fork; `date` costs one per reading (about a millisecond, charged to
# every run), which the one-statement time would feel
if [ -n "${EPOCHREALTIME:-}" ]; then
    now_ns() { local t=${EPOCHREALTIME/[^0-9]/}; echo "${t}000"; }
else
    now_ns() { date +%s%N; }
fi
timer=${BENCH_TIMER:-hyperfine} # BENCH_TIMER=loop forces the date loop
command -v hyperfine >/dev/null || timer=loop
# time_cmds LABEL RUNS CMD... : prints "WALL RUNS CPU" per command, in order: the medians of wall
# time and (with hyperfine) of user + system CPU time, in ms.
time_cmds() {
    local label=$1 runs=$2
    shift 2
    local n=$# i r
    local raw=$out/times-$label.txt
    : >"$raw"
    if [ "$timer" = hyperfine ]; then
        # one run of each command per hyperfine call, so the tools take turns run by run
        for ((r = 1; r <= runs; r++)); do
            local order=()
            if [ $((r % 2)) -eq 1 ]; then order=("$@"); else
                for ((i = n; i >= 1; i--)); do order+=("${!i}"); done
            fi
            hyperfine -N -i --style none --warmup $((r == 1 ? 1 : 0)) --runs 1 \
                --export-json "$out/hyperfine.json" "${order[@]}" >/dev/null 2>&1
            python3 - "$out/hyperfine.json" >>"$raw" <<'EOF'
import json, sys
for res in json.load(open(sys.argv[1]))["results"]:
    for t in res["times"]:  # one run: user and system are that run's
        print("%s\t%.6f\t%.6f" % (res["command"], t * 1000, (res["user"] + res["system"]) * 1000))
EOF
        done
    else
        for ((i = 1; i <= n; i++)); do run "${!i}" >/dev/null 2>&1 || true; done # warm-up
        for ((r = 1; r <= runs; r++)); do
            for ((k = 0; k < n; k++)); do
                if [ $((r % 2)) -eq 1 ]; then i=$((k + 1)); else i=$((n - k)); fi
                local t0 t1
                t0=$(now_ns)
                run "${!i}" >/dev/null 2>&1 || true
                t1=$(now_ns)
                awk -v c="${!i}" -v ns=$((t1 - t0)) \
                    'BEGIN { printf "%s\t%.6f\t-\n", c, ns / 1e6 }' >>"$raw"
            done
        done
    fi
    python3 - "$raw" "$@" <<'EOF'
import statistics, sys
times, cpus = {}, {}
for line in open(sys.argv[1]):
    cmd, ms, cpu = line.rstrip("\n").split("\t")
    times.setdefault(cmd, []).append(float(ms))
    if cpu != "-":
        cpus.setdefault(cmd, []).append(float(cpu))
for cmd in sys.argv[2:]:  # median wall, runs, median CPU (-1: not measured)
    print("%.2f %d %.2f" % (statistics.median(times[cmd]), len(times[cmd]),
                            statistics.median(cpus[cmd]) if cmd in cpus else -1))
EOF
}

# resources CMD: "RSS CPU": the medians over 5 runs of the maximum resident set size (KiB) and of
# user + system CPU time (ms; GNU time counts in 10 ms steps), which contention for the cores
# changes less than wall time.
resources() {
    local k argv
    read -ra argv <<<"$1"
    for k in 1 2 3 4 5; do
        /usr/bin/time -v -o "$out/time.txt" "${argv[@]}" >/dev/null 2>&1 || true
        awk -F': ' '/Maximum resident set size/ {rss = $2}
            /User time|System time/ {cpu += $2 * 1000}
            END {printf "%d %d\n", rss, cpu}' "$out/time.txt"
    done >"$out/resources.txt"
    echo "$(cut -d' ' -f1 "$out/resources.txt" | sort -n | sed -n 3p)" \
        "$(cut -d' ' -f2 "$out/resources.txt" | sort -n | sed -n 3p)"
}

echo "bench: timing the large file ($RUNS runs each, alternating)" >&2
mapfile -t big < <(time_cmds large "$RUNS" "$(ms_cmd "$large")" "$(sq_cmd "$large")")
echo "bench: timing the one-statement file ($ONE_RUNS runs each)" >&2
one_cmds=("$(ms_cmd "$one")" "$(sq_cmd "$one")")
[ "$squawk_wrapper" != "$squawk" ] && [ -n "$squawk_wrapper" ] &&
    one_cmds+=("$squawk_wrapper $one --reporter gcc")
mapfile -t small < <(time_cmds one "$ONE_RUNS" "${one_cmds[@]}")
echo "bench: migsafe threads and parser-only runs" >&2
all_rules=$("$migsafe" rules | awk 'NR > 1 {print $1}' | paste -sd, -)
mapfile -t thr < <(time_cmds threads "$RUNS" "$(ms_cmd -j1 "$large")" "$(ms_cmd -j2 "$large")" \
    "$(ms_cmd -j1 --disable "$all_rules" "$large")" "$(ms_cmd -j2 --disable "$all_rules" "$large")")
echo "bench: peak memory and CPU time" >&2
read -r ms_rss ms_cpu < <(resources "$(ms_cmd "$large")")
read -r sq_rss sq_cpu < <(resources "$(sq_cmd "$large")")
read -r ms_rss_one _ < <(resources "$(ms_cmd "$one")")
read -r sq_rss_one _ < <(resources "$(sq_cmd "$one")")

# ---- report ----
python3 - "$N" "$(stat -c %s "$large")" "${big[@]}" "${small[@]}" "${thr[@]}" \
    "$ms_rss" "$sq_rss" "$ms_rss_one" "$sq_rss_one" "$ms_cpu" "$sq_cpu" \
    "$ms_findings" "$sq_findings" "$ms_syntax" "$sq_syntax" "$ms_last" "$sq_last" \
    "$(wc -l <"$large")" "$timer" \
    "$("$migsafe" --version)" "$("$squawk" --version)" "${#one_cmds[@]}" <<'EOF'
import os, sys
a = sys.argv[1:]
n_stmts, size = int(a[0]), int(a[1])
n_one = int(a[-1])
med = lambda x: [float(v) for v in x.split()]  # wall, runs, cpu
big = [med(x) for x in a[2:4]]
small = [med(x) for x in a[4:4 + n_one]]
rest = a[4 + n_one:]
thr = [med(x) for x in rest[0:4]]
(ms_rss, sq_rss, ms_rss1, sq_rss1, ms_tcpu, sq_tcpu, ms_f, sq_f, ms_syn, sq_syn, ms_last, sq_last,
 lines, timer, ms_ver, sq_ver) = rest[4:20]
ms_rss, sq_rss, ms_rss1, sq_rss1 = (int(x) / 1024 for x in (ms_rss, sq_rss, ms_rss1, sq_rss1))
# CPU time: hyperfine's per run when it timed, else GNU time's (10 ms steps)
ms_cpu, sq_cpu = (big[0][2], big[1][2]) if big[0][2] >= 0 else (int(ms_tcpu), int(sq_tcpu))

def ok(good):
    return "met" if good else "MISSED"

def cpu(v):
    return "%.1f" % v if v >= 0 else "-"

print()
print("%s  vs  %s" % (ms_ver, sq_ver))
print("machine: %d cores, %s; load average %s; timer: %s" % (
    os.cpu_count(), next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                          if l.startswith("model name")), "?"),
    open("/proc/loadavg").read().split()[0], timer))
print("large file: %d statements, %d lines, %.2f MB; medians of %d runs (one statement: %d)" % (
    n_stmts, int(lines), size / 1e6, big[0][1], small[0][1]))
print()
row = "%-36s %10s %10s %7s  %s"
print(row % ("", "migsafe", "squawk", "ratio", "target"))
wall_ratio = big[0][0] / big[1][0]
print(row % ("large file, wall time (ms)", "%.1f" % big[0][0], "%.1f" % big[1][0],
             "%.2f" % wall_ratio, "ratio <= 0.50: " + ok(wall_ratio <= 0.5)))
print(row % ("large file, CPU user+sys (ms)", "%.1f" % ms_cpu, "%.1f" % sq_cpu,
             "%.2f" % (ms_cpu / sq_cpu), ""))
print(row % ("large file, peak RSS (MiB)", "%.1f" % ms_rss, "%.1f" % sq_rss,
             "%.2f" % (ms_rss / sq_rss), "ratio <= 1.00: " + ok(ms_rss <= sq_rss)))
print(row % ("one statement, wall time (ms)", "%.2f" % small[0][0], "%.2f" % small[1][0],
             "%.2f" % (small[0][0] / small[1][0]), "migsafe < 5 ms: " + ok(small[0][0] < 5)))
print(row % ("one statement, CPU user+sys (ms)", cpu(small[0][2]), cpu(small[1][2]), "", ""))
print(row % ("one statement, peak RSS (MiB)", "%.1f" % ms_rss1, "%.1f" % sq_rss1,
             "%.2f" % (ms_rss1 / sq_rss1), ""))
if n_one > 2:
    print(row % ("one statement, npm wrapper (ms)", "", "%.2f" % small[2][0], "",
                 "node start-up + squawk"))
print(row % ("findings on the large file", ms_f, sq_f, "", "sanity: both > 0"))
print(row % ("syntax errors reported", ms_syn, sq_syn, "", "sanity: 0"))
print(row % ("last line with a finding", ms_last, sq_last, "", "of %s" % lines))
print()
row = "%-36s %10s %10s %7s"
print(row % ("migsafe on the large file", "-j1", "-j2", "-j2/-j1"))
for name, j1, j2 in (("all rules, wall (ms)", thr[0][0], thr[1][0]),
                     ("all rules, CPU (ms)", thr[0][2], thr[1][2]),
                     ("every rule disabled, wall (ms)", thr[2][0], thr[3][0]),
                     ("every rule disabled, CPU (ms)", thr[2][2], thr[3][2])):
    if j1 >= 0:
        print(row % (name, "%.1f" % j1, "%.1f" % j2, "%.2f" % (j2 / j1)))
EOF
