#!/usr/bin/env bash
# tests/docs/run.sh BINARY: the rule docs are current. Runs from the source root.
#
# - docs/rules/README.md is what tools/gen-rules-index.sh prints now (not stale);
# - the generator refuses a rule without a page;
# - `migsafe rules ID` prints each page exactly as it is in the tree;
# - every relative link in docs/rules/*.md points to a file or folder that exists.
set -uo pipefail

bin=${1:?usage: tests/docs/run.sh BINARY}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# the committed index is current
if ! bash tools/gen-rules-index.sh "$bin" >"$tmp/README.md"; then
    fail "tools/gen-rules-index.sh $bin failed"
elif ! diff -u docs/rules/README.md "$tmp/README.md"; then
    fail "docs/rules/README.md is stale: run tools/gen-rules-index.sh $bin > docs/rules/README.md"
fi

# the generator fails (and prints no partial index as success) when a page is missing
mkdir "$tmp/docs"
cp docs/rules/*.md "$tmp/docs/"
first=$("$bin" rules | awk 'NR == 2 { print $1 }')
rm -f "$tmp/docs/$first.md"
if bash tools/gen-rules-index.sh "$bin" "$tmp/docs" >/dev/null 2>"$tmp/err"; then
    fail "the generator accepted a rule without a page ($first)"
elif ! grep -q "rule $first has no page" "$tmp/err"; then
    fail "the generator did not name the missing page: $(cat "$tmp/err")"
fi

# each page is embedded in the binary as it is in the tree: `rules ID` prints it after the
# "docs: URL" line and a blank line
ids=$("$bin" rules | awk 'NR > 1 { print $1 }')
[ -n "$ids" ] || fail "'$bin rules' listed no rule"
for id in $ids; do
    "$bin" rules "$id" | sed -n '/^docs: /,$p' | tail -n +3 >"$tmp/page"
    if ! cmp -s "$tmp/page" "docs/rules/$id.md"; then
        fail "'migsafe rules $id' does not print docs/rules/$id.md as it is (rebuild?)"
    fi
done

# relative links resolve
for page in docs/rules/*.md; do
    grep -o '](\([^)]*\))' "$page" | sed -e 's/^](//' -e 's/)$//' | while read -r target; do
        case "$target" in
        http://* | https://* | '#'*) continue ;;
        esac
        if [ ! -e "docs/rules/${target%%#*}" ]; then
            echo "FAIL: $page links to $target, which does not exist"
        fi
    done
done >"$tmp/links"
if [ -s "$tmp/links" ]; then
    cat "$tmp/links"
    failures=$((failures + $(wc -l <"$tmp/links")))
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures docs check(s) failed"
    exit 1
fi
echo "docs: index current, $(echo "$ids" | wc -w) pages embedded, links resolve"
