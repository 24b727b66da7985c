#!/usr/bin/env bash
# Checks the lock table against a real PostgreSQL 15 server: every line of
# tests/locks/cases.txt (mode | work | relation | flags | statement) is run on a throw-away
# cluster loaded with tests/locks/setup.sql, and the server's answer is compared with the line.
# tests/test_locks.c (run by ctest) checks the same lines against src/locks.c, so the two
# together check src/locks.c against the server.
#
#   bash tests/locks/verify.sh [PG_BINDIR]
#
# PG_BINDIR defaults to $PG_BINDIR, then /usr/lib/postgresql/15/bin, then `pg_config --bindir`.
# Run from anywhere; needs initdb, pg_ctl, postgres and psql of PostgreSQL 15. As root, the
# server runs as the user postgres (runuser). The cluster lives in a temporary folder, listens
# only on a Unix socket there, and is stopped and removed at exit. Not run by ctest: it needs
# the server binaries and takes a minute or so.
#
# How each line is checked:
#   - in a transaction block, per statement: BEGIN; remember the relation's relfilenode and its
#     seq_scan count (pg_stat_xact_user_tables); run the statement; read the strongest mode this
#     backend holds on the relation in pg_locks, whether the relfilenode changed (a rewrite) and
#     whether seq_scan grew (a scan); ROLLBACK.
#   - flag notx (statements PostgreSQL refuses in a transaction block): a second session holds
#     EXCLUSIVE on the relation, the statement runs in a third and queues; the mode it waits
#     for is read from pg_locks, then it is cancelled before it gets the lock (work unchecked).
#   - mode "none": the server may hold ACCESS SHARE or ROW SHARE (what a statement reads is
#     not modelled), nothing stronger; the work is not checked (reading under ACCESS SHARE
#     blocks nobody).
#   - work with "?": the work or none; flag nowork: work unchecked.
#   - flag pg=N with N other than 15: skipped (the server is 15).
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cases=$here/cases.txt
setup=$here/setup.sql

bindir=${1:-${PG_BINDIR:-}}
if [[ -z $bindir ]]; then
    if [[ -x /usr/lib/postgresql/15/bin/postgres ]]; then
        bindir=/usr/lib/postgresql/15/bin
    elif command -v pg_config >/dev/null; then
        bindir=$(pg_config --bindir)
    fi
fi
for tool in initdb pg_ctl postgres psql; do
    if [[ ! -x $bindir/$tool ]]; then
        echo "verify.sh: $tool not found in '${bindir}' (pass the PostgreSQL 15 bin folder)" >&2
        exit 2
    fi
done
version=$("$bindir/postgres" --version)
if [[ $version != *" 15."* ]]; then
    echo "verify.sh: needs PostgreSQL 15, found: $version" >&2
    exit 2
fi

tmp=$(mktemp -d /tmp/migsafe-locks.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$tmp"
    as_pg=(runuser -u postgres --)
fi
cleanup() {
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -A trust -U postgres --no-sync >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 2; }
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -w -l "$tmp/server.log" \
    -o "-k $tmp -c listen_addresses='' -c fsync=off" start >/dev/null ||
    { cat "$tmp/server.log" >&2; exit 2; }

psql=("$bindir/psql" -X -q -At -h "$tmp" -U postgres -d locks)
"$bindir/psql" -X -q -h "$tmp" -U postgres -d postgres -c "CREATE DATABASE locks" >/dev/null || exit 2
"${as_pg[@]}" mkdir "$tmp/ts"
"${psql[@]}" -c "CREATE TABLESPACE ts2 LOCATION '$tmp/ts'" >/dev/null || exit 2
"${psql[@]}" -v ON_ERROR_STOP=1 -f "$setup" >/dev/null 2>"$tmp/setup.err" ||
    { cat "$tmp/setup.err" >&2; exit 2; }

rank_sql="CASE mode WHEN 'AccessShareLock' THEN 1 WHEN 'RowShareLock' THEN 2
  WHEN 'RowExclusiveLock' THEN 3 WHEN 'ShareUpdateExclusiveLock' THEN 4 WHEN 'ShareLock' THEN 5
  WHEN 'ShareRowExclusiveLock' THEN 6 WHEN 'ExclusiveLock' THEN 7
  WHEN 'AccessExclusiveLock' THEN 8 END"
modes=("none" "ACCESS SHARE" "ROW SHARE" "ROW EXCLUSIVE" "SHARE UPDATE EXCLUSIVE" "SHARE"
    "SHARE ROW EXCLUSIVE" "EXCLUSIVE" "ACCESS EXCLUSIVE")

mode_rank() {
    local i
    for i in "${!modes[@]}"; do
        if [[ ${modes[$i]} == "$1" ]]; then
            echo "$i"
            return
        fi
    done
    echo -1
}

# The oid expression of a relation written as in cases.txt.
oid_expr() {
    local rel=$1 name=${1#*:}
    case $rel in
    table-of-index:*) echo "(SELECT indrelid FROM pg_index WHERE indexrelid = '$name'::regclass)" ;;
    *) echo "'$name'::regclass::oid" ;;
    esac
}

# "rank rewrite scan" for a statement run in a transaction block, or "ERROR: ..."
probe_in_transaction() {
    local oid=$1 stmt=$2 out
    out=$("${psql[@]}" -v ON_ERROR_STOP=1 2>&1 <<SQL
BEGIN;
CREATE TEMP TABLE _before ON COMMIT DROP AS
  SELECT c.oid, c.relfilenode, coalesce(s.seq_scan, 0) AS seq_scan
  FROM pg_class c LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid
  WHERE c.oid = $oid;
\o /dev/null
$stmt;
\o
SELECT coalesce((SELECT max($rank_sql) FROM pg_locks l JOIN _before b ON l.relation = b.oid
                 WHERE l.pid = pg_backend_pid() AND l.granted), 0)
  || ' ' || coalesce((SELECT (c.relfilenode <> b.relfilenode)::int
                      FROM _before b JOIN pg_class c ON c.oid = b.oid), 0)
  || ' ' || coalesce((SELECT (coalesce(s.seq_scan, 0) > b.seq_scan)::int
                      FROM _before b LEFT JOIN pg_stat_xact_user_tables s ON s.relid = b.oid), 0);
ROLLBACK;
SQL
    )
    if [[ $? -ne 0 ]]; then
        echo "ERROR: $(echo "$out" | grep -m1 ERROR)"
    else
        echo "$out" | tail -1
    fi
}

# "rank - -" for a statement that cannot run in a transaction block: the mode it waits for.
probe_waiting() {
    local oid=$1 stmt=$2 rank="" pid="" i
    coproc HOLD { "${psql[@]}" 2>&1; }
    local hold_pid=$HOLD_PID
    echo "BEGIN;" >&"${HOLD[1]}"
    echo "DO \$\$ BEGIN EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', $oid::regclass); END \$\$;" >&"${HOLD[1]}"
    echo "SELECT 'held';" >&"${HOLD[1]}"
    local line
    while read -r line <&"${HOLD[0]}"; do
        [[ $line == held ]] && break
    done
    PGAPPNAME=migsafe-probe "${psql[@]}" -c "$stmt" >/dev/null 2>&1 &
    local bg=$!
    for i in $(seq 1 100); do
        read -r pid rank < <("${psql[@]}" -F ' ' -c "
            SELECT l.pid, max($rank_sql) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE a.application_name = 'migsafe-probe' AND NOT l.granted AND l.relation = $oid
            GROUP BY l.pid")
        [[ -n $rank ]] && break
        sleep 0.05
    done
    if [[ -n $pid ]]; then
        "${psql[@]}" -c "SELECT pg_cancel_backend($pid)" >/dev/null
    fi
    echo "ROLLBACK;" >&"${HOLD[1]}"
    exec {HOLD[1]}>&-
    wait "$bg" 2>/dev/null
    wait "$hold_pid" 2>/dev/null
    if [[ -z $rank ]]; then
        echo "ERROR: the statement never waited for a lock on the relation"
    else
        echo "$rank - -"
    fi
}

n=0
failed=0
skipped=0
lineno=0
while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
    rest=$line
    fields=()
    for _ in 1 2 3 4; do
        fields+=("${rest%% | *}")
        rest=${rest#* | }
    done
    want_mode=${fields[0]} want_work=${fields[1]} rel=${fields[2]} flags=${fields[3]} stmt=$rest
    if [[ $flags =~ pg=([0-9]+) && ${BASH_REMATCH[1]} != 15 ]]; then
        skipped=$((skipped + 1))
        continue
    fi
    n=$((n + 1))
    oid=$(oid_expr "$rel")
    if [[ ,$flags, == *,notx,* ]]; then
        got=$(probe_waiting "$oid" "$stmt")
    else
        got=$(probe_in_transaction "$oid" "$stmt")
    fi
    problem=""
    if [[ $got == ERROR* ]]; then
        problem=$got
    else
        read -r rank rewrite scan <<<"$got"
        want_rank=$(mode_rank "$want_mode")
        if [[ $want_rank -lt 0 ]]; then
            problem="unknown mode '$want_mode'"
        elif [[ $want_rank -eq 0 && $rank -gt 2 ]] || [[ $want_rank -gt 0 && $rank -ne $want_rank ]]; then
            problem="the server takes ${modes[$rank]}"
        elif [[ $rewrite != - && $want_rank -gt 0 && ,$flags, != *,nowork,* ]]; then
            work=none
            [[ $scan == 1 ]] && work=scan
            [[ $rewrite == 1 ]] && work=rewrite
            if [[ $work != "${want_work%\?}" && ! ($want_work == *\? && $work == none) ]]; then
                problem="the server's work is $work"
            fi
        fi
    fi
    if [[ -n $problem ]]; then
        failed=$((failed + 1))
        printf 'FAIL %s:%d: %s\n     %s\n' "cases.txt" "$lineno" "$problem" "$line"
    fi
done <"$cases"

echo "verify.sh: $n lines checked against $version, $failed failed, $skipped for other versions"
[[ $failed -eq 0 ]]
