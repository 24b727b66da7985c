#!/usr/bin/env bash
# tests/sarif/run.sh MIGSAFE: migsafe's SARIF passes Microsoft's SARIF Multitool `validate`.
#
# Runs `MIGSAFE --format sarif` over migrations that cover what code scanning meets: a file with
# no finding, an empty folder, syntax errors, non-ASCII text with a BOM and CRLF line ends in a
# folder whose name needs percent-encoding, a folder walked into several files in subfolders,
# standard input with --stdin-filename, and an absolute path. Every document is validated in
# one run of the validator (it takes seconds to start); the test fails on any error or warning
# it reports. A deliberately broken copy proves the validator's findings are read at all.
#
# The validator always exits 0, so its findings are read from the SARIF log it writes (-o),
# with node, which is there wherever the validator is (it is installed with npm:
# `npm install -g @microsoft/sarif-multitool`). Without the validator the test fails: a
# missing validator must not turn into a silent pass.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[ $# -eq 1 ] || fail "usage: bash tests/sarif/run.sh PATH-TO-MIGSAFE"
bin=$(realpath "$1") || fail "no migsafe binary at $1"
[ -x "$bin" ] || fail "no migsafe binary at $1"
command -v sarif-multitool >/dev/null ||
    fail "sarif-multitool is not installed; install it with: npm install -g @microsoft/sarif-multitool"
command -v node >/dev/null || fail "node is not installed (sarif-multitool is installed with npm and needs it)"

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work
out=$tmp/out
mkdir -p "$work/db/clean" "$work/db/broken" "$work/db/ünïcode dir" "$work/db/app/2024/q1" \
    "$work/empty" "$out"

printf '%s\n' 'CREATE TABLE users (id bigint PRIMARY KEY, email text);' \
    'CREATE INDEX users_email_idx ON users (email);' >"$work/db/clean/001_create.sql"
printf '%s\n' 'CREATE TABLE t (id int);' 'SELEC * FROM t;' 'ALTER TABLE t ADD COLUMN x int;' \
    'ALTER TABLE t DROP COLUMN' >"$work/db/broken/001_syntax.sql"
printf '\xef\xbb\xbf-- caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\r\n/* na\xc3\xafve */ ALTER TABLE "caf\xc3\xa9" DROP COLUMN "gr\xc3\xb6\xc3\x9fe";\r\n\t/* \xf0\x9f\x90\x98 */ CREATE INDEX ON "\xc3\xa9l\xc3\xa9phant" (x);\r\n' \
    >"$work/db/ünïcode dir/001 café.sql"
printf '%s\n' 'ALTER TABLE accounts ALTER COLUMN plan SET NOT NULL;' >"$work/db/app/2024/q1/001_plan.sql"
printf '%s\n' 'DROP TABLE legacy;' >"$work/db/app/2024/q1/002_legacy.sql"
printf '%s\n' 'ALTER TABLE orders DROP COLUMN note;' >"$work/db/app/003_orders.sql"

cd "$work" || fail "cannot enter $work"

# check NAME EXPECTED-EXIT EXPECTED-RESULTS ARGS...: runs migsafe into $out/NAME.sarif.
check() {
    local name=$1 want_rc=$2 want_results=$3
    shift 3
    "$bin" --format sarif --lock-timeout-set-by-runner "$@" >"$out/$name.sarif" 2>"$out/$name.err" </dev/null
    local rc=$?
    [ "$rc" -eq "$want_rc" ] ||
        fail "$name: migsafe $* exited $rc, expected $want_rc; stderr: $(cat "$out/$name.err")"
    local n
    n=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
                 process.stdout.write(String(d.runs[0].results.length));' "$out/$name.sarif") ||
        fail "$name: the output is not JSON with runs[0].results"
    [ "$n" -eq "$want_results" ] || fail "$name: $n results, expected $want_results"
}

check clean 0 0 db/clean/001_create.sql
# a folder with no migration is an input error (exit 2), and still a whole document
check empty 2 0 empty
check syntax 1 2 db/broken/001_syntax.sql
check unicode 1 2 "db/ünïcode dir/001 café.sql"
check folder 1 7 db
check absolute 1 1 "$work/db/app/003_orders.sql"
"$bin" --format sarif --lock-timeout-set-by-runner --stdin-filename "db/from stdin.sql" - <"$work/db/app/003_orders.sql" \
    >"$out/stdin.sarif" 2>"$out/stdin.err"
rc=$?
[ $rc -eq 1 ] || fail "stdin: migsafe exited $rc, expected 1; stderr: $(cat "$out/stdin.err")"

# The locations the documents promise, checked before the validator looks at their form.
node - "$out" <<'EOF' || fail "artifact locations are not as documented"
const fs = require("fs"), path = require("path");
const dir = process.argv[2];
const load = (n) => JSON.parse(fs.readFileSync(path.join(dir, n + ".sarif"), "utf8"));
const uris = (n) => load(n).runs[0].results.map((r) => {
    const a = r.locations[0].physicalLocation.artifactLocation;
    return (a.uriBaseId ? a.uriBaseId + ":" : "") + a.uri;
});
const expect = (n, want) => {
    const got = [...new Set(uris(n))];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
        console.error(`${n}: artifact URIs ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        process.exitCode = 1;
    }
};
expect("unicode", ["%SRCROOT%:db/%C3%BCn%C3%AFcode%20dir/001%20caf%C3%A9.sql"]);
expect("stdin", ["%SRCROOT%:db/from%20stdin.sql"]);
expect("syntax", ["%SRCROOT%:db/broken/001_syntax.sql"]);
expect("folder", ["%SRCROOT%:db/app/003_orders.sql", "%SRCROOT%:db/app/2024/q1/001_plan.sql",
                  "%SRCROOT%:db/app/2024/q1/002_legacy.sql", "%SRCROOT%:db/broken/001_syntax.sql",
                  "%SRCROOT%:db/%C3%BCn%C3%AFcode%20dir/001%20caf%C3%A9.sql"]);
const abs = uris("absolute")[0];
if (!/^file:\/\/\/.*\/db\/app\/003_orders\.sql$/.test(abs)) {
    console.error(`absolute: artifact URI ${abs} is not a file:// URI of the path`);
    process.exitCode = 1;
}
const root = load("clean").runs[0].originalUriBaseIds["%SRCROOT%"].uri;
if (!/^file:\/\/\/.*\/$/.test(root)) {
    console.error(`%SRCROOT% is ${root}, not a file:// URI ending in /`);
    process.exitCode = 1;
}
const u = load("unicode").runs[0];
if (u.columnKind !== "unicodeCodePoints" || u.results[0].locations[0].physicalLocation.region.startColumn !== 13) {
    console.error("unicode: the first finding is not at code-point column 13 (after /* naïve */)");
    process.exitCode = 1;
}
EOF

# The canary: a copy with a result pointing past the rules array must draw an error.
node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
         d.runs[0].results[0].ruleIndex = 9999;
         fs.writeFileSync(process.argv[2], JSON.stringify(d));' "$out/folder.sarif" "$tmp/canary.sarif" ||
    fail "cannot write the canary"

names=(clean empty syntax unicode folder absolute stdin)
cd "$out" || fail "cannot enter $out"
cp "$tmp/canary.sarif" canary.sarif
# (targets first: a list option such as --log would swallow the names after it)
sarif-multitool validate "${names[@]/%/.sarif}" canary.sarif -o "$tmp/validation.sarif" \
    >"$tmp/validator.txt" 2>&1
vrc=$?
[ -s "$tmp/validation.sarif" ] ||
    fail "sarif-multitool validate wrote no log (exit $vrc):"$'\n'"$(head -20 "$tmp/validator.txt")"

node - "$tmp/validation.sarif" "${#names[@]}" <<'EOF'
const fs = require("fs");
const log = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const expected = Number(process.argv[3]);
const run = log.runs[0];
let bad = 0, canary = 0;
for (const inv of run.invocations || []) {
    if (inv.executionSuccessful === false) {
        console.error("the validator did not run to the end");
        bad++;
    }
    for (const n of [...(inv.toolExecutionNotifications || []), ...(inv.toolConfigurationNotifications || [])]) {
        if (n.level === "error") {
            console.error(`validator: ${n.message.text}`);
            bad++;
        }
    }
}
for (const r of run.results || []) {
    const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri || "?";
    const file = decodeURIComponent(uri.split("/").pop());
    const line = r.locations?.[0]?.physicalLocation?.region?.startLine;
    if (r.level !== "error" && r.level !== "warning")
        continue;
    if (file === "canary.sarif") {
        canary++;
        continue;
    }
    console.error(`${file}:${line}: ${r.level} ${r.ruleId} (details below)`);
    bad++;
}
if (canary === 0) {
    console.error("the canary (a ruleIndex past the rules) drew no error: the validator's findings are not being read");
    bad++;
}
console.log(`sarif-multitool validate: ${expected} migsafe documents, ${bad} errors or warnings; canary: ${canary} error(s) as expected`);
process.exit(bad ? 1 : 0);
EOF
status=$?
if [ $status -ne 0 ]; then
    cat "$tmp/validator.txt" >&2
    fail "sarif-multitool validate reported problems in migsafe's SARIF"
fi
echo "sarif: every document valid"
