#!/usr/bin/env bash
# The Alembic oracle test: migsafe's lowering of every revision under fixtures/alembic/ must be
# the SQL Alembic itself emits for PostgreSQL.
#
#   bash tests/alembic/run.sh path/to/build/migsafe
#
# The oracle is Debian's python3-alembic (1.8.1, SQLAlchemy 1.4) run by /usr/bin/python3 (not a
# python3 found on PATH, which may lack it): each revision is copied into a throw-away script
# folder, with empty stand-ins for the revisions it names as parents, and rendered offline
# (`alembic upgrade heads --sql`, and `alembic downgrade REV:PARENT --sql` for revisions with
# one parent or none). migsafe's side is tests/alembic/lower_main.c, built here against the
# build's libmigsafe_core.a. Both sides go through libpg_query (parse + deparse) and are
# compared statement by statement, BEGIN/COMMIT included.
#
# A revision that uses an option newer than Alembic 1.8 says so with a line
# `# oracle: skip (reason)` and is left out of this comparison only. Python is used here as the
# oracle only: migsafe never runs Python.
set -u
export LC_ALL=C
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

binary=${1:?usage: run.sh path/to/migsafe}
build=$(cd "$(dirname "$binary")" && pwd)
python=/usr/bin/python3

if ! "$python" -c 'import alembic, sqlalchemy' 2>/dev/null; then
    echo "FAIL: $python cannot import alembic and sqlalchemy: apt-get install python3-alembic" >&2
    exit 1
fi
if [[ ! -f $build/libmigsafe_core.a ]]; then
    echo "FAIL: $build/libmigsafe_core.a not found (pass the built migsafe binary)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- migsafe's side: a small driver against the core library ----
cflags=(-std=c11 -O1 -g -Isrc -Irules)
if grep -q '^MIGSAFE_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    cflags+=(-fsanitize=address,undefined -fno-omit-frame-pointer)
fi
cc_cmd=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
if ! "${cc_cmd:-cc}" "${cflags[@]}" tests/alembic/lower_main.c "$build/libmigsafe_core.a" \
    -lpg_query -lpcre2-8 -lyaml -ljansson -lpthread -o "$tmp/lower_main" 2>"$tmp/cc.err"; then
    cat "$tmp/cc.err" >&2
    echo "FAIL: tests/alembic/lower_main.c does not build" >&2
    exit 1
fi

# ---- the oracle: one Python process renders every revision ----
mapfile -t revisions < <(find fixtures/alembic -path '*/versions/*.py' ! -name env.py | sort)
"$python" - "$tmp/oracle" "${revisions[@]}" <<'PY' || { echo "FAIL: the oracle did not run" >&2; exit 1; }
import importlib.util, os, re, sys, shutil, traceback
from alembic.config import Config
from alembic import command

out_dir, files = sys.argv[1], sys.argv[2:]
os.makedirs(out_dir)
failed = False
for n, path in enumerate(files):
    text = open(path, encoding="utf-8").read()
    name = path.replace("/", "__")
    if re.search(r"(?m)^# oracle: skip", text) or not re.search(r"(?m)^revision\b", text):
        open(os.path.join(out_dir, name + ".skip"), "w").close()
        continue
    spec = importlib.util.spec_from_file_location("fixture_%d" % n, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    def ids(v):
        return [] if v is None else [v] if isinstance(v, str) else list(v)
    parents = ids(mod.down_revision) + ids(getattr(mod, "depends_on", None))
    work = os.path.join(out_dir, "w%d" % n)
    os.makedirs(os.path.join(work, "versions"))
    with open(os.path.join(work, "env.py"), "w") as f:
        f.write("from alembic import context\n"
                "context.configure(url='postgresql://', literal_binds=True)\n"
                "with context.begin_transaction():\n"
                "    context.run_migrations()\n")
    for p in parents:  # empty stand-ins for the revisions this one builds on
        with open(os.path.join(work, "versions", "stub_%s.py" % p), "w") as f:
            f.write("revision = %r\ndown_revision = None\nbranch_labels = None\n"
                    "depends_on = None\n\ndef upgrade():\n    pass\n\n"
                    "def downgrade():\n    pass\n" % p)
    shutil.copy(path, os.path.join(work, "versions", "rev.py"))
    try:
        with open(os.path.join(out_dir, name + ".up.sql"), "w") as buf:
            cfg = Config(output_buffer=buf)
            cfg.set_main_option("script_location", work)
            command.upgrade(cfg, "heads", sql=True)
        if len(ids(mod.down_revision)) <= 1 and not ids(getattr(mod, "depends_on", None)):
            target = ids(mod.down_revision)[0] if ids(mod.down_revision) else "base"
            with open(os.path.join(out_dir, name + ".down.sql"), "w") as buf:
                cfg = Config(output_buffer=buf)
                cfg.set_main_option("script_location", work)
                command.downgrade(cfg, "%s:%s" % (mod.revision, target), sql=True)
    except Exception:
        print("oracle failed on %s:" % path, file=sys.stderr)
        traceback.print_exc()
        failed = True
sys.exit(1 if failed else 0)
PY

# ---- compare ----
compared=0 skipped=0 failed=0 files=0
for rev in "${revisions[@]}"; do
    name=${rev//\//__}
    if [[ -f $tmp/oracle/$name.skip ]]; then
        skipped=$((skipped + 1))
        continue
    fi
    for dir in up down; do
        [[ -f $tmp/oracle/$name.$dir.sql ]] || continue
        files=$((files + 1))
        "$tmp/lower_main" sql "$tmp/oracle/$name.$dir.sql" >"$tmp/expected" || failed=$((failed + 1))
        if ! "$tmp/lower_main" "$dir" "$rev" >"$tmp/got"; then
            echo "FAIL: $rev ($dir): migsafe cannot lower it"
            failed=$((failed + 1))
            continue
        fi
        if grep -q '^ERROR' "$tmp/expected" "$tmp/got"; then
            echo "FAIL: $rev ($dir): a statement does not parse"
            grep -h '^ERROR' "$tmp/expected" "$tmp/got" | sed 's/^/    /'
            failed=$((failed + 1))
        fi
        if ! diff -u --label "alembic $dir" --label "migsafe $dir" "$tmp/expected" "$tmp/got" >"$tmp/diff"; then
            echo "FAIL: $rev ($dir) differs from Alembic:"
            sed 's/^/    /' "$tmp/diff"
            failed=$((failed + 1))
        else
            compared=$((compared + $(wc -l <"$tmp/expected")))
        fi
    done
done

echo "alembic oracle: $compared statements compared in $files renderings of ${#revisions[@]} revision files ($skipped left out: marked '# oracle: skip' or not a revision)"
if [[ $failed -gt 0 ]]; then
    echo "$((files - failed)) passed, $failed failed"
    exit 1
fi
echo "$files passed, 0 failed"
