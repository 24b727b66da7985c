#!/usr/bin/env bash
# CLI contract tests: exit codes, inputs, outputs, determinism.
#
#   bash tests/cli/run.sh path/to/migsafe
#
# Each case runs the binary in a fresh folder under a temporary directory and checks exit code,
# stdout and stderr. Every check of a case runs (a case reports all of its failures), then the
# case is counted as passed or failed. Exit status: 0 when every case passed, 1 otherwise.
set -u
export LC_ALL=C
unset NO_COLOR

if [[ $# -ne 1 || ! -x $1 ]]; then
    echo "usage: bash tests/cli/run.sh path/to/migsafe" >&2
    exit 2
fi
BIN=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/migsafe-cli.XXXXXX")
trap 'chmod -R u+rwX "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

n_pass=0 n_fail=0 n_skip=0
case_fails="" # failure messages of the current case
case_skip=""  # why the current case was skipped
RC=0          # exit code of the last `ms` run
OUT="$WORK/stdout" ERR="$WORK/stderr"

# ---- helpers ----

# The cases check the command line, not require-lock-timeout, which asks for a lock_timeout
# before nearly every statement: they lint as if the runner set one (except `rules`/`help`).
# Sets ARGS to the arguments with the flag added after the command word (or first).
with_runner_flag() {
    case ${1-} in
    rules | help) ARGS=("$@") ;;
    check) ARGS=(check --lock-timeout-set-by-runner "${@:2}") ;;
    *) ARGS=(--lock-timeout-set-by-runner "$@") ;;
    esac
}

# Runs the binary with empty standard input; stdout/stderr go to $OUT/$ERR, the exit code to $RC.
ms() {
    with_runner_flag "$@"
    "$BIN" "${ARGS[@]}" </dev/null >"$OUT" 2>"$ERR"
    RC=$?
    crashed "$@"
}
# Like ms, with standard input read from the file given first.
ms_in() {
    local input=$1
    shift
    with_runner_flag "$@"
    "$BIN" "${ARGS[@]}" <"$input" >"$OUT" 2>"$ERR"
    RC=$?
    crashed "$@"
}
# Any run that dies from a signal or trips a sanitizer fails the case, whatever it checks next.
crashed() {
    if [[ $RC -ge 128 ]]; then
        bad "migsafe $* died from signal $((RC - 128))"
    elif grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: ' "$ERR"; then
        bad "migsafe $* failed a sanitizer check: $(grep -m1 -E 'Sanitizer|runtime error' "$ERR")"
    fi
}
bad() { case_fails+="    $*"$'\n'; }
rc_is() { [[ $RC -eq $1 ]] || bad "exit code $RC, expected $1"; }
out_has() { grep -qF -- "$1" "$OUT" || bad "stdout lacks: $1"; }
out_lacks() { ! grep -qF -- "$1" "$OUT" || bad "stdout has: $1"; }
err_has() { grep -qF -- "$1" "$ERR" || bad "stderr lacks: $1"; }
err_lacks() { ! grep -qF -- "$1" "$ERR" || bad "stderr has: $1"; }
err_empty() { [[ ! -s $ERR ]] || bad "stderr is not empty"; }
# gcc-format findings in stdout as "path:line:col severity rule-id" lines (messages left out,
# so a reworded message does not break a test about positions and order).
findings_are() {
    local want got
    want=$(printf '%s\n' "$@")
    got=$(sed -E 's/^(.+):([0-9]+):([0-9]+): ([a-z]+): .* \[([a-z0-9-]+)\]$/\1:\2:\3 \4 \5/' "$OUT")
    [[ $got == "$want" ]] || bad "findings differ:"$'\n'"$(diff <(echo "$want") <(echo "$got") | sed 's/^/      /')"
}
same_files() { cmp -s "$1" "$2" || bad "$3:"$'\n'"$(diff "$1" "$2" | head -20 | sed 's/^/      /')"; }

# Runs one case: a fresh folder as the working directory, then counts the result.
run_case() {
    local name=$1 fn=$2
    case_fails=""
    local dir="$WORK/cases/$fn"
    mkdir -p "$dir"
    case_skip=""
    pushd "$dir" >/dev/null || exit 2
    "$fn"
    popd >/dev/null || exit 2
    if [[ -n $case_skip ]]; then
        printf 'skip %s (%s)\n' "$name" "$case_skip"
        n_skip=$((n_skip + 1))
        return
    fi
    if [[ -z $case_fails ]]; then
        printf 'ok   %s\n' "$name"
        n_pass=$((n_pass + 1))
    else
        printf 'FAIL %s\n%s' "$name" "$case_fails"
        printf '    --- stdout (first lines)\n'
        head -5 "$OUT" | sed 's/^/    | /'
        printf '    --- stderr (first lines)\n'
        head -5 "$ERR" | sed 's/^/    | /'
        n_fail=$((n_fail + 1))
    fi
}

# A case that cannot run here says why and returns before checking anything:
#   skip_if REASON COMMAND... && return
skip_if() {
    local reason=$1
    shift
    if "$@"; then
        case_skip=$reason
        return 0
    fi
    return 1
}

missing() { ! command -v "$1" >/dev/null; }
write() { printf '%b' "$2" >"$1"; } # write FILE CONTENT (with \n, \r, \0, \xHH escapes)

# Inputs shared by cases.
CLEAN='CREATE TABLE teams (id bigint PRIMARY KEY, name text NOT NULL);\n'
ERROR='DROP TABLE users;\n'
WARNING='CREATE INDEX users_email_idx ON users (email);\n'

# ---- exit codes ----

t_clean_exit_0() {
    write a.sql "$CLEAN"
    ms a.sql
    rc_is 0
    out_has "no problems found in 1 file"
    err_empty
}

t_error_exit_1() {
    write a.sql "-- remove the old table\n$ERROR"
    ms a.sql
    rc_is 1
    out_has "a.sql:2:1: error[drop-table]: "
    out_has "found 1 problem (1 error, 0 warnings, 0 info) in 1 file"
    err_empty
}

t_check_is_default_command() {
    write a.sql "$ERROR"
    ms check a.sql
    rc_is 1
    cp "$OUT" with_check
    ms a.sql
    rc_is 1
    same_files with_check "$OUT" "output of 'check a.sql' differs from 'a.sql'"
}

t_fail_on_with_warnings_only() {
    write w.sql "$WARNING"
    ms w.sql
    rc_is 0
    out_has "w.sql:1:1: warning[require-concurrent-index]: "
    ms --fail-on error w.sql
    rc_is 0
    ms --fail-on warning w.sql
    rc_is 1
    out_has "w.sql:1:1: warning[require-concurrent-index]: "
    ms --fail-on info w.sql
    rc_is 1
    ms --fail-on never w.sql
    rc_is 0
    out_has "w.sql:1:1: warning[require-concurrent-index]: "
}

t_fail_on_never_with_errors() {
    write e.sql "$ERROR"
    ms --fail-on never e.sql
    rc_is 0
    out_has "e.sql:1:1: error[drop-table]: "
    ms --fail-on=warning e.sql
    rc_is 1
}

t_exit_code_same_in_every_format() {
    write e.sql "$ERROR"
    write w.sql "$WARNING"
    local f
    for f in text json sarif gcc github; do
        ms --format "$f" e.sql
        [[ $RC -eq 1 ]] || bad "--format $f with an error: exit $RC, expected 1"
        ms -f "$f" w.sql
        [[ $RC -eq 0 ]] || bad "--format $f with a warning: exit $RC, expected 0"
    done
}

t_usage_unknown_option() {
    write a.sql "$CLEAN"
    ms --frobnicate a.sql
    rc_is 2
    err_has "--frobnicate"
    err_has "migsafe --help"
}

t_usage_missing_path() {
    ms
    rc_is 2
    err_has "no PATH given"
    ms --format gcc
    rc_is 2
}

t_usage_missing_option_value() {
    write a.sql "$CLEAN"
    ms a.sql --format
    rc_is 2
    err_has "--format"
}

t_nonexistent_path() {
    write e.sql "$ERROR"
    ms no-such-file.sql
    rc_is 2
    err_has "no-such-file.sql"
    # the files that exist are still linted and reported
    ms e.sql no-such-dir/
    rc_is 2
    err_has "no-such-dir"
    out_has "e.sql:1:1: error[drop-table]: "
}

t_unknown_format() {
    write a.sql "$CLEAN"
    ms --format xml a.sql
    rc_is 2
    err_has '"xml"'
    ms -f '' a.sql
    rc_is 2
}

t_unknown_rule() {
    write a.sql "$CLEAN"
    ms --enable no-such-rule a.sql
    rc_is 2
    err_has '"no-such-rule"'
    ms --disable drop-table,no-such-rule a.sql
    rc_is 2
    err_has '"no-such-rule"'
}

t_disable_rule() {
    write e.sql "$ERROR$WARNING"
    ms --disable drop-table e.sql
    rc_is 0
    out_lacks "[drop-table]"
    out_has "[require-concurrent-index]"
    ms --disable drop-table --disable require-concurrent-index e.sql
    rc_is 0
    out_has "no problems found in 1 file"
    ms --disable drop-table,require-concurrent-index --enable drop-table e.sql
    rc_is 1
    out_has "[drop-table]"
}

t_bad_pg_version() {
    write a.sql "$CLEAN"
    local v
    for v in abc 15x '' -1 3 1000; do
        ms --pg-version "$v" a.sql
        [[ $RC -eq 2 ]] || bad "--pg-version '$v': exit $RC, expected 2"
    done
    err_has "--pg-version"
    ms --pg-version 13 a.sql
    rc_is 0
    ms --pg-version=15 a.sql
    rc_is 0
}

t_bad_fail_on_and_color_and_jobs() {
    write a.sql "$CLEAN"
    ms --fail-on sometimes a.sql
    rc_is 2
    err_has '"sometimes"'
    ms --color rainbow a.sql
    rc_is 2
    ms -j 0 a.sql
    rc_is 2
    ms --jobs many a.sql
    rc_is 2
}

# ---- inputs ----

t_directory_walk() {
    mkdir -p m/b/deep m/a .hidden m/.git m/node_modules/pkg
    # created out of order, so the order of the output comes from sorting, not from readdir
    write m/b/deep/0003_deep.sql "$ERROR"
    write m/0002_top.sql "$ERROR"
    write m/a/0001_first.sql "$ERROR"
    write m/b/0004_upper.SQL "$ERROR"
    # not migrations: other extensions, hidden folders, node_modules
    write m/notes.txt "$ERROR"
    write m/0005.sql.bak "$ERROR"
    write m/README.md "$ERROR"
    write m/.git/0006_hidden.sql "$ERROR"
    write m/node_modules/pkg/0007.sql "$ERROR"
    ms -f gcc m
    rc_is 1
    findings_are "m/0002_top.sql:1:1 error drop-table" "m/a/0001_first.sql:1:1 error drop-table" \
        "m/b/0004_upper.SQL:1:1 error drop-table" "m/b/deep/0003_deep.sql:1:1 error drop-table"
    ms m/
    rc_is 1
    out_has "in 4 files"
    # the same file named twice, or via its folder and by name, is linted once
    ms -f gcc m m/0002_top.sql m/0002_top.sql
    rc_is 1
    [[ $(grep -c 0002_top "$OUT") -eq 1 ]] || bad "m/0002_top.sql reported more than once"
}

t_directory_without_sql() {
    mkdir -p empty-dir/sub
    write empty-dir/notes.txt "$ERROR"
    ms empty-dir
    rc_is 2
    err_has "empty-dir"
    err_has "no migrations found"
}

t_stdin_filename() {
    write in.sql "$ERROR"
    ms_in in.sql --stdin-filename db/migrate/0042_drop.sql -
    rc_is 1
    out_has "db/migrate/0042_drop.sql:1:1: error[drop-table]: "
    out_lacks "<stdin>"
    ms_in in.sql -f gcc --stdin-filename db/migrate/0042_drop.sql -
    findings_are "db/migrate/0042_drop.sql:1:1 error drop-table"
}

t_stdin_default_name() {
    write in.sql "$CLEAN$ERROR"
    ms_in in.sql -
    rc_is 1
    out_has "<stdin>:2:1: error[drop-table]: "
    write clean.sql "$CLEAN"
    ms_in clean.sql check -
    rc_is 0
    out_has "no problems found in 1 file"
}

t_several_files() {
    write one.sql "$ERROR"
    write two.sql "$CLEAN$WARNING"
    write three.sql "$CLEAN"
    ms one.sql two.sql three.sql
    rc_is 1
    out_has "one.sql:1:1: error[drop-table]: "
    out_has "two.sql:2:1: warning[require-concurrent-index]: "
    out_has "found 2 problems (1 error, 1 warning, 0 info) in 3 files"
    # stdin and files in one run
    ms_in one.sql -f gcc --stdin-filename piped.sql - two.sql
    rc_is 1
    out_has "piped.sql:1:1: error: "
    out_has "two.sql:2:1: warning: "
}

t_nul_byte_and_invalid_utf8() {
    write nul.sql 'SELECT 1;\nSELECT 2;\0\n'
    write latin1.sql 'SELECT 1;\n-- \xc3\xa9t\xe9\n' # valid é, then a Latin-1 é
    write e.sql "$ERROR"
    ms nul.sql latin1.sql e.sql
    rc_is 2
    err_has "nul.sql:2:10: "
    err_has "NUL"
    err_has "latin1.sql:2:6: "
    err_has "UTF-8"
    # the readable file is still linted and reported
    out_has "e.sql:1:1: error[drop-table]: "
}

t_bom_and_crlf() {
    write bom.sql '\xef\xbb\xbfDROP TABLE a;\nDROP TABLE b;\n'
    write crlf.sql 'SELECT 1;\r\n  DROP TABLE c;\r\n'
    write both.sql '\xef\xbb\xbf-- caf\xc3\xa9\r\nSELECT 1; DROP TABLE d;\r\n'
    ms -f gcc bom.sql crlf.sql both.sql
    rc_is 1
    findings_are "bom.sql:1:1 error drop-table" "bom.sql:2:1 error drop-table" \
        "both.sql:2:11 error drop-table" "crlf.sql:2:3 error drop-table"
    ms crlf.sql
    grep -q $'\r' "$OUT" && bad "text output carries the carriage return of a CRLF line"
    out_has "2 |   DROP TABLE c;"
}

t_empty_file() {
    write empty.sql ''
    write comments.sql '-- nothing yet\n\n/* later */\n'
    ms empty.sql
    rc_is 0
    err_has "empty.sql"
    err_has "no SQL statements"
    ms comments.sql
    rc_is 0
    err_has "comments.sql"
}

t_unreadable_file() {
    skip_if "running as root, which can read any file" [ "$(id -u)" -eq 0 ] && return
    write locked.sql "$ERROR"
    write e.sql "$ERROR"
    chmod 000 locked.sql
    ms locked.sql e.sql
    rc_is 2
    err_has "locked.sql"
    out_has "e.sql:1:1: error[drop-table]: "
}

t_huge_file() {
    # about 20 MB of safe statements, then one finding on the last line
    local block n lines
    block=$(for i in $(seq 1 100); do
        printf "CREATE TABLE t_%s (id bigint PRIMARY KEY, name text NOT NULL);\n" "$i"
        printf "INSERT INTO t_%s (id, name) VALUES (1, 'a row of some length to pad the file');\n" "$i"
    done)
    printf '%s\n' "$block" >block.sql
    n=$((20 * 1024 * 1024 / $(stat -c %s block.sql) + 1))
    for ((i = 0; i < n; i++)); do cat block.sql; done >huge.sql
    lines=$(($(wc -l <huge.sql) + 1))
    printf 'CREATE INDEX accounts_email_idx ON accounts (email);\n' >>huge.sql
    [[ $(stat -c %s huge.sql) -ge $((20 * 1024 * 1024)) ]] || bad "the generated file is under 20 MB"
    ms -f gcc huge.sql
    rc_is 0
    findings_are "huge.sql:$lines:1 warning require-concurrent-index"
}

t_inputs_never_modified() {
    cp -r "$ROOT/fixtures/demo" demo
    write bom.sql '\xef\xbb\xbfDROP TABLE a;\r\n'
    write nul.sql 'SELECT 1;\0'
    write empty.sql ''
    local before after f
    before=$(find . -type f -exec sha256sum {} + | sort; find . -printf '%p %s %T@\n' | sort)
    for f in text json sarif gcc github; do
        ms -f "$f" demo bom.sql nul.sql empty.sql
        ms_in bom.sql -f "$f" --stdin-filename bom.sql -
    done
    after=$(find . -type f -exec sha256sum {} + | sort; find . -printf '%p %s %T@\n' | sort)
    [[ $before == "$after" ]] || bad "inputs changed:"$'\n'"$(diff <(echo "$before") <(echo "$after") | head -10)"
}

# ---- commands ----

t_rules_lists_every_rule() {
    ms rules
    rc_is 0
    err_empty
    local name id n=0
    while read -r name; do
        id=${name//_/-}
        n=$((n + 1))
        grep -qE "^$id +(error|warning|info) " "$OUT" || bad "'migsafe rules' does not list $id"
    done < <(sed -n 's/^MS_RULE(\([a-z0-9_]*\)).*/\1/p' "$ROOT/rules/rules.def")
    [[ $n -gt 0 ]] || bad "no rules found in rules/rules.def"
    [[ $(grep -cE '^[a-z0-9-]+ +(error|warning|info) ' "$OUT") -eq $n ]] ||
        bad "'migsafe rules' lists a different number of rules than rules/rules.def ($n)"
}

t_rules_effective_severity() {
    write .migsafe.yml "fail_on: warning\nrules:\n  drop-column: off\n  prefer-text: warning\n"
    ms rules
    rc_is 0
    err_empty
    grep -qE '^RULE +DEFAULT +EFFECTIVE +FAILS +CATEGORY +SUMMARY$' "$OUT" || bad "no header"
    grep -qE '^drop-column +error +off +no +data-loss .*\(disabled\)$' "$OUT" || bad "drop-column is not off"
    grep -qE '^prefer-text +info +warning +yes ' "$OUT" || bad "prefer-text is not a failing warning"
    grep -qE '^unknown-statement +warning +off +no +review .*\(opt-in\)$' "$OUT" || bad "unknown-statement is not off"
    ms rules --enable unknown-statement --disable drop-table --fail-on error
    grep -qE '^unknown-statement +warning +warning +no .*\(opt-in, enabled\)$' "$OUT" ||
        bad "--enable unknown-statement is not in effect"
    grep -qE '^drop-table +error +off +no ' "$OUT" || bad "--disable drop-table is not in effect"
    grep -qE '^prefer-text +info +warning +no ' "$OUT" || bad "--fail-on error is not in effect"
    ms rules --pg-version 11 --fail-on never
    grep -qE '^[a-z-]+ +[a-z]+ +[a-z]+ +yes ' "$OUT" && bad "a rule fails with --fail-on never"
    grep -qE '\(not for PostgreSQL 11\)$' "$OUT" || bad "no rule is marked as not for PostgreSQL 11"
    write other.yml "rules:\n  drop-table: warning\n"
    ms rules --config other.yml
    grep -qE '^drop-table +error +warning +no ' "$OUT" || bad "--config is not in effect"
    grep -qE '^drop-column +error +error +yes ' "$OUT" || bad "--config did not replace .migsafe.yml"
    ms rules drop-column
    rc_is 0
    out_has "in effect: off (disabled)"
    ms rules --format json drop-column
    rc_is 0
    out_has '"severity": "off"'
    out_has '"default_severity": "error"'
    out_has '"fail_on": "warning"'
    ms rules -f json
    [[ $(grep -c '"id": ' "$OUT") -eq $(grep -c '^MS_RULE(' "$ROOT/rules/rules.def") ]] ||
        bad "rules -f json does not list every rule"
    ms rules -f sarif
    rc_is 2
    err_has 'rules --format takes text or json, not "sarif"'
    write .migsafe.yml "rules:\n  no-such-rule: off\n"
    ms rules
    rc_is 2
    err_has ".migsafe.yml:2:3: error: unknown rule \"no-such-rule\""
}

t_rules_explains_one() {
    ms rules drop-table
    rc_is 0
    out_has "drop-table"
    out_has "error"
    out_has "help: "
    err_empty
}

t_rules_unknown() {
    ms rules nope
    rc_is 2
    err_has '"nope"'
    ms rules drop-table drop-column
    rc_is 2
}

t_help_and_version() {
    local opt
    for opt in --help -h help; do
        ms $opt
        [[ $RC -eq 0 ]] || bad "$opt: exit $RC, expected 0"
        out_has "usage: migsafe"
    done
    out_has "--fail-on"
    out_has "--stdin-filename"
    for opt in --version -V; do
        ms $opt
        [[ $RC -eq 0 ]] || bad "$opt: exit $RC, expected 0"
        out_has "migsafe "
        out_has "PostgreSQL 15"
    done
    err_empty
}

t_every_option_is_documented() {
    ms --help
    rc_is 0
    local opt n=0
    while read -r opt; do
        n=$((n + 1))
        grep -qF -- "\`$opt" "$ROOT/docs/usage.md" || bad "$opt (in --help) is not documented in docs/usage.md"
    done < <(grep -oE -- '--[a-z][a-z-]+' "$OUT" | sort -u)
    [[ $n -ge 5 ]] || bad "found only $n long options in --help"
}

# ---- output ----

has_escape() { grep -q $'\033\\[' "$OUT"; }

t_color() {
    write e.sql "$ERROR"
    ms e.sql
    has_escape && bad "escape codes in piped output (--color auto)"
    NO_COLOR=1 ms e.sql
    has_escape && bad "escape codes with NO_COLOR"
    ms --color=never e.sql
    has_escape && bad "escape codes with --color=never"
    ms --color=always e.sql
    rc_is 1
    has_escape || bad "no escape codes with --color=always"
    NO_COLOR=1 ms --color always e.sql
    has_escape || bad "no escape codes with --color=always and NO_COLOR (always forces colour)"
    ms -f gcc --color=always e.sql
    has_escape && bad "escape codes in gcc output, which editors parse"
    # without escapes, --color=always prints the same text
    ms --color=always e.sql
    sed $'s/\033\\[[0-9;]*m//g' "$OUT" >stripped
    ms e.sql
    same_files stripped "$OUT" "--color=always output differs from plain output beyond escape codes"
}

t_color_on_terminal() {
    skip_if "script(1) is not installed" missing script && return
    write e.sql "$ERROR"
    # script(1) gives the binary a terminal as stdout
    script -qec "'$BIN' e.sql" /dev/null >tty.out </dev/null
    grep -q $'\033\\[' tty.out || bad "no escape codes on a terminal (--color auto)"
    NO_COLOR=1 script -qec "'$BIN' e.sql" /dev/null >tty.out </dev/null
    grep -q $'\033\\[' tty.out && bad "escape codes on a terminal with NO_COLOR set"
    script -qec "'$BIN' --color=never e.sql" /dev/null >tty.out </dev/null
    grep -q $'\033\\[' tty.out && bad "escape codes on a terminal with --color=never"
}

t_deterministic_across_jobs_and_runs() {
    cp -r "$ROOT/fixtures/demo" demo
    # more files than one parallel window holds, with findings in each
    mkdir -p many
    local i
    for i in $(seq -w 1 70); do
        printf -- "-- migration %s\n%b%bALTER TABLE t%s ADD COLUMN c int NOT NULL;\n" \
            "$i" "$CLEAN" "$WARNING" "$i" >"many/${i}_m.sql"
    done
    local f
    for f in text gcc json sarif; do
        ms -f "$f" -j1 demo many
        cp "$OUT" "j1.$f"
        [[ $RC -eq 1 ]] || bad "-f $f -j1: exit $RC, expected 1"
        ms -f "$f" -j4 demo many
        same_files "j1.$f" "$OUT" "-f $f: output with -j4 differs from -j1"
        [[ $RC -eq 1 ]] || bad "-f $f -j4: exit $RC, expected 1"
        ms -f "$f" -j4 demo many
        same_files "j1.$f" "$OUT" "-f $f: a second -j4 run differs from the first"
        ms -f "$f" -j2 many demo
        same_files "j1.$f" "$OUT" "-f $f: output depends on the order of the paths"
    done
    [[ $(grep -c '' j1.gcc) -eq $((22 + 2 * 70)) ]] ||
        bad "expected $((22 + 2 * 70)) findings in gcc output, got $(grep -c '' j1.gcc)"
}

t_demo_findings() {
    ms -f gcc "$ROOT/fixtures/demo"
    rc_is 1
    local ids
    ids=$(sed -n 's/.*\[\([a-z0-9-]*\)\]$/\1/p' "$OUT" | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' ')
    [[ $ids == "add-column-not-null=2 concurrently-in-transaction=1 drop-column=2 missing-downgrade=1 multiple-heads=2 prefer-identity=3 prefer-text=6 rename-as-drop=2 require-concurrent-index=2 set-not-null=1" ]] ||
        bad "demo findings changed (README.md shows them): $ids"
}

# ---- run ----

echo "migsafe CLI tests: $BIN"
t_verbose_do_blocks() {
    write a.sql "DO \$\$BEGIN IF THEN END\$\$;\nDO LANGUAGE plperl 'print 1';\nDO 'BEGIN ALTER TABLE t ADD c text DEFAULT ''x''; END';\n"
    ms -v a.sql
    rc_is 0
    out_has "no problems found in 1 file"
    err_has "a.sql:1:1: note: DO block not looked into: its body does not parse: "
    err_has "a.sql:2:1: note: DO block not looked into: it is not PL/pgSQL"
    err_has "a.sql:3:1: note: 1 statement(s) of this DO block not linted"
    ms a.sql
    err_empty
}

t_config_option() {
    write a.sql "$ERROR"
    write other.yml "rules:\n  drop-table: off\n"
    ms --config other.yml a.sql
    rc_is 0
    out_has "no problems found in 1 file"
    err_empty
}

t_new_since() {
    mkdir -p m
    write m/000001_create_orders.up.sql 'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);\n'
    write m/000001_create_orders.down.sql 'DROP TABLE orders;\n'
    write m/000002_index_orders.up.sql 'CREATE INDEX orders_placed_at_idx ON orders (placed_at);\n'
    write m/000002_index_orders.down.sql 'DROP INDEX orders_placed_at_idx;\n'
    ms check --fail-on warning m
    rc_is 1
    out_has "000002_index_orders.up.sql:1:1: warning[require-concurrent-index]"
    # 000001 is not deployed yet: the table it creates is new for 000002
    ms check --fail-on warning --new-since 000000 m
    rc_is 0
    out_lacks "require-concurrent-index"
    # by name: 000001 is deployed, 000002 (its index) is not, which changes nothing for it
    ms check --fail-on warning --new-since 000001_create_orders m
    rc_is 1
    write m/000000_create_users.up.sql 'CREATE TABLE users (id bigint PRIMARY KEY);\n'
    write m/000000_create_users.down.sql 'DROP TABLE users;\n'
    ms check --fail-on warning --new-since 000000_create_users m
    rc_is 0
    ms check --fail-on warning --new-since nothing-like-this m
    rc_is 1
    err_has 'new_since "nothing-like-this" names no migration here'
}

t_history_context_single_file() {
    # linting one revision replays the others of its versions/ folder: the old type is known
    local dir=$ROOT/fixtures/rules/change-column-type/bad_alembic_history/versions
    ms check --format gcc "$dir/b2_alter_users.py"
    rc_is 1
    out_has 'changing column "id" of table "users" from int8 to int4'
    out_lacks "a1_create_users.py"
    # and so does one SQL migration of a tool's folder
    ms check --format gcc "$ROOT/fixtures/frameworks/golang-migrate/migrations/000003_add_accounts_plan.up.sql"
    out_lacks "000001_create_accounts"
    out_has "000003_add_accounts_plan.up.sql"
}

t_lock_timeout_limit_config() {
    write a.sql "SET lock_timeout = '30s';\nSET lock_timeout = '5s';\nSET lock_timeout = '3s';\nSET lock_timeout = 2500;\n"
    ms -f gcc a.sql
    rc_is 0
    findings_are "a.sql:1:20 warning lock-timeout-too-long"
    out_has "wait 30 seconds for its lock (the limit is 10)"
    write .migsafe.yml "lock_timeout_limit: 3s\n"
    ms -f gcc a.sql
    rc_is 0
    findings_are "a.sql:1:20 warning lock-timeout-too-long" "a.sql:2:20 warning lock-timeout-too-long"
    out_has "(the limit is 3)"
    write other.yml "lock_timeout_limit: 2000\n"
    ms -f gcc --config other.yml a.sql
    findings_are "a.sql:1:20 warning lock-timeout-too-long" "a.sql:2:20 warning lock-timeout-too-long" \
        "a.sql:3:20 warning lock-timeout-too-long" "a.sql:4:20 warning lock-timeout-too-long"
    write other.yml "lock_timeout_limit: \"1500ms\"\n"
    ms -f gcc --config other.yml a.sql
    out_has "(the limit is 1.5)"
    local bad
    for bad in 0 "5 parsecs" -3s 100us; do
        write other.yml "lock_timeout_limit: $bad\n"
        ms --config other.yml a.sql
        rc_is 2
        err_has "other.yml:1:21: error: \"lock_timeout_limit\" takes a duration above 0"
        err_has "not \"$bad\""
    done
}

run_case "clean file: exit 0" t_clean_exit_0
run_case "error finding: exit 1" t_error_exit_1
run_case "check is the default command" t_check_is_default_command
run_case "--fail-on error/warning/info/never with warnings only" t_fail_on_with_warnings_only
run_case "--fail-on never with errors" t_fail_on_never_with_errors
run_case "exit code is the same in every format" t_exit_code_same_in_every_format
run_case "unknown option: exit 2" t_usage_unknown_option
run_case "missing PATH: exit 2" t_usage_missing_path
run_case "option without its value: exit 2" t_usage_missing_option_value
run_case "nonexistent path: exit 2, other paths still reported" t_nonexistent_path
run_case "unknown format: exit 2" t_unknown_format
run_case "unknown rule in --enable/--disable: exit 2" t_unknown_rule
run_case "--disable and --enable" t_disable_rule
run_case "bad --pg-version: exit 2" t_bad_pg_version
run_case "bad --fail-on, --color, --jobs: exit 2" t_bad_fail_on_and_color_and_jobs
run_case "directory walk: nested, only .sql, sorted" t_directory_walk
run_case "directory without .sql: exit 2 naming it" t_directory_without_sql
run_case "stdin with --stdin-filename" t_stdin_filename
run_case "stdin default name <stdin>" t_stdin_default_name
run_case "several files in one run" t_several_files
run_case "NUL byte and invalid UTF-8: exit 2 with path:line:col" t_nul_byte_and_invalid_utf8
run_case "BOM and CRLF: correct line:col" t_bom_and_crlf
run_case "empty file: note on stderr, exit 0" t_empty_file
run_case "unreadable file: exit 2" t_unreadable_file
run_case "20 MB file" t_huge_file
run_case "inputs are never modified" t_inputs_never_modified
run_case "--config FILE instead of .migsafe.yml" t_config_option
run_case "--verbose notes the DO blocks not looked into" t_verbose_do_blocks
run_case "lock_timeout_limit in .migsafe.yml and --config" t_lock_timeout_limit_config
run_case "--new-since: the later migrations are not deployed" t_new_since
run_case "one file of a history: the others are read, not reported" t_history_context_single_file
run_case "rules lists every rule" t_rules_lists_every_rule
run_case "rules drop-table" t_rules_explains_one
run_case "rules: effective severity under .migsafe.yml, --config and overrides" t_rules_effective_severity
run_case "rules nope: exit 2" t_rules_unknown
run_case "--help and --version: exit 0" t_help_and_version
run_case "every option in --help is in docs/usage.md" t_every_option_is_documented
run_case "colour: NO_COLOR, --color=always/never, piped" t_color
run_case "colour on a terminal" t_color_on_terminal
run_case "same output with -j1/-j4, across runs" t_deterministic_across_jobs_and_runs
run_case "demo findings (shown in README.md)" t_demo_findings

echo "$n_pass passed, $n_fail failed, $n_skip skipped"
[[ $n_fail -eq 0 ]]
